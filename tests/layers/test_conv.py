"""Conv2D: worked examples by hand, an independent reference, finite differences, refusals.

The gradient checks follow tests/test_gradients.py: draws with a relu
pre-activation within KINK_MARGIN = 1e-3 of 0 are skipped (hypothesis.assume),
since relu has no derivative there; every other check must pass the rule of
gradcheck.GradientCheck.passes: relative error (relative above gradcheck.FLOOR,
absolute under it) below 1e-6 plus the finite difference's own noise, and
that noise must itself stay below 1e-5.

The layer's lists are flat: maps are one list, node (c, y, x) at
i = (c*rows + y)*cols + x, and kernel c is one list K[c][i],
i = (c'*size + u)*size + v. The references below are written as the
textbook writes them, nested X[c][y][x] and K[c][c'][u][v], and are compared
with the layer's lists read back the same way (maps3, layer.grids), so that
they share no index arithmetic with the code under test.

The loss of a lone layer is L = sum r[c][y][x] * H[c][y][x] with random r,
so dL/dH = r and delta = f'(A) * r (delta_from_back, the network's job).
Stacks conv -> (conv ->) pool -> flatten end in a dense layer written out
here, with the loss L = 1/2 sum_j (Y[j] - T[j])^2; max pooling's kink, two
window inputs with the same maximum, is skipped like relu's.
"""
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import assert_matches_finite_difference, delta_from_back, flat3, maps3, random3, zeros3
from nnloop import NnloopError
from nnloop.layers.activations import ACTIVATIONS
from nnloop.layers.conv import Conv2D, kernels
from nnloop.layers.flatten import Flatten
from nnloop.layers.pooling import AvgPool, MaxPool
from nnloop.layers.shapes import node_index
from nnloop.lists import zeros, zeros_like
from nnloop.rng import Random
from nnloop.tools.gradcheck import FLOOR

ELEMENTWISE = ["identity", "relu", "sigmoid", "tanh"]
KINK_MARGIN = 1e-3


def reference_conv(X, K, B, s, p):
    """A[c][y][x] the other way: pad X with zeros explicitly, then slide the kernel over the padded copy.

    X[c'][y'][x'] and K[c][c'][u][v] nested, as the textbook writes them; so is the result."""
    C_in, rows, cols = len(X), len(X[0]), len(X[0][0])
    size = len(K[0][0])
    padded = [[[0.0] * (cols + 2 * p) for _ in range(rows + 2 * p)] for _ in range(C_in)]
    for c2 in range(C_in):
        for y2 in range(rows):
            for x2 in range(cols):
                padded[c2][y2 + p][x2 + p] = X[c2][y2][x2]
    rows_out, cols_out = (rows + 2 * p - size) // s + 1, (cols + 2 * p - size) // s + 1
    return [[[B[c] + sum(K[c][c2][u][v] * padded[c2][s * y + u][s * x + v]
                         for c2 in range(C_in) for u in range(size) for v in range(size))
              for x in range(cols_out)] for y in range(rows_out)] for c in range(len(K))]


def reference_gradients(X, K, s, p, delta):
    """dK, dB and back by the backward formulas as written: back as a gather over every (c, y, x, u, v).

    X, K and delta nested, as the textbook writes them; so are dK[c][c'][u][v] and back[c'][y'][x']."""
    C_in, rows, cols = len(X), len(X[0]), len(X[0][0])
    size = len(K[0][0])

    def x_at(c2, y2, x2):
        return X[c2][y2][x2] if 0 <= y2 < rows and 0 <= x2 < cols else 0.0

    C, rows_out, cols_out = len(delta), len(delta[0]), len(delta[0][0])
    outputs = [(c, y, x) for c in range(C) for y in range(rows_out) for x in range(cols_out)]
    dB = [sum(delta[c][y][x] for y in range(rows_out) for x in range(cols_out)) for c in range(C)]
    dK = [[[[sum(x_at(c2, s * y + u - p, s * x + v - p) * delta[c][y][x] for _, y, x in outputs if _ == c)
             for v in range(size)] for u in range(size)] for c2 in range(C_in)] for c in range(C)]
    back = [[[sum(K[c][c2][u][v] * delta[c][y][x] for c, y, x in outputs for u in range(size) for v in range(size)
                  if s * y + u - p == y2 and s * x + v - p == x2)
              for x2 in range(cols)] for y2 in range(rows)] for c2 in range(C_in)]
    return dK, dB, back


def run(layer, X, memory=None):
    """(A, H) of forward over X; memory, if given, is left holding what backward needs of this X."""
    A, H = zeros(layer.shape), zeros(layer.shape)
    layer.forward(X, A, H, memory or layer.new_memory())
    return A, H


def backprop(layer, X, r):
    """(A, H, dK, dB, back) for the loss sum r * H: delta = f'(A) * r."""
    memory = layer.new_memory()
    A, H = run(layer, X, memory)
    delta = zeros(layer.shape)
    delta_from_back(layer.f, A, H, r, delta)
    dK, dB = (zeros_like(layer.W), zeros_like(layer.B))
    back = zeros3(layer.in_shape)
    layer.backward(X, A, H, delta, dK, dB, back, memory)
    return A, H, dK, dB, back


def weighted_sum(r, H):
    """sum r[c][y][x] * H[c][y][x] over every node, r and H one list each."""
    return math.fsum(r[i] * H[i] for i in range(len(H)))


def away_from_relu_kinks(layer, A):
    return layer.activation != "relu" or all(abs(a) >= KINK_MARGIN for a in A)


def some(rnd, items, n):
    """Up to n of items, drawn by rnd: a finite difference costs two forward passes, so not all are checked."""
    return items if len(items) <= n else rnd.sample(items, n)


@st.composite
def conv_problems(draw):
    """A random small conv layer (biases too), an input X and the loss weights r."""
    C_in, channels = draw(st.integers(1, 3)), draw(st.integers(1, 6))  # 4 to 6: forward's kernels four at a time
    rows, cols = draw(st.integers(3, 8)), draw(st.integers(3, 8))
    size, stride, padding = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
    activation = draw(st.sampled_from(ELEMENTWISE))
    seed = draw(st.integers(0, 2**32))
    layer = Conv2D((C_in, rows, cols), channels, size, stride, padding, activation, rng=Random(seed))
    rnd = random.Random(seed)
    layer.B = [rnd.uniform(-0.5, 0.5) for _ in range(channels)]
    X = random3(layer.in_shape, rnd)
    r = random3(layer.shape, rnd, -1.0, 1.0)
    return layer, X, r, rnd


# --- worked examples ---------------------------------------------------------------------------------

def test_the_tiny_worked_example_by_hand():
    """1x4x4 input, one 2x2 kernel, stride 1: a 3x3 output, each value a 4-term sum."""
    layer = Conv2D.with_parameters((1, 4, 4), K=[[[[1, 0], [-1, 2]]]], B=[0.5], activation="relu")
    X = [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 1], [1, 1, 0, 2]]]
    memory = layer.new_memory()
    A_list, H_list = run(layer, flat3(X), memory)
    A, H = maps3(A_list, layer.shape), maps3(H_list, layer.shape)
    assert layer.shape == (1, 3, 3) and len(A_list) == len(H_list) == 9
    # A[0][y][x] = 0.5 + 1*X[y][x] + 0*X[y][x+1] - 1*X[y+1][x] + 2*X[y+1][x+1]
    assert A[0][0] == [0.5 + 1 - 0 + 2 * 1, 0.5 + 2 - 1 + 2 * 3, 0.5 + 0 - 3 + 2 * 1]
    assert A[0][1] == [0.5 + 0 - 2 + 2 * 0, 0.5 + 1 - 0 + 2 * 1, 0.5 + 3 - 1 + 2 * 1]
    assert A[0][2] == [0.5 + 2 - 1 + 2 * 1, 0.5 + 0 - 1 + 2 * 0, 0.5 + 1 - 0 + 2 * 2]
    assert H[0] == [[3.5, 7.5, 0.0], [0.0, 3.5, 4.5], [3.5, 0.0, 5.5]]  # relu
    # Backward with delta = 1 everywhere: dB is 9; dK[u][v] is the sum of the inputs weight (u, v) touches.
    delta = [[[1.0] * 3 for _ in range(3)]]
    dK, dB = (zeros_like(layer.W), zeros_like(layer.B))
    back = zeros3((1, 4, 4))
    layer.backward(flat3(X), A_list, H_list, flat3(delta), dK, dB, back, memory)
    assert dB == [9.0]
    assert layer.grids(dK) == [[[[sum(X[0][y][x] for y in range(3) for x in range(3)),
                                  sum(X[0][y][x] for y in range(3) for x in range(1, 4))],
                                 [sum(X[0][y][x] for y in range(1, 4) for x in range(3)),
                                  sum(X[0][y][x] for y in range(1, 4) for x in range(1, 4))]]]]
    back = maps3(back, layer.in_shape)
    # An interior input sits under all four weights once: 1 + 0 - 1 + 2; a corner under one weight.
    assert back[0][1][1] == 2.0 and back[0][0][0] == 1.0 and back[0][0][3] == 0.0 and back[0][3][0] == -1.0
    assert back[0][3][3] == 2.0


def test_the_three_channel_example_padded_by_1_with_stride_2():
    """A 3x5x5 input padded by 1, two 3x3x3 kernels, stride 2: (5 + 2 - 3) // 2 + 1 = 3, so 2x3x3."""
    X = [[[c * 25 + y * 5 + x for x in range(5)] for y in range(5)] for c in range(3)]
    K0 = [[[1 if (u, v) == (1, 1) else 0 for v in range(3)] for u in range(3)] for _ in range(3)]  # the centres
    K1 = [[[c2 + 1] * 3 for _ in range(3)] for c2 in range(3)]  # channel c' weighted c' + 1 everywhere
    layer = Conv2D.with_parameters((3, 5, 5), K=[K0, K1], B=[1, -1], stride=2, padding=1, activation="identity")
    memory = layer.new_memory()
    A_list, H_list = run(layer, flat3(X), memory)
    A = maps3(A_list, layer.shape)
    assert layer.shape == (2, 3, 3) and len(A_list) == 2 * 3 * 3
    # Kernel 0 picks the centre of each window: input (2y, 2x) of each channel, summed over the channels.
    assert A[0][0][0] == 1 + 0 + 25 + 50
    assert A[0][1][2] == 1 + (2 * 5 + 4) + (25 + 2 * 5 + 4) + (50 + 2 * 5 + 4)
    # Kernel 1 at (0, 0): the window covers input rows -1..1 and columns -1..1, only rows 0, 1 and
    # columns 0, 1 of it are on the input; channel c' counts c' + 1 times.
    corner = [X[c2][0][0] + X[c2][0][1] + X[c2][1][0] + X[c2][1][1] for c2 in range(3)]
    assert A[1][0][0] == -1 + 1 * corner[0] + 2 * corner[1] + 3 * corner[2]
    # At (1, 1) the window (rows 1..3, columns 1..3) is wholly inside.
    inside = [sum(X[c2][y][x] for y in range(1, 4) for x in range(1, 4)) for c2 in range(3)]
    assert A[1][1][1] == -1 + 1 * inside[0] + 2 * inside[1] + 3 * inside[2]
    assert layer.grids(layer.K) == [K0, K1]  # kept as one list per kernel, read back as the grids given
    assert A == reference_conv(X, [K0, K1], layer.B, 2, 1)
    assert H_list == A_list  # identity


def test_trailing_rows_a_stride_does_not_reach_play_no_part():
    """(6 - 3) // 2 + 1 = 2: row and column 5 of a 6x6 input are in no window, so changing them changes nothing."""
    layer = Conv2D((1, 6, 6), channels=2, size=3, stride=2, activation="tanh", rng=Random(3))
    X = random3(layer.in_shape, random.Random(1))
    assert layer.shape == (2, 2, 2)
    before = run(layer, X)
    for i in range(6):
        X[node_index(layer.in_shape, 0, 5, i)] = X[node_index(layer.in_shape, 0, i, 5)] = 100.0
    assert run(layer, X) == before
    _, _, _, _, back = backprop(layer, X, random3(layer.shape, random.Random(2)))
    back = maps3(back, layer.in_shape)
    assert all(back[0][5][i] == 0.0 and back[0][i][5] == 0.0 for i in range(6))


def test_backward_adds_into_dK_and_dB_and_overwrites_back():
    layer = Conv2D((2, 4, 5), channels=2, size=2, padding=1, activation="sigmoid", rng=Random(4))
    rnd = random.Random(5)
    X, r = random3(layer.in_shape, rnd), random3(layer.shape, rnd)
    A, H, dK1, dB1, back1 = backprop(layer, X, r)
    memory = layer.new_memory()
    run(layer, X, memory)
    delta = zeros(layer.shape)
    delta_from_back(layer.f, A, H, r, delta)
    dK, dB = (zeros_like(layer.W), zeros_like(layer.B))
    back = [123.0] * (2 * 4 * 5)  # stale values from another sample
    for _ in range(3):
        layer.backward(X, A, H, delta, dK, dB, back, memory)
    assert back == back1
    assert dB == pytest.approx([3 * d for d in dB1], rel=1e-12)
    assert layer.grids(dK)[1][0][1] == pytest.approx([3 * d for d in layer.grids(dK1)[1][0][1]], rel=1e-12)
    # back None: the first layer; the parameters' gradients still come
    dK2, dB2 = (zeros_like(layer.W), zeros_like(layer.B))
    layer.backward(X, A, H, delta, dK2, dB2, None, memory)
    assert (dK2, dB2) == (dK1, dB1)


@pytest.mark.parametrize("C_in", [1, 3])  # 1: by pixel, 3: by patch
@pytest.mark.parametrize("channels", [1, 3, 4, 5, 8, 11])
@pytest.mark.parametrize("size", [2, 3])  # by pixel: weights two per pass, and an odd one out
def test_forward_adds_each_sum_in_the_order_of_the_formula_whatever_the_kernels_grouping(C_in, channels, size):
    """Kernels (and, by pixel, weights) summed several at a time give, bit for bit, the one loop a = B[c];
    a += K[c][c'][u][v] * x over (c', u, v) in order: the grouping reads each input once for several sums, it
    does not reorder any sum."""
    layer = Conv2D((C_in, 7, 6), channels, size, stride=2, padding=1, activation="identity", rng=Random(21))
    rnd = random.Random(22)
    layer.B = [rnd.uniform(-1, 1) for _ in range(channels)]
    X = [[[rnd.choice([0.0, rnd.uniform(-1, 1)]) for x in range(6)] for y in range(7)] for c2 in range(C_in)]
    A, _ = run(layer, flat3(X))
    A = maps3(A, layer.shape)
    K = layer.grids(layer.K)
    rows, cols = layer.in_shape[1:]
    for c in range(channels):
        for y in range(layer.shape[1]):
            for x in range(layer.shape[2]):
                a = layer.B[c]
                for c2 in range(C_in):
                    for u in range(size):
                        for v in range(size):
                            y2, x2 = 2 * y + u - 1, 2 * x + v - 1
                            a += K[c][c2][u][v] * (X[c2][y2][x2] if 0 <= y2 < rows and 0 <= x2 < cols else 0.0)
                assert A[c][y][x] == a


@pytest.mark.parametrize("channels", [1, 2, 3, 5, 8])
def test_backward_adds_each_sum_in_the_order_of_the_formula_whatever_the_kernels_grouping(channels):
    """Kernels taken two at a time give, bit for bit, the plain loops over (y, x), then c, then (c', u, v):
    dK[c][c'][u][v] += x * delta, back[c'][y'][x'] += K[c][c'][u][v] * delta, some deltas 0 as after relu."""
    layer = Conv2D((2, 6, 7), channels, 3, stride=1, padding=1, activation="identity", rng=Random(23))
    rnd = random.Random(24)
    X = random3(layer.in_shape, rnd)
    delta = [[[rnd.choice([0.0, rnd.uniform(-1, 1)]) for x in range(7)] for y in range(6)] for c in range(channels)]
    memory = layer.new_memory()
    A, H = run(layer, X, memory)
    dK, dB = zeros_like(layer.W), zeros_like(layer.B)
    back = zeros3(layer.in_shape)
    layer.backward(X, A, H, flat3(delta), dK, dB, back, memory)
    X, K = maps3(X, layer.in_shape), layer.grids(layer.K)  # read as the textbook writes them
    ref_dK, ref_back = layer.grids(zeros_like(layer.W)), maps3(zeros3(layer.in_shape), layer.in_shape)
    for y in range(6):
        for x in range(7):
            for c in range(channels):
                for c2 in range(2):
                    for u in range(3):
                        for v in range(3):
                            y2, x2 = y + u - 1, x + v - 1
                            if 0 <= y2 < 6 and 0 <= x2 < 7:
                                ref_dK[c][c2][u][v] += X[c2][y2][x2] * delta[c][y][x]
                                ref_back[c2][y2][x2] += K[c][c2][u][v] * delta[c][y][x]
    assert layer.grids(dK) == ref_dK
    assert maps3(back, layer.in_shape) == ref_back


@pytest.mark.parametrize("channels", [1, 3, 4, 5, 9])
@pytest.mark.parametrize("size", [2, 3])  # weights two per pass, and an odd one out
def test_a_first_layer_s_dK_adds_its_terms_in_the_order_y_x_whatever_the_kernels_grouping(channels, size):
    """A first layer over one channel (back None: dK by pixel, four kernels and two weights per pass) gives,
    bit for bit, dK[c][0][u][v] += x * delta[c][y][x] over (y, x) in order, from the sums dK held before; dB
    likewise."""
    layer = Conv2D((1, 7, 8), channels, size, stride=1, padding=1, rng=Random(25))
    rows, cols = layer.shape[1:]
    rnd = random.Random(26)
    X = [[[rnd.choice([0.0, 0.0, rnd.uniform(0, 1)]) for x in range(8)] for y in range(7)]]
    delta = [[[rnd.choice([0.0, rnd.uniform(-1, 1)]) for x in range(cols)] for y in range(rows)]
             for c in range(channels)]
    memory = layer.new_memory()
    A, H = run(layer, flat3(X), memory)
    start = [[[[rnd.uniform(-1, 1) for v in range(size)] for u in range(size)]] for c in range(channels)]
    dK, ref_dK = kernels(start), [[[row[:] for row in grid] for grid in kernel] for kernel in start]
    dB, ref_dB = [0.5] * channels, [0.5] * channels
    layer.backward(flat3(X), A, H, flat3(delta), dK, dB, None, memory)
    for c in range(channels):
        for u in range(size):
            for v in range(size):
                for y in range(rows):
                    for x in range(cols):
                        y2, x2 = y + u - 1, x + v - 1
                        if 0 <= y2 < 7 and 0 <= x2 < 8:
                            ref_dK[c][0][u][v] += X[0][y2][x2] * delta[c][y][x]
        total = 0.0
        for y in range(rows):
            for x in range(cols):
                total += delta[c][y][x]
        ref_dB[c] += total
    assert (layer.grids(dK), dB) == (ref_dK, ref_dB)


def test_a_zero_delta_is_skipped_yet_counts_as_zero():
    """Skipping delta == 0 (a relu node that was off) gives exactly what adding its zeros would."""
    layer = Conv2D((1, 5, 5), channels=1, size=3, padding=1, rng=Random(6))
    X = random3(layer.in_shape, random.Random(7))
    delta = random3(layer.shape, random.Random(8))
    for y in range(5):
        delta[node_index(layer.shape, 0, y, y)] = 0.0
    memory = layer.new_memory()
    A, H = run(layer, X, memory)
    dK, dB = (zeros_like(layer.W), zeros_like(layer.B))
    back = zeros3(layer.in_shape)
    layer.backward(X, A, H, delta, dK, dB, back, memory)
    ref_dK, ref_dB, ref_back = reference_gradients(maps3(X, layer.in_shape), layer.grids(layer.K), 1, 1,
                                                   maps3(delta, layer.shape))
    assert dB == pytest.approx(ref_dB, rel=1e-12)
    assert layer.grids(dK)[0][0] == [pytest.approx(row, rel=1e-12, abs=1e-12) for row in ref_dK[0][0]]
    assert maps3(back, layer.in_shape)[0] == [pytest.approx(row, rel=1e-12, abs=1e-12) for row in ref_back[0]]


def test_padding_wider_than_the_kernel_leaves_border_nodes_with_the_bias_alone():
    layer = Conv2D.with_parameters((1, 3, 3), K=[[[[2.0]]]], B=[0.25], padding=2, activation="identity")
    assert layer.shape == (1, 7, 7)
    A, _ = run(layer, flat3([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]))
    A = maps3(A, layer.shape)
    assert A[0][0] == [0.25] * 7 and A[0][1] == [0.25] * 7
    assert A[0][2] == [0.25, 0.25, 2.25, 4.25, 6.25, 0.25, 0.25]


# --- properties against an independent calculation and finite differences ------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conv_problems())
def test_forward_and_backward_equal_the_formulas_computed_another_way(problem):
    layer, X, r, _ = problem
    A, H, dK, dB, back = backprop(layer, X, r)
    X_maps, K = maps3(X, layer.in_shape), layer.grids(layer.K)  # the reference reads them as the textbook does
    ref = reference_conv(X_maps, K, layer.B, layer.stride, layer.padding)
    A_maps, H_maps = maps3(A, layer.shape), maps3(H, layer.shape)
    for c in range(layer.channels):
        for y in range(layer.shape[1]):
            assert A_maps[c][y] == pytest.approx(ref[c][y], rel=1e-12, abs=1e-12)
            H_row = [0.0] * len(A_maps[c][y])
            ACTIVATIONS[layer.activation].forward(A_maps[c][y], H_row)
            assert H_maps[c][y] == H_row
    delta = zeros(layer.shape)
    delta_from_back(layer.f, A, H, r, delta)
    ref_dK, ref_dB, ref_back = reference_gradients(X_maps, K, layer.stride, layer.padding,
                                                   maps3(delta, layer.shape))
    assert dB == pytest.approx(ref_dB, rel=1e-12, abs=1e-12)
    dK = layer.grids(dK)
    for c in range(layer.channels):
        for c2 in range(layer.in_shape[0]):
            for u in range(layer.size):
                assert dK[c][c2][u] == pytest.approx(ref_dK[c][c2][u], rel=1e-12, abs=1e-12)
    back = maps3(back, layer.in_shape)
    for c2 in range(layer.in_shape[0]):
        for y2 in range(layer.in_shape[1]):
            assert back[c2][y2] == pytest.approx(ref_back[c2][y2], rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conv_problems())
def test_backprop_equals_central_differences(problem):
    """Each weight K[c][c'][u][v] is K[c][i] of the lists, i = weight_index(c', u, v); each input X[c'][y'][x']
    is X[node_index(in_shape, c', y', x')]: the finite difference nudges that very number."""
    layer, X, r, rnd = problem
    A, H, dK, dB, back = backprop(layer, X, r)
    assume(away_from_relu_kinks(layer, A))

    def loss():
        return weighted_sum(r, run(layer, X)[1])

    C_in, rows, cols = layer.in_shape
    weights = [(c, c2, u, v) for c in range(layer.channels) for c2 in range(C_in)
               for u in range(layer.size) for v in range(layer.size)]
    for c, c2, u, v in some(rnd, weights, 8):
        i = layer.weight_index(c2, u, v)
        assert_matches_finite_difference(f"K[{c}][{c2}][{u}][{v}]", dK[c][i], loss, layer.K[c], i)
    for c in range(layer.channels):
        assert_matches_finite_difference(f"B[{c}]", dB[c], loss, layer.B, c)
    inputs = [(c2, y2, x2) for c2 in range(C_in) for y2 in range(rows) for x2 in range(cols)]
    for c2, y2, x2 in some(rnd, inputs, 8):
        i = node_index(layer.in_shape, c2, y2, x2)
        assert_matches_finite_difference(f"back[{c2}][{y2}][{x2}]", back[i], loss, X, i)


def test_a_broken_gradient_is_caught():
    """The check has teeth: a kernel gradient off by 1% fails it."""
    layer = Conv2D((2, 5, 5), channels=2, size=3, padding=1, activation="tanh", rng=Random(9))
    rnd = random.Random(10)
    X, r = random3(layer.in_shape, rnd), random3(layer.shape, rnd)
    _, _, dK, _, _ = backprop(layer, X, r)

    def loss():
        return weighted_sum(r, run(layer, X)[1])

    i = layer.weight_index(0, 2, 1)  # K[1][0][2][1]
    assert abs(dK[1][i]) > FLOOR
    assert_matches_finite_difference("K[1][0][2][1]", dK[1][i], loss, layer.K[1], i)
    with pytest.raises(AssertionError):
        assert_matches_finite_difference("K[1][0][2][1]", 1.01 * dK[1][i], loss, layer.K[1], i)


# --- structural cross-checks -----------------------------------------------------------------------------

def dense(W, B, x):
    """A[j] = B[j] + sum_i W[j][i] * x[i]: the dense layer's forward loop."""
    return [B[j] + sum(W[j][i] * x[i] for i in range(len(x))) for j in range(len(W))]


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_a_kernel_covering_the_whole_input_is_a_dense_layer(activation):
    """size = rows = cols, no padding: one node per kernel, W[j][i] = K[j][c'][u][v] with i = (c'*rows + u)*cols + v.

    That i is also where the layer keeps the weight in its list K[j]: such a kernel is a dense node's row W[j]."""
    C_in, n, channels = 2, 3, 4
    layer = Conv2D((C_in, n, n), channels, n, activation=activation, rng=Random(11))
    rnd = random.Random(12)
    layer.B = [rnd.uniform(-1, 1) for _ in range(channels)]
    X = random3(layer.in_shape, rnd)
    assert layer.shape == (channels, 1, 1)
    X_maps, K = maps3(X, layer.in_shape), layer.grids(layer.K)
    x = [X_maps[c2][u][v] for c2 in range(C_in) for u in range(n) for v in range(n)]
    W = [[K[j][i // (n * n)][i // n % n][i % n] for i in range(C_in * n * n)] for j in range(channels)]
    assert layer.K == W and X == x
    memory = layer.new_memory()
    A, H = run(layer, X, memory)
    A_maps = maps3(A, layer.shape)
    assert [A_maps[j][0][0] for j in range(channels)] == pytest.approx(dense(W, layer.B, x), rel=1e-12)
    # backward: dW[j][i] = x[i] * delta[j], back[i] = sum_j W[j][i] * delta[j]
    delta = [[[rnd.uniform(-1, 1)]] for _ in range(channels)]
    dK, dB = (zeros_like(layer.W), zeros_like(layer.B))
    back = zeros3(layer.in_shape)
    layer.backward(X, A, H, flat3(delta), dK, dB, back, memory)
    d = [delta[j][0][0] for j in range(channels)]
    assert dB == d
    dK, back = layer.grids(dK), maps3(back, layer.in_shape)
    for j in range(channels):
        for i in range(len(x)):
            assert dK[j][i // (n * n)][i // n % n][i % n] == pytest.approx(x[i] * d[j], rel=1e-12)
    for i in range(len(x)):
        assert back[i // (n * n)][i // n % n][i % n] == pytest.approx(
            sum(W[j][i] * d[j] for j in range(channels)), rel=1e-12)


def test_a_1x1_conv_is_a_dense_layer_applied_to_every_pixel():
    C_in, channels = 3, 2
    layer = Conv2D((C_in, 4, 3), channels, 1, activation="identity", rng=Random(13))
    layer.B = [0.5, -0.25]
    X = random3(layer.in_shape, random.Random(14))
    K = layer.grids(layer.K)
    W = [[K[c][c2][0][0] for c2 in range(C_in)] for c in range(channels)]
    A, _ = run(layer, X)
    assert layer.shape == (channels, 4, 3)
    X, A = maps3(X, layer.in_shape), maps3(A, layer.shape)
    for y in range(4):
        for x in range(3):
            pixel = [X[c2][y][x] for c2 in range(C_in)]
            assert [A[c][y][x] for c in range(channels)] == pytest.approx(dense(W, layer.B, pixel), rel=1e-12)


# --- construction, interface, refusals, repr ---------------------------------------------------------------

def test_initial_kernels_are_he_or_xavier_drawn_in_the_order_c_c_u_v():
    """Each kernel K[c] is one list of C_in*size*size weights, drawn in the order (c', u, v), which is also
    the order of its list: read as grids, K[c][c'][u][v] is the (c', u, v)-th draw of kernel c."""
    layer = Conv2D((2, 6, 6), channels=3, size=2, activation="relu", rng=Random(15))
    rng = Random(15)
    std = math.sqrt(2.0 / (2 * 2 * 2))
    assert layer.grids(layer.K) == [[[[std * rng.gauss() for v in range(2)] for u in range(2)] for c2 in range(2)]
                                    for c in range(3)]
    assert len(layer.K) == 3 and all(len(kernel) == 8 for kernel in layer.K)
    assert layer.B == [0.0, 0.0, 0.0] and layer.W is layer.K
    tanh_layer = Conv2D((2, 6, 6), channels=3, size=2, activation="tanh", rng=Random(15))
    i = layer.weight_index(1, 1, 0)  # K[2][1][1][0]
    assert tanh_layer.K[2][i] == pytest.approx(layer.K[2][i] / math.sqrt(2.0), rel=1e-15)
    zero = Conv2D.zeros((2, 6, 6), channels=3, size=2)  # only by name
    assert zero.K == [[0.0] * 8 for c in range(3)]
    assert zero.B == [0.0] * 3 and zero.shape == layer.shape


def test_attributes_and_buffers():
    layer = Conv2D([3, 7, 6], channels=4, size=3, stride=2, padding=1, activation="sigmoid", rng=Random(0))
    assert layer.kind == "conv" and layer.in_shape == (3, 7, 6) and layer.shape == (4, 4, 3)
    assert (layer.channels, layer.size, layer.stride, layer.padding, layer.fan_in) == (4, 3, 2, 1, 27)
    assert layer.activation == "sigmoid" and layer.f is ACTIVATIONS["sigmoid"]
    assert zeros(layer.shape) == [0.0] * (4 * 4 * 3)
    assert zeros(layer.shape) is not zeros(layer.shape) and layer.new_memory() is not layer.new_memory()
    dK, dB = (zeros_like(layer.W), zeros_like(layer.B))
    assert dK == [[0.0] * 27 for _ in range(4)] and dB == [0.0] * 4
    assert dK[0] is not dK[1]


def test_weight_index_and_weight_place_number_a_kernel_s_weights_in_the_order_c_u_v():
    """K[c][i] is the textbook's K[c][c'][u][v] with i = (c'*size + u)*size + v: counted one by one in the
    order (c', u, v), and back."""
    layer = Conv2D((3, 7, 6), channels=2, size=3, rng=Random(0))
    places = [(c2, u, v) for c2 in range(3) for u in range(3) for v in range(3)]
    assert [layer.weight_index(*place) for place in places] == list(range(27))
    assert [layer.weight_place(i) for i in range(27)] == places
    assert layer.grids(layer.K)[1][2][0][1] == layer.K[1][layer.weight_index(2, 0, 1)]


def test_with_parameters_copies_as_floats():
    K = [[[[1, 2], [3, 4]]]]
    layer = Conv2D.with_parameters((1, 3, 3), K, [0], activation="tanh")
    K[0][0][0][0] = 99
    assert layer.K == [[1.0, 2.0, 3.0, 4.0]] and isinstance(layer.K[0][0], float)
    assert layer.grids(layer.K) == [[[[1.0, 2.0], [3.0, 4.0]]]]
    assert layer.B == [0.0] and isinstance(layer.B[0], float)
    assert (layer.channels, layer.size, layer.shape) == (1, 2, (1, 2, 2))


def test_repr():
    assert repr(Conv2D((1, 4, 4), 2, 2, rng=Random(0))) == \
        "Conv2D 1x4x4 -> 2x3x3 (2 kernels 2x2, stride 1, padding 0, relu)"
    assert repr(Conv2D((3, 5, 5), 1, 3, 2, 1, "tanh", Random(0))) == \
        "Conv2D 3x5x5 -> 1x3x3 (1 kernel 3x3, stride 2, padding 1, tanh)"


@pytest.mark.parametrize("kwargs, fragments", [
    (dict(size=5, in_shape=(1, 3, 3)), ["conv kernel 5x5 does not fit a 3x3 input padded by 0",
                                        "use a kernel of at most 3 or pad by 1"]),
    (dict(size=6, in_shape=(1, 3, 4), padding=1), ["kernel 6x6 does not fit a 3x4 input padded by 1",
                                                   "at most 5 or pad by 2"]),
    (dict(in_shape=(1, 28)), ["in_shape", "(channels, rows, cols)"]),
    (dict(in_shape=784), ["in_shape", "(channels, rows, cols)"]),
    (dict(in_shape=(0, 5, 5)), ["in_shape", "positive whole numbers"]),
    (dict(in_shape=(1, 5.0, 5)), ["in_shape", "positive whole numbers"]),
    (dict(channels=0), ["conv channels", ">= 1", "got 0"]),
    (dict(channels=True), ["conv channels", "got True"]),
    (dict(channels=2.0), ["conv channels", "got 2.0"]),
    (dict(size=0), ["conv kernel size", ">= 1"]),
    (dict(size="3"), ["conv kernel size", "got '3'"]),
    (dict(stride=0), ["conv stride", ">= 1"]),
    (dict(stride=1.5), ["conv stride", "got 1.5"]),
    (dict(padding=-1), ["conv padding", ">= 0", "got -1"]),
    (dict(padding=None), ["conv padding", "got None"]),
    (dict(activation="softmax"), ["softmax is for the output layer only", "conv"]),
    (dict(activation="gelu"), ["unknown activation 'gelu'", "relu, sigmoid, tanh or identity"]),
    (dict(activation=None), ["unknown activation None"]),
    (dict(rng=42), ["rng must be an nnloop.rng.Random", "got 42"]),
    (dict(rng=None), ["rng must be an nnloop.rng.Random", "made by name: Conv2D.zeros"]),
])
def test_refusals(kwargs, fragments):
    args = dict(in_shape=(1, 5, 5), channels=2, size=3, rng=Random(1))
    args.update(kwargs)
    with pytest.raises(NnloopError) as e:
        Conv2D(**args)
    message = str(e.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("K, B, fragments", [
    ([], [0.0], ["K must be a non-empty list of kernels"]),
    ([[[]]], [0.0], ["K must be a non-empty list of kernels"]),
    ([[[[1.0, 2.0], [3.0, 4.0]]], [[[1.0, 2.0]]]], [0.0, 0.0], ["K[1][0] must be a 2x2 grid"]),
    ([[[[1.0, 2.0], [3.0]]]], [0.0], ["K[0][0] must be a 2x2 grid"]),
    ([[[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]]]], [0.0],
     ["K[0] must hold 1 grid, one per input channel", "1x3x3"]),
    ([[[[1.0, 2.0], [3.0, float("nan")]]]], [0.0], ["K[0][0][1] must hold finite numbers", "nan"]),
    ([[[[1.0, 2.0], [3.0, "4"]]]], [0.0], ["K[0][0][1] must hold finite numbers"]),
    ([[[[1.0, 2.0], [3.0, 4.0]]]], [0.0, 1.0], ["B must be a list of 1 biases, one per kernel"]),
    ([[[[1.0, 2.0], [3.0, 4.0]]]], [math.inf], ["B must hold finite numbers", "inf"]),
    ([[[[1.0] * 4] * 4]], [0.0], ["kernel 4x4 does not fit a 3x3 input padded by 0"]),
])
def test_with_parameters_refuses_shapes_that_do_not_fit(K, B, fragments):
    with pytest.raises(NnloopError) as e:
        Conv2D.with_parameters((1, 3, 3), K, B)
    message = str(e.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


# --- stacks: conv -> (conv ->) pool -> flatten -> dense -------------------------------------------------------

def test_the_tiny_worked_example_through_relu_max_pool_and_flatten():
    """1x4x4 -> conv 2x2, relu -> 1x3x3 -> max pool 2x2 stride 1 -> 1x2x2 -> flatten -> 4 nodes, by hand."""
    conv = Conv2D.with_parameters((1, 4, 4), K=[[[[1, 0], [-1, 2]]]], B=[0.5], activation="relu")
    pool = MaxPool(conv.shape, 2, stride=1)
    flat = Flatten(pool.shape)
    X = [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 1], [1, 1, 0, 2]]]
    layers = [conv, pool, flat]
    values = forward_stack(layers, flat3(X))
    # the relu output, as in the first test
    assert maps3(values[0][1], conv.shape) == [[[3.5, 7.5, 0.0], [0.0, 3.5, 4.5], [3.5, 0.0, 5.5]]]
    # the windows of the relu output: {3.5, 7.5, 0, 3.5}, {7.5, 0, 3.5, 4.5}, {0, 3.5, 3.5, 0}, {3.5, 4.5, 0, 5.5};
    # the third holds 3.5 twice, at (1, 1) and (2, 0): the first in row-major order, (1, 1), wins.
    # The memory names each maximum by its index in the conv output: 7.5 at (0, 1) twice, then (1, 1), (2, 2).
    assert values[1][2] == [node_index(conv.shape, 0, 0, 1), node_index(conv.shape, 0, 0, 1),
                            node_index(conv.shape, 0, 1, 1), node_index(conv.shape, 0, 2, 2)] == [1, 1, 4, 8]
    assert values[2][1] == [7.5, 7.5, 3.5, 5.5]
    # backward from delta = [1, 2, 3, 4] at the flat layer: conv node (0, 1) is the maximum of two windows
    # (1 + 2), (1, 1) of one (3), (2, 2) of one (4); all three are on, so relu passes them as they are.
    grads = backward_stack(layers, flat3(X), values, [1.0, 2.0, 3.0, 4.0])
    dK, dB, back = grads[0]
    assert dB == [10.0]
    # dK[u][v] = sum delta[y][x] X[y+u][x+v] = 3 X[u][1+v] + 3 X[1+u][1+v] + 4 X[2+u][2+v]
    assert conv.grids(dK) == [[[[3 * 2 + 3 * 1 + 4 * 1, 3 * 0 + 3 * 3 + 4 * 1],
                                [3 * 1 + 3 * 0 + 4 * 0, 3 * 3 + 3 * 1 + 4 * 2]]]]
    assert maps3(back, conv.in_shape)[0][0][1] == 3 * 1  # under weight (0, 0) of node (0, 1) only


def forward_stack(layers, X):
    """[(A, H, memory) of each layer], the first reading X, every value one list."""
    values, H_prev = [], X
    for layer in layers:
        A, H, memory = zeros(layer.shape), zeros(layer.shape), layer.new_memory()
        layer.forward(H_prev, A, H, memory)
        values.append((A, H, memory))
        H_prev = H
    return values


def backward_stack(layers, X, values, back_out):
    """[(dW, dB, back) of each layer] from back_out = dLoss/dH of the last layer, as the network will do it."""
    grads = [None] * len(layers)
    back = back_out
    for k in range(len(layers) - 1, -1, -1):
        layer = layers[k]
        A, H, memory = values[k]
        if isinstance(layer, Flatten):
            delta = back  # f is the identity: delta is back
        else:
            delta = zeros(layer.shape)
            delta_from_back(layer.f, A, H, back, delta)
        dW, dB = (zeros_like(layer.W), zeros_like(layer.B))
        back = zeros3(layer.in_shape)
        layer.backward(values[k - 1][1] if k else X, A, H, delta, dW, dB, back, memory)
        grads[k] = (dW, dB, back)
    return grads


@st.composite
def stacks(draw):
    """conv, sometimes a second conv, a max or average pool, flatten, and a dense layer (W, B) with a target T."""
    seed = draw(st.integers(0, 2**32))
    rng, rnd = Random(seed), random.Random(seed)
    shape = (draw(st.integers(1, 2)), draw(st.integers(4, 8)), draw(st.integers(4, 8)))
    layers = []
    for n in range(draw(st.integers(1, 2))):
        padding = draw(st.integers(0, 1))
        size = draw(st.integers(1, min(3, min(shape[1:]) + 2 * padding)))
        conv = Conv2D(shape, draw(st.integers(1, 3)), size, draw(st.integers(1, 2)), padding,
                      draw(st.sampled_from(ELEMENTWISE)), rng)
        conv.B = [rnd.uniform(-0.5, 0.5) for _ in conv.B]
        layers.append(conv)
        shape = conv.shape
    pool_class = draw(st.sampled_from([MaxPool, AvgPool]))
    layers.append(pool_class(shape, draw(st.integers(1, min(2, min(shape[1:])))), draw(st.sampled_from([None, 1, 2]))))
    layers.append(Flatten(layers[-1].shape))
    n_out = draw(st.integers(1, 3))
    W = [[rnd.gauss(0.0, 1.0 / math.sqrt(layers[-1].shape)) for _ in range(layers[-1].shape)] for _ in range(n_out)]
    B = [rnd.uniform(-0.5, 0.5) for _ in range(n_out)]
    T = [rnd.uniform(-1.0, 1.0) for _ in range(n_out)]
    return layers, W, B, T, random3(layers[0].in_shape, rnd), rnd


def stack_kinks(layers, values):
    """True if a relu pre-activation is within KINK_MARGIN of 0 or a max-pool window's top two are that close."""
    for k, layer in enumerate(layers):
        A = values[k][0]
        if layer.activation == "relu" and any(abs(a) < KINK_MARGIN for a in A):
            return True
        if isinstance(layer, MaxPool):
            H_prev, w, s = maps3(values[k - 1][1], layer.in_shape), layer.size, layer.stride
            C, rows_out, cols_out = layer.shape
            for c in range(C):
                for y in range(rows_out):
                    for x in range(cols_out):
                        window = sorted((H_prev[c][s * y + u][s * x + v] for u in range(w) for v in range(w)),
                                        reverse=True)
                        # relu's zeros tie harmlessly: those nodes are off, with no gradient, and stay off
                        if len(window) > 1 and window[0] - window[1] < KINK_MARGIN and \
                                not (window[0] == 0.0 and layers[k - 1].activation == "relu"):
                            return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks())
def test_a_stack_backpropagates_to_the_gradient_of_its_loss(problem):
    layers, W, B, T, X, rnd = problem

    def outputs():
        return dense(W, B, forward_stack(layers, X)[-1][1])

    def loss():
        return 0.5 * math.fsum((y - t) ** 2 for y, t in zip(outputs(), T))

    values = forward_stack(layers, X)
    assume(not stack_kinks(layers, values))
    g = [y - t for y, t in zip(dense(W, B, values[-1][1]), T)]  # dL/dY, the dense layer's identity delta
    back_flat = [sum(W[j][i] * g[j] for j in range(len(g))) for i in range(layers[-1].shape)]
    grads = backward_stack(layers, X, values, back_flat)
    for k, layer in enumerate(layers):
        if not isinstance(layer, Conv2D):
            assert grads[k][:2] == ([], [])
            continue
        dK, dB, _ = grads[k]
        weights = [(c, c2, u, v) for c in range(layer.channels) for c2 in range(layer.in_shape[0])
                   for u in range(layer.size) for v in range(layer.size)]
        for c, c2, u, v in some(rnd, weights, 6):
            i = layer.weight_index(c2, u, v)
            assert_matches_finite_difference(f"layer {k} K[{c}][{c2}][{u}][{v}]", dK[c][i], loss, layer.K[c], i)
        for c in range(layer.channels):
            assert_matches_finite_difference(f"layer {k} B[{c}]", dB[c], loss, layer.B, c)
    back = grads[0][2]
    C, rows, cols = layers[0].in_shape
    inputs = [(c2, y2, x2) for c2 in range(C) for y2 in range(rows) for x2 in range(cols)]
    for c2, y2, x2 in some(rnd, inputs, 6):
        i = node_index(layers[0].in_shape, c2, y2, x2)
        assert_matches_finite_difference(f"back[{c2}][{y2}][{x2}]", back[i], loss, X, i)
