"""The shapes every layer shares: names, window arithmetic, checks, and maps read row by row."""
import pytest
from hypothesis import assume, given, strategies as st

from nnloop.errors import NnloopError
from nnloop.layers.shapes import check_count, check_feature_shape, flattened, output_size, shape_name


def test_a_shape_is_named_as_the_picture_and_the_trace_write_it():
    assert shape_name((3, 5, 5)) == "3x5x5" and shape_name(75) == "75"


@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
def test_output_size_counts_the_window_positions(n, size, stride, padding):
    assume(size <= n + 2 * padding)  # a window that fits: the layers refuse the others
    # every top-left corner s*y - p of a window that ends inside the padded input
    corners = [start for start in range(-padding, n + padding - size + 1) if (start + padding) % stride == 0]
    assert output_size(n, size, stride, padding) == len(corners) >= 1


def test_feature_shapes_and_counts_are_checked_in_one_line():
    assert check_feature_shape([1, 28, 28], "x") == (1, 28, 28)
    for bad in ((1, 28), (0, 5, 5), (1, 5.0, 5), (True, 5, 5), "1x5x5"):
        with pytest.raises(NnloopError, match="x must be a feature-map shape"):
            check_feature_shape(bad, "x")
    check_count(3, "conv channels", "like 8")
    with pytest.raises(NnloopError, match=r"conv channels must be a whole number >= 1 \(like 8\); got 0"):
        check_count(0, "conv channels", "like 8")


def test_maps_are_read_row_by_row_and_a_flat_list_is_left_alone():
    maps = [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]
    assert flattened(maps, (2, 2, 2)) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]  # i = (c*rows + y)*cols + x
    assert flattened([1.0, 2.0], (1, 1, 2)) == [1.0, 2.0] and flattened([[1.0]], 4) == [[1.0]]
    assert flattened([[[1.0, 2.0]]], (1, 2, 2)) is None  # maps of the wrong shape: the caller says what it wants
