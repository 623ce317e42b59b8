"""Activations: values, derivatives against finite differences, numerical safety."""
import math

import pytest
from hypothesis import given, strategies as st

from nnloop.layers.activations import ACTIVATIONS, softmax, sigmoid_value

ELEMENTWISE = ["identity", "relu", "sigmoid", "tanh"]
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def f(name, a):
    H = [0.0]
    ACTIVATIONS[name].forward([a], H)
    return H[0]


@pytest.mark.parametrize("name, a, expected", [
    ("identity", -2.5, -2.5), ("relu", -2.5, 0.0), ("relu", 2.5, 2.5), ("relu", 0.0, 0.0),
    ("sigmoid", 0.0, 0.5), ("sigmoid", math.log(3.0), 0.75), ("tanh", math.atanh(0.5), 0.5),
])
def test_activation_values(name, a, expected):
    assert f(name, a) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(a=st.floats(min_value=-8.0, max_value=8.0))
def test_derivative_matches_central_difference(name, a):
    if name == "relu" and abs(a) < 1e-3:
        return  # the kink at 0: no derivative there to compare
    eps = 1e-6
    numerical = (f(name, a + eps) - f(name, a - eps)) / (2 * eps)
    assert ACTIVATIONS[name].derivative(a, f(name, a)) == pytest.approx(numerical, rel=1e-6, abs=1e-9)


def test_relu_derivative_is_zero_where_the_node_is_off_and_one_where_on():
    assert ACTIVATIONS["relu"].derivative(-3.0, 0.0) == 0.0
    assert ACTIVATIONS["relu"].derivative(0.0, 0.0) == 0.0
    assert ACTIVATIONS["relu"].derivative(3.0, 3.0) == 1.0


@given(a=finite)
def test_sigmoid_derivative_never_exceeds_one_quarter(a):
    h = f("sigmoid", a)
    assert 0.0 <= ACTIVATIONS["sigmoid"].derivative(a, h) <= 0.25


@pytest.mark.parametrize("a", [-1000.0, -745.5, 1000.0, 1e308, -1e308])
def test_sigmoid_never_overflows(a):
    assert 0.0 <= sigmoid_value(a) <= 1.0
    assert sigmoid_value(-a) == pytest.approx(1.0 - sigmoid_value(a), abs=1e-300)


@given(A=st.lists(finite, min_size=1, max_size=12))
def test_softmax_outputs_are_probabilities_that_sum_to_one(A):
    Y = [0.0] * len(A)
    softmax.forward(A, Y)
    assert all(0.0 <= y <= 1.0 for y in Y)
    assert sum(Y) == pytest.approx(1.0, abs=1e-12)
    assert Y[A.index(max(A))] == max(Y)  # the largest input gets the largest probability


@given(A=st.lists(st.floats(-50, 50), min_size=1, max_size=12), c=st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(A, c):
    Y, Y_shifted = [0.0] * len(A), [0.0] * len(A)
    softmax.forward(A, Y)
    softmax.forward([a + c for a in A], Y_shifted)
    assert Y_shifted == pytest.approx(Y, abs=1e-12)


def test_softmax_of_huge_inputs_does_not_overflow():
    Y = [0.0] * 3
    softmax.forward([1e308, 1e308, -1e308], Y)
    assert Y == [0.5, 0.5, 0.0]
