"""Losses and the delta they send into the output layer."""
import math

import pytest
from hypothesis import given, strategies as st

from nnloop.layers.activations import ACTIVATIONS
from nnloop.losses import LOSSES, cross_entropy, mse


def test_mean_squared_error_is_the_mean_over_output_nodes():
    assert mse([1.0, 2.0], [0.0, 0.0]) == (1.0 + 4.0) / 2
    assert mse([33.0], [20.0]) == 169.0


def test_cross_entropy_of_a_one_hot_target_is_minus_log_of_its_probability():
    assert cross_entropy([0.1, 0.6, 0.3], [0.0, 1.0, 0.0]) == pytest.approx(-math.log(0.6), rel=1e-15)


def test_cross_entropy_of_probability_zero_is_large_and_finite():
    loss = cross_entropy([1.0, 0.0], [0.0, 1.0])
    assert math.isfinite(loss) and loss > 700


def test_mse_of_huge_values_is_infinite_not_an_exception():
    assert mse([1e200], [-1e200]) == math.inf


@given(A=st.lists(st.floats(-20, 20), min_size=2, max_size=6), data=st.data())
def test_softmax_cross_entropy_delta_is_exactly_Y_minus_T(A, data):
    target = data.draw(st.integers(0, len(A) - 1))
    T = [1.0 if i == target else 0.0 for i in range(len(A))]
    Y = [0.0] * len(A)
    ACTIVATIONS["softmax"].forward(A, Y)
    delta = [0.0] * len(A)
    LOSSES["cross_entropy"].delta(ACTIVATIONS["softmax"], A, Y, T, delta)
    assert delta == [Y[i] - T[i] for i in range(len(A))]


def dloss_dA_numerically(loss, f, A, T, j, eps=1e-6):
    def loss_at(a_j):
        A2 = list(A)
        A2[j] = a_j
        Y = [0.0] * len(A)
        f.forward(A2, Y)
        return LOSSES[loss].value(Y, T)
    return (loss_at(A[j] + eps) - loss_at(A[j] - eps)) / (2 * eps)


@pytest.mark.parametrize("loss, name", [("mse", "identity"), ("mse", "sigmoid"), ("mse", "tanh"), ("mse", "relu"),
                                        ("mse", "softmax"), ("cross_entropy", "softmax")])
@given(data=st.data())
def test_output_delta_is_dloss_dA(loss, name, data):
    n = data.draw(st.integers(2, 5))
    A = data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n))
    if name == "relu" and any(abs(a) < 1e-3 for a in A):
        return  # the kink: no derivative there
    if loss == "cross_entropy":
        hot = data.draw(st.integers(0, n - 1))
        T = [1.0 if i == hot else 0.0 for i in range(n)]
    else:
        T = data.draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n))
    f = ACTIVATIONS[name]
    Y = [0.0] * n
    f.forward(A, Y)
    delta = [0.0] * n
    LOSSES[loss].delta(f, A, Y, T, delta)
    for j in range(n):
        assert delta[j] == pytest.approx(dloss_dA_numerically(loss, f, A, T, j), rel=1e-6, abs=1e-9)
