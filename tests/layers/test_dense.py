"""Dense: A[j] = B[j] + sum_i W[j][i] H_prev[i], H = f(A); backward adds dB[j] += delta[j], dW[j][i] += H_prev[i]
delta[j] and fills back[i] = sum_j W[j][i] delta[j]. Its refusals are in tests/program/test_bad_input.py."""
import math
import random

import pytest
from hypothesis import given, strategies as st

from conftest import assert_matches_finite_difference
from nnloop.layers.activations import ACTIVATIONS
from nnloop.layers.dense import Dense, initial_weights
from nnloop.lists import zeros_like
from nnloop.rng import Random


def reference_forward(W, B, H_prev):
    return [B[j] + sum(W[j][i] * H_prev[i] for i in range(len(H_prev))) for j in range(len(W))]


@st.composite
def problems(draw):
    n_in, n = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    rnd = random.Random(draw(st.integers(0, 10 ** 6)))
    activation = draw(st.sampled_from(["relu", "sigmoid", "tanh", "identity"]))
    W = [[rnd.uniform(-2, 2) for _ in range(n_in)] for _ in range(n)]
    B = [rnd.uniform(-1, 1) for _ in range(n)]
    # some inputs exactly 0, as most MNIST pixels are: the nonzero shortcut must not change a number
    H_prev = [rnd.choice([0.0, rnd.uniform(-2, 2)]) for _ in range(n_in)]
    return Dense.with_parameters(W, B, activation), H_prev, [rnd.uniform(-1, 1) for _ in range(n)]


@given(problems())
def test_forward_is_the_sum_over_every_input(problem):
    layer, H_prev, _ = problem
    A, H, memory = [0.0] * layer.shape, [0.0] * layer.shape, layer.new_memory()
    layer.forward(H_prev, A, H, memory)
    assert all(math.isclose(a, r, rel_tol=1e-12, abs_tol=1e-12)
               for a, r in zip(A, reference_forward(layer.W, layer.B, H_prev)))
    expected = [0.0] * layer.shape
    layer.f.forward(A, expected)
    assert H == expected
    assert memory == [i for i, h in enumerate(H_prev) if h != 0.0]


@given(problems())
def test_backward_adds_dW_dB_and_fills_back(problem):
    layer, H_prev, delta = problem
    A, H, memory = [0.0] * layer.shape, [0.0] * layer.shape, layer.new_memory()
    layer.forward(H_prev, A, H, memory)
    dW, dB, back = zeros_like(layer.W), [1.0] * layer.shape, [7.0] * layer.in_shape
    layer.backward(H_prev, A, H, delta, dW, dB, back, memory)
    assert dB == [1.0 + d for d in delta]  # added to what was there
    assert dW == [[H_prev[i] * delta[j] if H_prev[i] != 0.0 and delta[j] != 0.0 else 0.0
                   for i in range(layer.in_shape)] for j in range(layer.shape)]
    for i in range(layer.in_shape):  # overwritten, not added to
        assert math.isclose(back[i], sum(layer.W[j][i] * delta[j] for j in range(layer.shape)), abs_tol=1e-12)


@given(problems())
def test_dW_and_back_equal_central_differences_of_a_linear_loss(problem):
    """With Loss = sum_j delta[j] A[j], dLoss/dA[j] is delta[j]: dW and back must be its derivatives."""
    layer, H_prev, delta = problem
    A, H, memory = [0.0] * layer.shape, [0.0] * layer.shape, []
    layer.forward(H_prev, A, H, memory)
    dW, dB, back = zeros_like(layer.W), [0.0] * layer.shape, [0.0] * layer.in_shape
    layer.backward(H_prev, A, H, delta, dW, dB, back, memory)

    def loss():
        A2 = [0.0] * layer.shape
        layer.forward(H_prev, A2, [0.0] * layer.shape, [])
        return sum(d * a for d, a in zip(delta, A2))

    for j in range(layer.shape):
        for i in range(layer.in_shape):
            assert_matches_finite_difference(f"W[{j}][{i}]", dW[j][i], loss, layer.W[j], i)
        assert_matches_finite_difference(f"B[{j}]", dB[j], loss, layer.B, j)
    for i in range(layer.in_shape):
        assert_matches_finite_difference(f"back[{i}]", back[i], loss, H_prev, i)


def test_back_none_means_the_input_layer_below_and_only_dW_dB_are_made():
    layer = Dense.with_parameters([[1.0, 2.0]], [0.0], "identity")
    A, H, memory = [0.0], [0.0], []
    layer.forward([3.0, 4.0], A, H, memory)
    dW, dB = [[0.0, 0.0]], [0.0]
    layer.backward([3.0, 4.0], A, H, [2.0], dW, dB, None, memory)
    assert (dW, dB) == ([[6.0, 8.0]], [2.0])


def test_with_parameters_copies_W_and_B_as_floats():
    W, B = [[1, 2], [3, 4]], [0, 1]
    layer = Dense.with_parameters(W, B, "tanh")
    W[0][0] = 99
    assert layer.W == [[1.0, 2.0], [3.0, 4.0]] and all(isinstance(w, float) for w in layer.W[0])
    assert (layer.in_shape, layer.shape, layer.activation, layer.f) == (2, 2, "tanh", ACTIVATIONS["tanh"])
    assert layer.B == [0.0, 1.0]


@pytest.mark.parametrize("activation, std", [("relu", math.sqrt(2 / 400)), ("tanh", math.sqrt(1 / 400))])
def test_initial_weights_are_he_for_relu_and_xavier_otherwise(activation, std):
    W = initial_weights(400, 50, activation, Random(0))
    values = [w for row in W for w in row]
    assert (len(W), len(W[0])) == (50, 400)
    mean = sum(values) / len(values)
    measured = math.sqrt(sum((w - mean) ** 2 for w in values) / len(values))
    assert abs(mean) < 0.1 * std and abs(measured / std - 1) < 0.03  # 20,000 draws: within 3%


def test_a_new_layer_draws_W_from_its_rng_and_starts_with_B_0():
    a, b = Dense(3, 2, "relu", Random(1)), Dense(3, 2, "relu", Random(1))
    assert a.W == b.W == initial_weights(3, 2, "relu", Random(1))
    assert a.B == [0.0, 0.0]
    assert a.W != Dense(3, 2, "relu", Random(2)).W


def test_the_layer_in_words_files_and_sizes():
    layer = Dense.with_parameters([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0.5, -0.5], "sigmoid")
    d = layer.description()
    assert d == {"type": "dense", "nodes": 2, "activation": "sigmoid"}
    assert Dense.word(d) == "dense2" and Dense.WORD.fullmatch("dense2").group("nodes") == "2"
    assert Dense.from_word({"nodes": 2}, "sigmoid") == d
    assert Dense.measure(d, 3) == (2, 2 * (3 + 1))  # W[j][i] and B[j]
    again = Dense.from_document(layer.to_document(), 3)
    assert (again.W, again.B, again.activation) == (layer.W, layer.B, layer.activation)
    # every W[j][i], then B[j], row by row: the order of gradcheck's report
    assert list(layer.parameter_indices()) == [(0, 0), (0, 1), (0, 2), (0, None), (1, 0), (1, 1), (1, 2), (1, None)]
    assert repr(layer) == "Dense 3 -> 2 (sigmoid): W[0] = [1, 2, 3]  B = [0.5, -0.5]"


def test_a_file_s_W_must_have_one_weight_per_node_below():
    from nnloop import NnloopError
    with pytest.raises(NnloopError, match=r"\"W\" must be a list of rows of 4 weights"):
        Dense.from_document({"type": "dense", "activation": "relu", "W": [[1.0, 2.0, 3.0]], "B": [0.0]}, 4)


@pytest.mark.parametrize("nodes", [1, 2, 3, 4, 5, 9, 13, 17])  # 0 to 8 live deltas: every remainder of four
def test_nodes_taken_four_and_two_at_a_time_add_every_sum_in_the_formula_s_order(nodes):
    """Bit for bit the plain loops: A[j] = B[j]; A[j] += W[j][i] * H_prev[i] over i; dW[j][i] += H_prev[i] *
    delta[j] and back[i] += W[j][i] * delta[j] over j in order, some inputs and deltas 0 as after relu."""
    rnd = random.Random(nodes)
    layer = Dense.with_parameters([[rnd.uniform(-1, 1) for i in range(7)] for j in range(nodes)],
                                  [rnd.uniform(-1, 1) for j in range(nodes)], "identity")
    H_prev = [rnd.choice([0.0, rnd.uniform(-1, 1)]) for i in range(7)]
    delta = [rnd.choice([0.0, rnd.uniform(-1, 1)]) for j in range(nodes)]
    A, H, memory = [0.0] * nodes, [0.0] * nodes, layer.new_memory()
    layer.forward(H_prev, A, H, memory)
    dW, dB, back = [[0.5] * 7 for j in range(nodes)], [0.0] * nodes, [0.0] * 7
    layer.backward(H_prev, A, H, delta, dW, dB, back, memory)
    ref_A, ref_dW, ref_back = [], [[0.5] * 7 for j in range(nodes)], [0.0] * 7
    for j in range(nodes):
        a = layer.B[j]
        for i in range(7):
            a += layer.W[j][i] * H_prev[i]
            ref_dW[j][i] += H_prev[i] * delta[j]
            ref_back[i] += layer.W[j][i] * delta[j]
        ref_A.append(a)
    assert (A, dW, back) == (ref_A, ref_dW, ref_back)
