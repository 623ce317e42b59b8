"""Backprop equals central finite differences, for random networks (property tests).

Relu's kink at 0 has no derivative, and a finite difference that straddles it
measures a mix of both slopes. These tests handle it honestly by skipping
(hypothesis.assume) any draw where a relu pre-activation lies within 1e-3 of
0, a margin far wider than the eps = 1e-5 nudge can move it; every other draw
is checked, parameter by parameter.

Every check must pass by the rule `nnloop gradcheck` uses,
GradientCheck.passes: relative error (gradcheck.relative_error: relative for
gradients above gradcheck.FLOOR = 1e-3, absolute under it) below 1e-6 plus
the finite difference's own noise, which is far below 1e-6 on these small
losses.

Cross-entropy targets are one-hot, soft (label smoothing: a probability
vector) or any non-negative list that does not sum to 1, which the general
output delta Y[j] sum(T) - T[j] handles.
"""
import copy

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from nnloop import Network, NodeValues, check_gradients
from nnloop.tools.gradcheck import FLOOR, THRESHOLD, numerical_derivative, relative_error

HIDDEN = ["identity", "relu", "sigmoid", "tanh"]
OUTPUT = HIDDEN + ["softmax"]
KINK_MARGIN = 1e-3


@st.composite
def problems(draw, loss=None, soft=False):
    """A random network (1 to 3 hidden layers of 1 to 6 nodes) with 1 to 3 samples.

    soft: cross-entropy targets are never one-hot.
    """
    hidden = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    n_in = draw(st.integers(1, 6))
    loss = loss or draw(st.sampled_from(["mse", "cross_entropy"]))
    out = "softmax" if loss == "cross_entropy" else draw(st.sampled_from(OUTPUT))
    n_out = draw(st.integers(2 if out == "softmax" else 1, 6))
    activations = [draw(st.sampled_from(HIDDEN)) for _ in hidden] + [out]
    net = Network([n_in] + hidden + [n_out], activations, loss, seed=draw(st.integers(0, 2**32)))
    samples = []
    for _ in range(draw(st.integers(1, 3))):
        x = draw(st.lists(st.floats(-2.0, 2.0), min_size=n_in, max_size=n_in))
        if loss == "cross_entropy":
            T = draw(cross_entropy_targets(n_out, soft))
        else:
            T = draw(st.lists(st.floats(-1.0, 1.0), min_size=n_out, max_size=n_out))
        samples.append((x, T))
    return net, samples


def cross_entropy_targets(n, soft=False):
    """One-hot (unless soft), label-smoothed, soft (sums to 1) or unnormalised non-negative targets of length n."""
    one_hot = st.integers(0, n - 1).map(lambda hot: [1.0 if i == hot else 0.0 for i in range(n)])
    smoothed = st.tuples(st.integers(0, n - 1), st.floats(0.01, 0.3)).map(
        lambda p: [1.0 - p[1] + p[1] / n if i == p[0] else p[1] / n for i in range(n)])
    weights = st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).filter(lambda w: sum(w) > 0.1)
    normalised = weights.map(lambda w: [v / sum(w) for v in w])
    return st.one_of(smoothed, normalised, weights) if soft else st.one_of(one_hot, smoothed, normalised, weights)


def away_from_relu_kinks(net, samples):
    v = NodeValues(net.sizes)
    for x, _ in samples:
        net.forward(x, v)
        for k in range(1, net.L + 1):
            if net.activations[k] == "relu" and any(abs(a) < KINK_MARGIN for a in v.A[k]):
                return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backprop_equals_central_differences(problem):
    net, samples = problem
    assume(away_from_relu_kinks(net, samples))
    checks = check_gradients(net, samples)
    assert len(checks) == sum(net.sizes[k] * (net.sizes[k - 1] + 1) for k in range(1, net.L + 1))
    for c in checks:
        assert c.passes(THRESHOLD), f"{c.name}: backprop {c.backprop!r}, numerical {c.numerical!r}, noise {c.noise!r}"
        assert c.noise < 1e-5  # the verdict keeps its teeth on these losses: noise cannot hide a real error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems("cross_entropy", soft=True))
def test_soft_cross_entropy_targets_get_the_gradient_of_their_loss(problem):
    net, samples = problem
    assume(away_from_relu_kinks(net, samples))
    for c in check_gradients(net, samples):
        assert c.passes(THRESHOLD) and c.error < 1e-6, f"{c.name}: {c.backprop!r} vs {c.numerical!r}"


@settings(max_examples=50, deadline=None)
@given(problems())
def test_checking_leaves_the_network_exactly_as_it_was(problem):
    net, samples = problem
    W, B = copy.deepcopy(net.W), copy.deepcopy(net.B)
    check_gradients(net, samples)
    assert (net.W, net.B) == (W, B)


def test_a_target_that_does_not_sum_to_1_gets_the_general_delta():
    net = Network([2, 3], ["softmax"], "cross_entropy", seed=2)
    Y = net.forward([0.5, -1.0])
    g = net.gradients([([0.5, -1.0], [0.5, 0.2, 0.0])])
    assert g.dB[1] == [Y[0] * 0.7 - 0.5, Y[1] * 0.7 - 0.2, Y[2] * 0.7]


def test_a_broken_gradient_is_caught():
    """The check has teeth: double one weight's gradient and it shows."""
    net = Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=1)
    samples = [([0.5, -1.0, 2.0], [0.0, 1.0])]
    g = net.gradients(samples)
    numerical = numerical_derivative(net, samples, 1, 2, 0)
    assert relative_error(g.dW[1][2][0], numerical) < 1e-6
    assert abs(g.dW[1][2][0]) > FLOOR
    assert relative_error(2 * g.dW[1][2][0], numerical) > 0.4
