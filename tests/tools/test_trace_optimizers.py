"""nnloop trace on a spec that names an optimizer: its step, with the numbers put in, is the engine's."""
import copy

from nnloop.learning import optimizers
from nnloop.tools import spec
from nnloop.tools.trace import render, trace
from nnloop.tools.values import factor, num

from conftest import ROOT, run_nnloop


def engine_step(path):
    """The spec's network after one step of its optimizer, computed by the training code itself."""
    from nnloop.learning.training import update_mini_batch
    s = spec.read(path)
    update_mini_batch(s.net, [(s.x, s.T)], s.eta, s.optimizer)
    return s.net


def test_momentum_step_is_shown_with_numbers():
    path = f"{ROOT}/data/examples/xor-momentum.json"
    result = run_nnloop("trace", path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "momentum step, layer 2" in out
    assert "v = mu*v - eta*dW[2][0][1] = 0.9*0 - 0.5*(-0.132427) = 0.0662133" in out
    assert "W[2][0][1] = W[2][0][1] + v = 1 + 0.0662133 = 1.06621" in out
    assert round(engine_step(path).W[2][0][1], 5) == 1.06621


def test_adam_step_shows_the_bias_correction():
    s = spec.read(f"{ROOT}/data/examples/xor-adam.json")
    text = render(trace(s.net, s.x, s.T, s.eta, optimizer=s.optimizer))
    assert "adam, step t = 1" in text
    assert "m_hat = m/(1 - b1^t) = (-0.0132427)/(1 - 0.9^1) = (-0.132427)" in text
    assert "s_hat = s/(1 - b2^t) = 1.75368e-05/(1 - 0.999^1) = 0.0175368" in text
    after = engine_step(f"{ROOT}/data/examples/xor-adam.json")
    assert f"= {after.W[2][0][0]:.6g}\n" in text + "\n"  # the engine's new W[2][0][0]
    assert s.optimizer.t == 0  # the trace stepped a copy


def test_a_spec_with_an_unknown_optimizer_setting_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(open(f"{ROOT}/data/examples/xor-adam.json").read().replace('"b1"', '"beta_1"'))
    result = run_nnloop("trace", bad)
    assert result.returncode == 2 and "adam has no hyperparameter 'beta_1'" in result.stderr


def test_a_kernel_s_optimizer_state_is_read_at_each_weight_s_place_in_its_flat_list():
    """A kernel's state (v, h, m, s) is one list per kernel, as K is: the trace shows weight (c', u, v)'s entry, at
    weight_index(c', u, v), under its textbook name, and the engine's step from it."""
    from nnloop.learning.training import update_mini_batch
    s = spec.read(f"{ROOT}/data/examples/conv-strided.json")
    adam = optimizers.make("adam", s.net)
    update_mini_batch(s.net, [(s.x, s.T)], s.eta, adam)  # step 1: m and s are no longer 0
    text = render(trace(s.net, s.x, s.T, s.eta, optimizer=adam))
    after, adam_after = copy.deepcopy(s.net), copy.deepcopy(adam)
    update_mini_batch(after, [(s.x, s.T)], s.eta, adam_after)  # step 2, the trace's
    conv = s.net.layers[1]
    for c, c2, u, v in ((0, 0, 0, 0), (0, 1, 2, 0), (1, 2, 0, 1), (1, 2, 2, 2)):
        j = conv.weight_index(c2, u, v)
        K, m = f"K[1][{c}][{c2}][{u}][{v}]", adam.state["m"]["W"][1][c][j]
        assert f"m = b1*m + (1 - b1)*dK[1][{c}][{c2}][{u}][{v}] = 0.9*{factor(m)} + " in text
        new = float(next(line for line in text.splitlines() if line.strip().startswith(f"{K} = ")).rsplit(" = ", 1)[1])
        assert num(new) == num(after.W[1][c][j])
