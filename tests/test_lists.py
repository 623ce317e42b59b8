"""nnloop.lists: the lists every layer's values (H[j], and maps H[i] with i = (c*rows + y)*cols + x) and
parameters (W[j][i], kernels K[c][i]) come in, walked down to their rows."""
from hypothesis import given, strategies as st

from nnloop.lists import clear, count, find_nonzero, first, overwrite, rows, zeros, zeros_like

shapes = st.one_of(st.integers(0, 5), st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)))


def test_rows_of_kernels_K_c_are_the_kernels_themselves():
    K = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]  # K[c][i], two 2x2 kernels over one channel
    assert list(rows(K)) == [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]
    # a row is the list itself, not a copy: writing through rows writes K
    for row in rows(K):
        row[0] = 0.0
    assert K[1] == [0.0, 6.0, 7.0, 8.0]


def test_rows_of_a_flat_layer_is_the_layer_itself():
    H = [0.5, -1.0]
    assert list(rows(H)) == [H] and next(rows(H)) is H
    assert list(rows([])) == [[]]


@given(shapes)
def test_zeros_is_one_list_of_count_numbers_for_any_shape(shape):
    values = zeros(shape)
    assert values == [0.0] * count(shape)
    assert zeros((shape,) if isinstance(shape, int) else shape) == values


@given(st.lists(st.lists(st.floats(-3, 3), max_size=4), max_size=4), st.lists(st.floats(-3, 3), max_size=4))
def test_zeros_like_copies_the_shape_into_new_lists(W, B):
    W = [row for row in W if row]  # a list of rows, as W or K; rows of numbers
    for values in (W, B):
        like = zeros_like(values)
        assert [len(row) for row in rows(like)] == [len(row) for row in rows(values)]
        assert all(v == 0.0 for row in rows(like) for v in row)
        assert all(a is not b for a, b in zip(rows(like), rows(values)) if values)  # nothing shared with values


def test_clear_zeros_in_place_and_keeps_the_lists():
    dW = [[1.0, -2.0], [3.0, 4.0]]
    row0 = dW[0]
    clear(dW)
    assert dW == [[0.0, 0.0], [0.0, 0.0]] and dW[0] is row0
    dB = [3.0, 4.0]
    clear(dB)
    assert dB == [0.0, 0.0]


@given(st.lists(st.lists(st.floats(-3, 3), max_size=6), min_size=1, max_size=4))
def test_clear_shares_no_row_of_zeros(values):
    # clear copies from one row of zeros kept per length: what is written into a cleared row afterwards
    # must reach neither that row nor any other row cleared from it
    clear(values)
    assert all(v == 0.0 for row in values for v in row)
    for row in values:
        if row:
            row[0] = 5.0
    again = [[1.0] * len(row) for row in values]
    clear(again)
    assert all(v == 0.0 for row in again for v in row)
    assert all(row[0] == 5.0 for row in values if row)


def test_count_of_a_feature_map_shape_is_C_times_rows_times_cols():
    assert count(7) == 7
    assert count((8, 24, 24)) == 8 * 24 * 24


def test_first_shows_four_numbers_and_how_many_more():
    assert first([1.0, 2.0]) == "[1, 2]"
    assert first([0.123456, 2, 3, 4, 5], n=2) == "[0.1235, 2, ... 3 more]"
    # a list of rows, W or kernels K, shows its first row
    assert first([[9.0, 8.0], [7.0, 6.0]]) == "[9, 8]"
    assert first([]) == "[]"


@given(st.lists(st.sampled_from([0.0, -0.0, 1.5, -2.0, 1e-300]), max_size=40),
       st.lists(st.integers(-5, 50), max_size=40))
def test_find_nonzero_leaves_exactly_the_nonzero_indices_whatever_the_list_held(values, nonzero):
    kept = nonzero
    find_nonzero(values, nonzero)
    assert nonzero == [i for i, h in enumerate(values) if h != 0.0]  # -0.0 is 0 too
    assert nonzero is kept


def test_find_nonzero_grows_and_shrinks_the_same_list_sample_after_sample():
    nonzero = []
    for values in ([0.0, 2.0, 0.0], [1.0] * 6, [0.0] * 5, [0.0, 0.0, 3.0, 4.0]):
        find_nonzero(values, nonzero)
        assert nonzero == [i for i, h in enumerate(values) if h != 0.0]


def test_overwrite_copies_into_the_same_list():
    H, A = [0.0, 0.0, 0.0], [1.5, -2.0, 3.0]
    kept = H
    overwrite(H, A)
    assert H == A and H is kept and H is not A
    A[0] = 9.0
    assert H[0] == 1.5  # a copy: nothing shared
