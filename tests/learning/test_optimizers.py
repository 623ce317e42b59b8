"""Each optimizer's first steps against a hand calculation written out here.

The network is one identity layer 2 -> 2 with mean squared error, so the
gradient is known in closed form: with Y = W x + B and N = 2 outputs,
dLoss/dA[j] = (-2/N) (T[j] - Y[j]), dW[j][i] = that * x[i], dB[j] = that.
The hand calculation keeps its own flat list of parameters and state and
applies the formulas of the README one parameter at a time.
"""
import math

import pytest

from nnloop.errors import NnloopError
from nnloop.learning.optimizers import OPTIMIZERS, SGD, Adam, Momentum, from_document, make
from nnloop.learning.training import accumulate, train, update_mini_batch
from nnloop.network import Gradients, Network, NodeValues

W0 = [[0.5, -0.25], [0.125, 0.75]]
B0 = [0.1, -0.2]
BATCH = [([1.0, 2.0], [0.5, -1.0]), ([-1.5, 0.5], [1.0, 0.25])]
ETA = 0.05


def tiny():
    return Network.with_parameters([[], [row[:] for row in W0]], [[], B0[:]], ["identity"], "mse")


def flat(W, B):
    """[W[0][0], W[0][1], W[1][0], W[1][1], B[0], B[1]]: the order the hand calculation keeps."""
    return W[0] + W[1] + B


def hand_gradient(p):
    """The minibatch-mean gradient of the flat parameters p, by the closed form of the layer."""
    W, B = [p[0:2], p[2:4]], p[4:6]
    g = [0.0] * 6
    for x, T in BATCH:
        for j in range(2):
            Y = B[j] + W[j][0] * x[0] + W[j][1] * x[1]
            d = (-2.0 / 2) * (T[j] - Y)
            g[2 * j] += d * x[0] / len(BATCH)
            g[2 * j + 1] += d * x[1] / len(BATCH)
            g[4 + j] += d / len(BATCH)
    return g


def hand_steps(rule, steps, **h):
    """The flat parameters after each of steps steps of rule, computed one parameter at a time."""
    p = flat(W0, B0)
    v, m, s = [0.0] * 6, [0.0] * 6, [0.0] * 6
    after = []
    for t in range(1, steps + 1):
        g = hand_gradient(p)
        for n in range(6):
            if rule == "sgd":
                p[n] -= ETA * g[n]
            elif rule == "momentum":
                v[n] = h["mu"] * v[n] - ETA * g[n]
                p[n] += v[n]
            elif rule == "nesterov":
                v_old = v[n]
                v[n] = h["mu"] * v[n] - ETA * g[n]
                p[n] += -h["mu"] * v_old + (1 + h["mu"]) * v[n]
            elif rule == "adagrad":
                s[n] += g[n] * g[n]
                p[n] -= ETA * g[n] / (math.sqrt(s[n]) + h["eps"])
            elif rule == "rmsprop":
                s[n] = h["rho"] * s[n] + (1 - h["rho"]) * g[n] * g[n]
                p[n] -= ETA * g[n] / (math.sqrt(s[n]) + h["eps"])
            elif rule == "adam":
                m[n] = h["b1"] * m[n] + (1 - h["b1"]) * g[n]
                s[n] = h["b2"] * s[n] + (1 - h["b2"]) * g[n] * g[n]
                m_hat, s_hat = m[n] / (1 - h["b1"] ** t), s[n] / (1 - h["b2"] ** t)
                p[n] -= ETA * m_hat / (math.sqrt(s_hat) + h["eps"])
        after.append(p[:])
    return after


def assert_close(got, expected):
    for a, b in zip(got, expected):
        assert abs(a - b) <= 1e-12 * max(abs(b), 1e-300), (got, expected)


CASES = [("sgd", {}), ("momentum", {"mu": 0.9}), ("nesterov", {"mu": 0.8}), ("adagrad", {"eps": 1e-8}),
         ("rmsprop", {"rho": 0.9, "eps": 1e-8}), ("adam", {"b1": 0.9, "b2": 0.999, "eps": 1e-8})]


@pytest.mark.parametrize("name, h", CASES, ids=[name for name, _ in CASES])
def test_first_steps_match_the_hand_calculation(name, h):
    net = tiny()
    optimizer = make(name, net, **h)
    for expected in hand_steps(name, 4, **h):
        update_mini_batch(net, BATCH, ETA, optimizer)
        assert_close(flat(net.W[1], net.B[1]), expected)
    assert optimizer.t == 4


def test_every_optimizer_is_covered():
    assert {name for name, _ in CASES} == set(OPTIMIZERS)


def test_adam_step_1_is_bias_corrected():
    """At t = 1, m_hat = g and s_hat = g*g: every parameter moves by eta * g / (|g| + eps), about eta."""
    net = tiny()
    g = hand_gradient(flat(W0, B0))
    update_mini_batch(net, BATCH, ETA, Adam(net, b1=0.9, b2=0.999, eps=1e-8))
    moved = [before - after for before, after in zip(flat(W0, B0), flat(net.W[1], net.B[1]))]
    assert_close(moved, [ETA * g_n / (abs(g_n) + 1e-8) for g_n in g])
    assert all(abs(abs(step) - ETA) < 1e-6 for step in moved)  # without the correction: 0.1 * eta / sqrt(0.001)


def test_momentum_0_is_sgd_exactly():
    a, b = tiny(), tiny()
    sgd, momentum = SGD(a), Momentum(b, mu=0.0)
    for _ in range(5):
        update_mini_batch(a, BATCH, ETA, sgd)
        update_mini_batch(b, BATCH, ETA, momentum)
    assert a.W == b.W and a.B == b.B


def test_the_default_is_the_sgd_step_of_before():
    """W -= (eta / batch_size) * dW on the sums, the very floating-point operations of the SGD before optimizers."""
    net, old = tiny(), tiny()
    update_mini_batch(net, BATCH, ETA)
    g = Gradients(old.sizes)
    accumulate(old, BATCH, g, NodeValues(old.sizes))
    rate = ETA / len(BATCH)
    for j in range(2):
        for i in range(2):
            old.W[1][j][i] -= rate * g.dW[1][j][i]
        old.B[1][j] -= rate * g.dB[1][j]
    assert net.W == old.W and net.B == old.B


@pytest.mark.parametrize("decay", ["coupled", "decoupled"])
def test_weight_decay_by_hand(decay):
    lam = 0.01
    net = tiny()
    update_mini_batch(net, BATCH, ETA, SGD(net, weight_decay=lam, decay=decay))
    p, g = flat(W0, B0), hand_gradient(flat(W0, B0))
    expected = []
    for n in range(6):
        is_weight = n < 4
        if decay == "coupled":
            expected.append(p[n] - ETA * (g[n] + (lam * p[n] if is_weight else 0.0)))
        else:
            expected.append(p[n] - ETA * lam * p[n] * is_weight - ETA * g[n])
    assert_close(flat(net.W[1], net.B[1]), expected)


def test_decoupled_adam_shrinks_beside_the_step():
    lam, h = 0.1, {"b1": 0.9, "b2": 0.999, "eps": 1e-8}
    net = tiny()
    update_mini_batch(net, BATCH, ETA, Adam(net, weight_decay=lam, decay="decoupled", **h))
    plain = hand_steps("adam", 1, **h)[0]
    p = flat(W0, B0)
    assert_close(flat(net.W[1], net.B[1]), [plain[n] - (ETA * lam * p[n] if n < 4 else 0.0) for n in range(6)])


@pytest.mark.parametrize("name, h", CASES, ids=[name for name, _ in CASES])
def test_state_round_trips_through_the_document(name, h):
    """Two steps, save, restore, two more: the same as four steps without the break."""
    import json
    straight, broken = tiny(), tiny()
    a, b = make(name, straight, **h), make(name, broken, **h)
    for _ in range(4):
        update_mini_batch(straight, BATCH, ETA, a)
    for _ in range(2):
        update_mini_batch(broken, BATCH, ETA, b)
    b = from_document(json.loads(json.dumps(b.to_document(broken))), broken, "m.json")
    for _ in range(2):
        update_mini_batch(broken, BATCH, ETA, b)
    assert straight.W == broken.W and straight.B == broken.B
    assert repr(a) == repr(b)


def test_a_convnets_state_is_written_as_grids_and_read_back_as_kernels():
    """The model file holds a kernel's state as it holds K, grids [c][c'][u][v]; the optimizer keeps K[c][i]."""
    import json
    from nnloop import architecture
    net = architecture.build(architecture.parse("conv3x2,dense4"), (2, 3, 3), 2, seed=5)
    adam = make("adam", net)
    g = Gradients(net)
    g.dW[1][2][5] = 0.25  # dK[1][2][1][0][1]: kernel 2, input channel 1, offset (0, 1)
    adam.step(net, g, 0.1, 1)
    document = json.loads(json.dumps(adam.to_document(net)))
    m = document["state"]["m"]["W"][1]
    assert len(m) == 3 and len(m[0]) == 2 and len(m[0][0]) == 2 and m[2][1][0][1] == pytest.approx(0.025)
    assert document["state"]["m"]["W"][2] == adam.state["m"]["W"][2]  # a dense layer's rows as they are
    again = from_document(document, net, "m.json")
    assert again.state == adam.state and again.state["m"]["W"][1][2][5] == pytest.approx(0.025)


@pytest.mark.parametrize("bad, fragment", [
    ({"name": "adamw"}, '"name" is one of'),
    ({"name": "momentum", "weight_decay": 0, "decay": "coupled", "t": 1, "state": {}}, "missing its 'mu'"),
    ({"name": "momentum", "mu": 1.5, "t": 1, "state": {}}, "mu must be in [0, 1)"),
    ({"name": "sgd", "t": -1, "state": {}}, '"t" must be a whole number'),
    ({"name": "momentum", "mu": 0.9, "t": 1, "state": {"v": {"W": [[]], "B": [[]]}}}, "not shaped like"),
])
def test_damaged_state_is_refused_in_one_line(bad, fragment):
    with pytest.raises(NnloopError) as e:
        from_document(bad, tiny(), "m.json")
    assert fragment in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("name, value", [("mu", -0.1), ("mu", 1.0), ("b1", 1.0), ("b2", float("nan")),
                                         ("eps", 0.0), ("rho", float("inf"))])
def test_bad_hyperparameters_are_refused(name, value):
    rule = {"mu": "momentum", "b1": "adam", "b2": "adam", "eps": "adam", "rho": "rmsprop"}[name]
    with pytest.raises(NnloopError, match="must be"):
        make(rule, tiny(), **{name: value})


def test_train_takes_an_optimizer_and_a_schedule():
    xor = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]
    net = Network([2, 4, 1], ["tanh", "sigmoid"], "mse", seed=3)
    losses = train(net, xor, epochs=300, batch_size=4, eta=0.05, seed=3, optimizer=Adam(net),
                   schedule=lambda e: 0.05 * 0.99 ** e)
    assert losses[-1] < 0.05 < losses[0]


def test_the_readme_example_runs_and_learns_xor():
    import os
    import re
    from conftest import ROOT
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = re.search(r"## Optimizers and regularization\n.*?```python\n(.*?)```", readme, re.S).group(1)
    names = {}
    exec(block, names)
    assert names["losses"][-1] < 0.05 < names["losses"][0]
    assert [round(names["net"].forward(x)[0]) for x, _ in names["xor"]] == [0, 1, 1, 0]
