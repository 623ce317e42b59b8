"""nnloop gradcheck: tiny errors on correct networks, large ones where backprop is broken on purpose."""
import glob
import json
import os
import re

import pytest
from conftest import ROOT, assert_refused, run_nnloop

from nnloop import check_gradients, cli, network
from nnloop.files import modelfile
from nnloop.layers.activations import identity, relu
from nnloop.network import Network
from nnloop.rng import Random
from nnloop.tools import spec
from nnloop.tools.gradcheck import sample_parameters

EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "data", "examples", "*.json")))
SOFTMAX = os.path.join(ROOT, "data", "examples", "softmax-3-4-3.json")


def gradcheck(capsys, *args):
    status = cli.main(["gradcheck", *map(str, args)])
    return status, capsys.readouterr().out


def worst_per_layer(out):
    """{k: the largest error printed under 'layer k:'}."""
    worst, k = {}, None
    for line in out.splitlines():
        m = re.match(r"layer (\d+): ", line)
        if m:
            k = int(m.group(1))
        m = re.search(r" error (\S+)$", line)
        if m:
            worst[k] = max(worst.get(k, 0.0), float(m.group(1)))
    return worst


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_correct_backprop_passes_with_tiny_errors(capsys, path):
    status, out = gradcheck(capsys, path)
    assert status == 0
    assert "passed: every relative error is below 1e-06 plus the noise" in out
    worst = worst_per_layer(out)
    net = spec.read(path).net
    assert sorted(worst) == [k for k in range(1, net.L + 1) if net.B[k]] and max(worst.values()) < 1e-7


def test_dropping_relus_f_prime_factor_fails_in_layer_1(capsys, monkeypatch):
    # backward then multiplies back[1][i] by 1 where it should by relu'(A) = 0: node 0 of the
    # 3-4-3 example is off (A[1][0] = -0.8), so its weights get a gradient they do not have
    monkeypatch.setitem(network.ACTIVATIONS, "relu", relu._replace(backward=identity.backward))
    status, out = gradcheck(capsys, SOFTMAX)
    assert status == 1
    assert re.search(r"FAILED: 4 of 31 relative errors are 1e-06 or more beyond the noise, the worst 1 \(noise \S+\) at "
                     r"(W\[1\]\[0\]\[\d\]|B\[1\]\[0\])", out), out
    worst = worst_per_layer(out)
    assert worst[1] == 1.0 and worst[2] < 1e-7  # the output layer's gradients do not pass through relu'


def test_a_corrupted_dW_fails_in_its_layer(capsys, monkeypatch):
    real_backward = Network.backward

    def backward_doubling_the_output_dW(self, v, T, g):
        before = [row[:] for row in g.dW[self.L]]
        real_backward(self, v, T, g)
        for j, row in enumerate(g.dW[self.L]):
            for i in range(len(row)):
                row[i] += row[i] - before[j][i]

    monkeypatch.setattr(Network, "backward", backward_doubling_the_output_dW)
    status, out = gradcheck(capsys, SOFTMAX)
    assert status == 1 and "FAILED" in out
    worst = worst_per_layer(out)
    assert worst[1] < 1e-7 and worst[2] > 0.4  # 2x against 1x: relative error 0.5


def test_a_model_file_is_checked_on_a_subset_over_test_digits(tmp_path, small_mnist):
    path = str(tmp_path / "model.json")
    modelfile.save(Network([784, 6, 10], ["tanh", "softmax"], "cross_entropy", seed=4), path)
    result = run_nnloop("gradcheck", path, "--params", 7, "--digits", 2, "--data", small_mnist)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MNIST test digit 1, labelled 2" in result.stdout
    assert "layer 1: 7 parameters checked" in result.stdout and "layer 2: 7 parameters checked" in result.stdout
    assert "passed" in result.stdout
    assert_refused(run_nnloop("gradcheck", path, "--digits", 201, "--data", small_mnist), "no test digit 200")
    modelfile.save(Network([4, 3, 2], ["tanh", "softmax"], "cross_entropy"), path)
    assert_refused(run_nnloop("trace", path, "--data", small_mnist), "network of 4 inputs and 2 outputs", "MNIST digits need")


def test_a_failing_check_exits_1_from_the_command_line(tmp_path):
    # A[1][0] = 1 - 1 = 0 sits on relu's kink: the central difference measures half of each slope there
    path = write_spec(tmp_path, [{"activation": "relu", "W": [[1, -1]], "B": [0]},
                                 {"activation": "identity", "W": [[2]], "B": [0]}], [1, 1], [1])
    result = run_nnloop("gradcheck", path)
    assert result.returncode == 1 and "FAILED" in result.stdout and "relu's kink" in result.stdout


def test_the_sampled_parameters_are_a_seeded_subset_of_each_layer():
    net = Network([20, 5, 3], ["relu", "softmax"], "cross_entropy")
    chosen = sample_parameters(net, 8, Random(1))
    assert [p[0] for p in chosen] == [1] * 8 + [2] * 8
    assert len(set(chosen)) == 16
    assert all(0 <= j < net.sizes[k] and (i is None or 0 <= i < net.sizes[k - 1]) for k, j, i in chosen)
    assert chosen == sample_parameters(net, 8, Random(1)) != sample_parameters(net, 8, Random(2))
    assert len(sample_parameters(net, 100, Random(1))) == 100 + 3 * 6  # the small layer 2: every parameter
    assert len(sample_parameters(net, 200, Random(1))) == 5 * 21 + 3 * 6


def write_spec(tmp_path, layers, x, T, loss="mse"):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"format": "nnloop-spec", "version": 1, "note": "a large loss", "loss": loss,
                                "layers": layers, "x": x, "t": T, "learning_rate": 0.001}))
    return str(path)


WORKED_SIGMOID = [{"activation": "sigmoid", "W": [[3, 1, 2], [-2, -3, -1]], "B": [0, 0]},
                  {"activation": "sigmoid", "W": [[3, 2]], "B": [0]}]
# loss about 2.6e3, gradients from about 1e-9 (saturated tanh nodes) to about 1e3
THOUSANDS = [{"activation": "tanh", "W": [[0.5, -0.25, 1.0], [4.0, 3.0, 2.0], [-0.01, 0.02, 0.005]],
              "B": [0.1, -0.2, 0.0]},
             {"activation": "identity", "W": [[30.0, 0.001, -20.0], [1.0, -2.0, 40.0]], "B": [1.0, -1.0]}]


@pytest.mark.parametrize("layers, T", [(WORKED_SIGMOID, [20]), (WORKED_SIGMOID, [-50]), (THOUSANDS, [70, -60])],
                         ids=["worked-sigmoid-t20", "worked-sigmoid-t-50", "thousands"])
def test_a_correct_network_with_a_large_loss_passes(tmp_path, capsys, layers, T):
    # the central difference's rounding grows with the loss (about 1e-16 |L| / eps), and the verdict knows it
    path = write_spec(tmp_path, layers, [2, 3, 1], T)
    net = spec.read(path).net
    sample = [([2.0, 3.0, 1.0], [float(v) for v in T])]
    assert net.mean_loss(sample) > 300
    g = net.gradients(sample)
    magnitudes = [abs(d) for k in (1, 2) for row in g.dW[k] for d in row if d != 0.0]
    assert max(magnitudes) / min(magnitudes) > 1e5  # gradients over many orders of magnitude
    status, out = gradcheck(capsys, path)
    assert status == 0, out
    assert "passed" in out and " noise " in out
    assert all(c.passes() for c in check_gradients(net, sample))


@pytest.mark.parametrize("layers, T", [(WORKED_SIGMOID, [20]), (THOUSANDS, [70, -60])], ids=["worked-sigmoid", "thousands"])
@pytest.mark.parametrize("broken", [1, 2])
def test_a_large_loss_network_with_one_layer_off_by_a_tenth_of_a_percent_fails(tmp_path, capsys, monkeypatch,
                                                                                 layers, T, broken):
    real_backward = Network.backward

    def backward_off_by_0_1_percent(self, v, T, g):
        before = [row[:] for row in g.dW[broken]]
        real_backward(self, v, T, g)
        for j, row in enumerate(g.dW[broken]):
            for i in range(len(row)):
                row[i] += 0.001 * (row[i] - before[j][i])

    path = write_spec(tmp_path, layers, [2, 3, 1], T)
    if layers is WORKED_SIGMOID and broken == 1:
        # layer 1 is saturated: its gradients (1e-4 and below) are under the rounding noise of a loss of 363,
        # where no finite difference can see a 0.1% error; scale the weights down so it is not
        path = write_spec(tmp_path, [{"activation": "sigmoid", "W": [[0.3, 0.1, 0.2], [-0.2, -0.3, -0.1]], "B": [0, 0]},
                                     {"activation": "sigmoid", "W": [[3, 2]], "B": [0]}], [2, 3, 1], T)
    monkeypatch.setattr(Network, "backward", backward_off_by_0_1_percent)
    status, out = gradcheck(capsys, path)
    assert status == 1, out
    assert re.search(rf"FAILED: .* at W\[{broken}\]", out), out
    worst = worst_per_layer(out)
    assert worst[broken] > 5e-4 and worst[3 - broken] < 1e-5  # the other layer: noise-level errors only


def test_an_eps_that_vanishes_next_to_a_parameter_is_refused(tmp_path):
    path = write_spec(tmp_path, [{"activation": "identity", "W": [[1e12]], "B": [0]}], [1], [0])
    assert_refused(run_nnloop("gradcheck", path, "--eps", "1e-5"), "eps = 1e-05 vanishes next to W[1][0][0] = 1e+12",
                   "use an eps above")
