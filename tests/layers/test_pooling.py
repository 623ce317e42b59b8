"""MaxPool and AvgPool: worked examples, the tie rule, the memory, finite differences, refusals.

The layers' values are flat: maps are one list, node (c, y, x) at
i = (c*rows + y)*cols + x (nnloop.layers.shapes.node_index). The examples
and the reference are written as the textbook draws maps, X[c][y][x], and
compared with the layer's lists read back the same way (flat3, maps3). Max
pooling's memory names each window's maximum by its index j in H_prev.

The finite-difference checks follow tests/test_gradients.py (see test_conv.py):
max pooling has a kink wherever a window's two largest inputs are equal, so
draws with two within KINK_MARGIN = 1e-3 of each other are skipped, as relu's
kink is there.
"""
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import assert_matches_finite_difference, flat3, maps3, random3, zeros3
from nnloop import NnloopError
from nnloop.layers.activations import identity
from nnloop.layers.pooling import AvgPool, MaxPool
from nnloop.layers.shapes import node_index, node_place
from nnloop.lists import zeros, zeros_like

KINK_MARGIN = 1e-3


def run(layer, X):
    A, H, memory = zeros(layer.shape), zeros(layer.shape), layer.new_memory()
    layer.forward(X, A, H, memory)
    return A, H, memory


def send_back(layer, X, delta):
    """back for the given delta after a forward of X (pools and flatten have f = identity: delta is back)."""
    A, H, memory = run(layer, X)
    dW, dB = (zeros_like(layer.W), zeros_like(layer.B))
    back = zeros3(layer.in_shape)
    layer.backward(X, A, H, delta, dW, dB, back, memory)
    assert (dW, dB) == ([], [])
    return back


def windows(layer):
    """(c, y, x, [(y', x') of its window in row-major order]) for every output node of a pool."""
    C, rows_out, cols_out = layer.shape
    w, s = layer.size, layer.stride
    return [(c, y, x, [(s * y + u, s * x + v) for u in range(w) for v in range(w)])
            for c in range(C) for y in range(rows_out) for x in range(cols_out)]


def reference_pool(layer, X, kind):
    """H[c][y][x], nested, from the nested X[c][y'][x']: each window's max or mean, as the textbook writes it."""
    C, rows_out, cols_out = layer.shape
    H = [[[0.0] * cols_out for _ in range(rows_out)] for _ in range(C)]
    for c, y, x, cells in windows(layer):
        values = [X[c][y2][x2] for y2, x2 in cells]
        H[c][y][x] = max(values) if kind == "max" else sum(values) / len(values)
    return H


@st.composite
def pool_problems(draw, cls):
    C, rows, cols = draw(st.integers(1, 3)), draw(st.integers(3, 8)), draw(st.integers(3, 8))
    size = draw(st.integers(1, 3))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    layer = cls((C, rows, cols), size, stride)
    rnd = random.Random(draw(st.integers(0, 2**32)))
    return layer, random3(layer.in_shape, rnd), random3(layer.shape, rnd, -1.0, 1.0)


# --- max pooling -----------------------------------------------------------------------------------------

def test_max_pool_worked_example():
    X = [[[1.0, 3.0, 0.0, 2.0], [2.0, 0.0, 5.0, 4.0], [7.0, 1.0, 0.0, 1.0], [0.0, 6.0, 1.5, 0.0]],
         [[-1.0, -2.0, -3.0, -4.0], [-5.0, -6.0, -7.0, -8.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]
    pool = MaxPool((2, 4, 4), 2)
    A, H, memory = run(pool, flat3(X))
    assert maps3(H, pool.shape) == [[[3.0, 5.0], [7.0, 1.5]], [[-1.0, -3.0], [0.0, 0.0]]]
    assert A == H
    # memory[i] = j, the maximum's index in X: 3 at (0, 0, 1), 5 at (0, 1, 2), 7 at (0, 2, 0), 1.5 at (0, 3, 2);
    # -1, -3 top left of theirs, (1, 0, 0) and (1, 0, 2); the all-zero windows tie everywhere and keep the
    # first, (1, 2, 0) and (1, 2, 2).
    assert [node_place(pool.in_shape, j) for j in memory] == [(0, 0, 1), (0, 1, 2), (0, 2, 0), (0, 3, 2),
                                                              (1, 0, 0), (1, 0, 2), (1, 2, 0), (1, 2, 2)]
    assert memory == [1, 6, 8, 14, 16, 18, 24, 26]
    back = maps3(send_back(pool, flat3(X), flat3([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])),
                 pool.in_shape)
    assert back[0] == [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 4.0, 0.0]]
    assert back[1] == [[5.0, 0.0, 6.0, 0.0], [0.0, 0.0, 0.0, 0.0], [7.0, 0.0, 8.0, 0.0], [0.0, 0.0, 0.0, 0.0]]


def test_a_tie_sends_the_gradient_to_the_first_maximum_in_row_major_order():
    pool = MaxPool((1, 3, 3), 3)
    for X, first in [([[[0, 1, 0], [0, 0, 1], [1, 0, 0]]], (0, 1)),   # u before v: (0, 1) before (1, 2)
                     ([[[0, 0, 0], [0, 0, 2], [2, 0, 2]]], (1, 2)),   # (1, 2) before (2, 0)
                     ([[[4, 4, 4], [4, 4, 4], [4, 4, 4]]], (0, 0))]:
        _, _, memory = run(pool, flat3(X))
        assert memory == [node_index(pool.in_shape, 0, *first)]
        back = maps3(send_back(pool, flat3(X), [1.0]), pool.in_shape)
        assert [(y, x) for y in range(3) for x in range(3) if back[0][y][x]] == [first]
        assert back[0][first[0]][first[1]] == 1.0


def test_overlapping_windows_add_up_at_a_shared_maximum():
    pool = MaxPool((1, 3, 3), 2, stride=1)
    X = [[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 4.0, 0.0]]]
    _, H, memory = run(pool, flat3(X))
    # all four windows name the same input, the centre (0, 1, 1)
    assert H == [9.0, 9.0, 9.0, 9.0] and memory == [node_index(pool.in_shape, 0, 1, 1)] * 4
    back = send_back(pool, flat3(X), [1.0, 2.0, 4.0, 8.0])
    assert maps3(back, pool.in_shape) == [[[0.0, 0.0, 0.0], [0.0, 15.0, 0.0], [0.0, 0.0, 0.0]]]


def test_backward_uses_the_remembered_maxima_not_a_new_search():
    """backward after the forward of X sends to X's maxima, even given another input: it reads the memory."""
    pool = MaxPool((1, 2, 2), 2)
    X, other = flat3([[[1.0, 5.0], [2.0, 3.0]]]), flat3([[[9.0, 0.0], [0.0, 0.0]]])
    A, H, memory = run(pool, X)
    back = zeros3(pool.in_shape)
    pool.backward(other, A, H, [1.0], [], [], back, memory)
    assert maps3(back, pool.in_shape) == [[[0.0, 1.0], [0.0, 0.0]]]
    memory[0] = node_index(pool.in_shape, 0, 1, 0)  # and the memory is all it reads: point it at (1, 0)
    pool.backward(other, A, H, [1.0], [], [], back, memory)
    assert maps3(back, pool.in_shape) == [[[0.0, 0.0], [1.0, 0.0]]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_problems(MaxPool))
def test_max_pool_sends_each_delta_to_its_window_maximum_only(problem):
    """The maxima, the memory (the index in X of each window's first maximum) and back, against the
    textbook's nested maps."""
    pool, X, delta = problem
    _, H, memory = run(pool, X)
    X_maps, delta_maps = maps3(X, pool.in_shape), maps3(delta, pool.shape)
    assert maps3(H, pool.shape) == reference_pool(pool, X_maps, "max")
    expected = maps3(zeros3(pool.in_shape), pool.in_shape)
    for c, y, x, cells in windows(pool):
        values = [X_maps[c][y2][x2] for y2, x2 in cells]
        where = values.index(max(values))  # the first maximum
        y2, x2 = cells[where]
        assert memory[node_index(pool.shape, c, y, x)] == node_index(pool.in_shape, c, y2, x2)
        expected[c][y2][x2] += delta_maps[c][y][x]
    back = maps3(send_back(pool, X, delta), pool.in_shape)
    for c in range(pool.in_shape[0]):
        for y2 in range(pool.in_shape[1]):
            assert back[c][y2] == pytest.approx(expected[c][y2], rel=1e-15, abs=0.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_problems(MaxPool))
def test_max_pool_backprop_equals_central_differences(problem):
    pool, X, r = problem
    X_maps = maps3(X, pool.in_shape)
    for c, y, x, cells in windows(pool):
        values = sorted((X_maps[c][y2][x2] for y2, x2 in cells), reverse=True)
        assume(len(values) == 1 or values[0] - values[1] >= KINK_MARGIN)
    check_input_gradients(pool, X, r)


def check_input_gradients(layer, X, r):
    """back for the loss sum r * H against central differences in every input X[c][y'][x'], which is
    X[node_index(in_shape, c, y', x')] of the list: the finite difference nudges that very number."""
    back = send_back(layer, X, r)

    def loss():
        H = run(layer, X)[1]
        return math.fsum(r[i] * H[i] for i in range(len(H)))

    C, rows, cols = layer.in_shape
    for c in range(C):
        for y2 in range(rows):
            for x2 in range(cols):
                i = node_index(layer.in_shape, c, y2, x2)
                assert_matches_finite_difference(f"back[{c}][{y2}][{x2}]", back[i], loss, X, i)


# --- average pooling -------------------------------------------------------------------------------------

def test_avg_pool_worked_example():
    pool = AvgPool((1, 4, 4), 2)
    X = [[[1.0, 3.0, 0.0, 2.0], [2.0, 2.0, 5.0, 1.0], [7.0, 1.0, 0.0, 1.0], [0.0, 4.0, 1.0, 2.0]]]
    A, H, memory = run(pool, flat3(X))
    assert memory is None
    assert maps3(H, pool.shape) == [[[2.0, 2.0], [3.0, 1.0]]] and A == H
    back = send_back(pool, flat3(X), flat3([[[4.0, 8.0], [-4.0, 2.0]]]))
    assert maps3(back, pool.in_shape) == \
        [[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0], [-1.0, -1.0, 0.5, 0.5], [-1.0, -1.0, 0.5, 0.5]]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_problems(AvgPool))
def test_avg_pool_shares_each_delta_equally_over_its_window(problem):
    pool, X, delta = problem
    _, H, _ = run(pool, X)
    X_maps, H_maps, delta_maps = maps3(X, pool.in_shape), maps3(H, pool.shape), maps3(delta, pool.shape)
    for c in range(pool.shape[0]):
        for y in range(pool.shape[1]):
            assert H_maps[c][y] == pytest.approx(reference_pool(pool, X_maps, "avg")[c][y], rel=1e-12, abs=1e-15)
    expected = maps3(zeros3(pool.in_shape), pool.in_shape)
    for c, y, x, cells in windows(pool):
        for y2, x2 in cells:
            expected[c][y2][x2] += delta_maps[c][y][x] / len(cells)
    back = maps3(send_back(pool, X, delta), pool.in_shape)
    for c in range(pool.in_shape[0]):
        for y2 in range(pool.in_shape[1]):
            assert back[c][y2] == pytest.approx(expected[c][y2], rel=1e-12, abs=1e-15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool_problems(AvgPool))
def test_avg_pool_backprop_equals_central_differences(problem):
    pool, X, r = problem
    check_input_gradients(pool, X, r)


# --- both pools: shapes, interface, refusals, repr ----------------------------------------------------------

@pytest.mark.parametrize("cls", [MaxPool, AvgPool])
def test_pool_shapes_and_interface(cls):
    pool = cls([3, 7, 6], 2)
    assert pool.in_shape == (3, 7, 6) and pool.shape == (3, 3, 3) and (pool.size, pool.stride) == (2, 2)
    assert cls((3, 7, 6), 3, stride=1).shape == (3, 5, 4)
    assert cls((1, 7, 7), 3, stride=2).shape == (1, 3, 3)
    assert pool.kind == {MaxPool: "maxpool", AvgPool: "avgpool"}[cls]
    assert (pool.W, pool.B, pool.activation, pool.f) == ([], [], "identity", identity)
    assert (zeros_like(pool.W), zeros_like(pool.B)) == ([], [])
    assert zeros(pool.shape) == [0.0] * (3 * 3 * 3) and zeros(pool.shape) is not zeros(pool.shape)
    if cls is MaxPool:
        assert pool.new_memory() == [0] * (3 * 3 * 3)  # one index per output node
    else:
        assert pool.new_memory() is None
    X = random3(pool.in_shape, random.Random(1))
    A, H, memory = run(pool, X)
    pool.backward(X, A, H, zeros(pool.shape), [], [], None, memory)  # back None: the first layer, nothing to do


@pytest.mark.parametrize("cls", [MaxPool, AvgPool])
def test_pool_backward_overwrites_back(cls):
    pool = cls((1, 4, 4), 2)
    X = random3(pool.in_shape, random.Random(2))
    delta = random3(pool.shape, random.Random(3))
    A, H, memory = run(pool, X)
    back = [77.0] * 16  # stale values from another sample
    pool.backward(X, A, H, delta, [], [], back, memory)
    assert back == send_back(pool, X, delta)


def test_pool_repr():
    assert repr(MaxPool((8, 24, 24), 2)) == "MaxPool 8x24x24 -> 8x12x12 (window 2x2, stride 2)"
    assert repr(AvgPool((1, 5, 5), 3, stride=1)) == "AvgPool 1x5x5 -> 1x3x3 (window 3x3, stride 1)"


@pytest.mark.parametrize("cls", [MaxPool, AvgPool])
@pytest.mark.parametrize("args, fragments", [
    (((1, 3, 4), 4), ["window 4x4 does not fit a 3x4 input", "at most 3", "no padding"]),
    (((1, 5, 5), 0), ["window size", ">= 1", "got 0"]),
    (((1, 5, 5), 2.0), ["window size", "got 2.0"]),
    (((1, 5, 5), 2, 0), ["stride", ">= 1", "got 0"]),
    (((1, 5, 5), 2, True), ["stride", "got True"]),
    (((5, 5), 2), ["in_shape", "(channels, rows, cols)", "got (5, 5)"]),
    (((1, -5, 5), 2), ["in_shape", "positive whole numbers"]),
])
def test_pool_refusals(cls, args, fragments):
    with pytest.raises(NnloopError) as e:
        cls(*args)
    message = str(e.value)
    assert "\n" not in message and message.startswith(cls.kind)
    for fragment in fragments:
        assert fragment in message, message
