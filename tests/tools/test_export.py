"""nnloop export: the numpy matrix program computes nnloop's own numbers, checked with numpy as the oracle.

numpy is installed into the test environment by `make test` (the oracle extra); elsewhere these tests are
skipped, saying so.
"""
import os
import runpy

import pytest
from conftest import ROOT, assert_refused, run_nnloop

from nnloop import architecture
from nnloop.learning.training import train
from nnloop.rng import Random
from nnloop.tools import spec
from nnloop.tools.export import numpy_source
from nnloop.tools.values import compute

np = pytest.importorskip("numpy", reason="numpy is the oracle of these tests: make test installs it")

SHIPPED = sorted(name[:-5] for name in os.listdir(os.path.join(ROOT, "data", "examples")))
TOLERANCE = 1e-12


def run_export(tmp_path, net, x, T, name="exported"):
    """The exported program, run as a module, and its forward and backward on (x, T)."""
    path = tmp_path / f"{name}.py"
    path.write_text(numpy_source(net, name, x, T))
    program = runpy.run_path(str(path))
    A, H, memory = program["forward"](x)
    delta, dW, dB = program["backward"](A, H, memory, T)
    return program, A, H, delta, dW, dB


def assert_same(mine, theirs, what):
    """Equal to relative 1e-12 of the largest magnitude: the matrix form adds the same terms in another order."""
    theirs = np.asarray(theirs, dtype=float)
    mine = np.asarray(mine, dtype=float).reshape(theirs.shape)
    scale = max(float(np.abs(theirs).max()), 1e-300)
    assert float(np.abs(mine - theirs).max()) <= TOLERANCE * scale, (what, mine, theirs)


def assert_agrees_with_nnloop(tmp_path, net, x, T, eta=0.1, name="exported"):
    program, A, H, delta, dW, dB = run_export(tmp_path, net, x, T, name)
    computed = compute(net, x, T, eta)
    v, g = computed.v, computed.g
    for k in range(1, net.L + 1):
        assert_same(A[k], v.A[k], f"A[{k}]")
        assert_same(H[k], v.H[k], f"H[{k}]")
        assert_same(delta[k], v.delta[k], f"delta[{k}]")
        if net.layers[k].W:
            assert_same(dW[k], g.dW[k], f"dW[{k}]")
            assert_same(dB[k], g.dB[k], f"dB[{k}]")
    assert abs(program["loss"](H[net.L], T) - computed.loss) <= TOLERANCE * abs(computed.loss)
    program["sgd_step"](dW, dB, eta)  # the step, on the exported parameters
    for k in range(1, net.L + 1):
        layer = computed.stepped.layers[k]
        if layer.W:
            name_k = program["K"] if k in program["K"] else program["W"]
            assert_same(name_k[k], layer.W, f"W[{k}] - eta*dW[{k}]")
            assert_same(program["B"][k], layer.B, f"B[{k}] - eta*dB[{k}]")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_spec_computes_nnloop_s_numbers_as_matrices(tmp_path, name):
    s = spec.read(name)
    assert_agrees_with_nnloop(tmp_path, s.net, s.x, s.T, s.eta, name.replace("-", "_"))


@pytest.mark.parametrize("layers, shape", [
    ("conv3x3p1:tanh,maxpool2,conv2x2s2:sigmoid,avgpool1,dense5", (2, 8, 8)),
    ("conv2x3s2p2,avgpool2s1,flatten,dense4:identity", (1, 9, 7)),
    ("conv4x5,maxpool3s2,dense6", (1, 12, 12)),
])
def test_a_trained_convnet_of_every_kind_of_layer_computes_the_same(tmp_path, layers, shape):
    net = architecture.build(architecture.parse(layers), shape, classes=3, seed=4)
    rng = Random(9)
    samples = [([rng.gauss() for _ in range(shape[0] * shape[1] * shape[2])],
                [1.0 if c == n % 3 else 0.0 for c in range(3)]) for n in range(6)]
    train(net, samples, epochs=3, batch_size=2, eta=0.05, seed=1)  # trained: not the initial weights
    x, T = samples[0]
    assert_agrees_with_nnloop(tmp_path, net, x, T)


def test_the_mse_and_softmax_output_is_exported_too(tmp_path):
    net = architecture.build(architecture.parse("dense3:sigmoid"), 4, classes=2, output_activation="softmax",
                             loss="mse", seed=2)
    assert_agrees_with_nnloop(tmp_path, net, [0.5, -1.0, 2.0, 0.0], [0.25, 0.75])


def test_the_command_writes_a_program_that_runs_and_prints_the_trace_s_numbers(tmp_path):
    out = tmp_path / "sub" / "worked.py"
    result = run_nnloop("export", "worked-relu", "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "import numpy as np" in text and "A[1] = W[1] @ H[0] + B[1]" in text and "back = W[2].T @ delta[2]" in text
    printed = run_nnloop("trace", "worked-relu").stdout  # the loss the trace prints, 169
    assert "= 169" in printed
    program = runpy.run_path(str(out), run_name="__main__")
    assert float(program["loss"](program["forward"](program["x"])[1][2], program["T"])) == 169.0
    assert_refused(run_nnloop("export", "worked-relu", "--index", "3", "-o", tmp_path / "x.py"), "drop --index")
    assert_refused(run_nnloop("export", "worked-relu", "-o", os.path.join(ROOT, "data", "examples", "xor.json")),
                   "is an nnloop network spec")


def test_every_kind_but_dropout_has_a_matrix_form_and_dropout_is_refused_in_one_line():
    from nnloop.errors import NnloopError
    from nnloop.layers import KINDS
    from nnloop.tools.export import MATRIX_FORM, check_exportable
    assert set(MATRIX_FORM) == set(KINDS) - {"dropout"}
    net = architecture.build(architecture.parse("dense4,dropout0.5"), 6, classes=2)
    with pytest.raises(NnloopError, match="m.json: a dropout layer has no matrix form here yet: export a network "
                                          "of dense, conv, maxpool, avgpool, flatten layers"):
        check_exportable(net, "m.json")
