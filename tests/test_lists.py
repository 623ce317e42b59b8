"""nnloop.lists: the nested lists every layer's values (H[j], H[c][y][x]) and parameters (W[j][i], K[c][c'][u][v])
come in, walked down to their rows."""
from hypothesis import given, strategies as st

from nnloop.lists import clear, count, first, rows, zeros, zeros_like

shapes = st.one_of(st.integers(0, 5), st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)))


def test_rows_of_kernels_K_c_c2_u_v_come_in_index_order():
    K = [[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]]  # K[0][c'][u][v], two input channels
    assert list(rows(K)) == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]
    # a row is the list itself, not a copy: writing through rows writes K
    for row in rows(K):
        row[0] = 0.0
    assert K[0][1][1] == [0.0, 8.0]


def test_rows_of_a_flat_layer_is_the_layer_itself():
    H = [0.5, -1.0]
    assert list(rows(H)) == [H] and next(rows(H)) is H
    assert list(rows([])) == [[]]


@given(shapes)
def test_zeros_has_the_shape_and_count_numbers(shape):
    values = zeros(shape)
    numbers = [v for row in rows(values) for v in row]
    assert len(numbers) == count(shape) and set(numbers) <= {0.0}
    if isinstance(shape, tuple):
        assert (len(values), len(values[0]), len(values[0][0])) == shape
    assert zeros((shape,) if isinstance(shape, int) else shape) == values


@given(shapes)
def test_zeros_like_copies_the_shape_into_new_lists(shape):
    values = zeros(shape)
    for row in rows(values):
        row[:] = [1.5] * len(row)
    like = zeros_like(values)
    assert like == zeros(shape)
    if shape not in (0,):
        assert all(a is not b for a, b in zip(rows(like), rows(values)))  # nothing shared with values


def test_clear_zeros_in_place_and_keeps_the_lists():
    dW = [[1.0, -2.0], [3.0, 4.0]]
    row0 = dW[0]
    clear(dW)
    assert dW == [[0.0, 0.0], [0.0, 0.0]] and dW[0] is row0
    maps = [[[1.0, 2.0]], [[3.0, 4.0]]]
    clear(maps)
    assert maps == zeros((2, 1, 2))


def test_count_of_a_feature_map_shape_is_C_times_rows_times_cols():
    assert count(7) == 7
    assert count((8, 24, 24)) == 8 * 24 * 24


def test_first_shows_four_numbers_and_how_many_more():
    assert first([1.0, 2.0]) == "[1, 2]"
    assert first([0.123456, 2, 3, 4, 5], n=2) == "[0.1235, 2, ... 3 more]"
    # feature maps and kernels show their first row
    assert first([[[9.0, 8.0], [7.0, 6.0]]]) == "[9, 8]"
    assert first([]) == "[]"
