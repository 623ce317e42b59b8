"""nnloop export --to pytorch: the nn.Sequential it writes, reading the weights from the nnloop file, computes
nnloop's output, loss and gradients. torch is an optional oracle: where it does not import these tests are
skipped, saying so."""
import runpy

import pytest
from conftest import run_nnloop

from nnloop import architecture
from nnloop.files import modelfile
from nnloop.learning.training import train
from nnloop.rng import Random
from nnloop.tools import spec
from nnloop.tools.export import torch_source
from nnloop.tools.values import compute

torch = pytest.importorskip("torch", reason="torch is not installed: the pytorch export is checked where it is")

TOLERANCE = 1e-12


def assert_same(mine, theirs, what):
    theirs = torch.tensor(theirs, dtype=torch.float64)
    mine = mine.detach().reshape(theirs.shape)
    scale = max(float(theirs.abs().max()), 1e-300)
    assert float((mine - theirs).abs().max()) <= TOLERANCE * scale, (what, mine, theirs)


def assert_agrees_with_nnloop(tmp_path, net, x, T, path):
    program_path = tmp_path / "exported_torch.py"
    program_path.write_text(torch_source(net, "test", str(path)))
    program = runpy.run_path(str(program_path))
    model = program["load_parameters"](program["network"](), str(path))
    X = torch.tensor(x).reshape((1,) + program["INPUT_SHAPE"])
    loss = program["loss_of"](model, X, torch.tensor([T]))  # a batch of one sample, as X
    loss.backward()
    computed = compute(net, x, T, 0.1)
    assert abs(loss.item() - computed.loss) <= TOLERANCE * abs(computed.loss)
    output = model(X)[0]  # A[L] under a softmax + cross-entropy (the softmax is in the loss), else Y = H[L]
    L = net.L
    assert_same(output, computed.v.A[L] if net.loss == "cross_entropy" else computed.v.H[L], "the output")
    weighted = [m for m in model if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    layers = [k for k in range(1, L + 1) if net.layers[k].W]
    for k, module in zip(layers, weighted):
        assert_same(module.weight.grad, computed.g.dW[k], f"dW[{k}]")
        assert_same(module.bias.grad, computed.g.dB[k], f"dB[{k}]")


@pytest.mark.parametrize("name", ["worked-relu", "worked-sigmoid", "xor", "softmax-3-4-3", "conv-worked",
                                  "conv-strided"])
def test_the_shipped_specs_compute_nnloop_s_numbers_in_torch(tmp_path, name):
    s = spec.read(name)
    assert_agrees_with_nnloop(tmp_path, s.net, s.x, s.T, spec.locate(name))


def test_a_trained_convnet_model_file_computes_the_same_in_torch(tmp_path):
    net = architecture.build(architecture.parse("conv3x3p1:tanh,maxpool2,conv2x2s2,avgpool1,dense5"), (1, 8, 8),
                             classes=3, seed=4)
    rng = Random(9)
    samples = [([rng.gauss() for _ in range(64)], [1.0 if c == n % 3 else 0.0 for c in range(3)]) for n in range(6)]
    train(net, samples, epochs=3, batch_size=2, eta=0.05, seed=1)
    path = tmp_path / "conv.json"
    modelfile.save(net, str(path))
    assert_agrees_with_nnloop(tmp_path, net, *samples[0], path)


def test_the_command_writes_the_run_s_optimizer_and_schedule(tmp_path, small_mnist):
    model = tmp_path / "m.json"
    assert run_nnloop("train", "--data", small_mnist, "--hidden", "8", "--epochs", "2", "--optimizer", "adam",
                      "--learning-rate", "0.002", "--lr-schedule", "cosine", "-o", model).returncode == 0
    out = tmp_path / "torch_run.py"
    result = run_nnloop("export", model, "--to", "pytorch", "--data", small_mnist, "-o", out)
    assert result.returncode == 0, result.stderr
    program = runpy.run_path(str(out))
    network = program["load_parameters"](program["network"](), str(model))
    optimizer = program["optimizer_of"](network)
    assert isinstance(optimizer, torch.optim.Adam) and optimizer.param_groups[0]["lr"] == 0.002
    assert isinstance(program["schedule_of"](optimizer), torch.optim.lr_scheduler.CosineAnnealingLR)
    program["train"](network, small_mnist, epochs=1)  # goes on training where nnloop stopped
