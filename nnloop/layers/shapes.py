"""Shapes of the values a layer reads and writes, shared by every kind of layer.

Every layer's values are one list of nodes. A dense layer's shape is their
number; feature maps have the shape (C, rows, cols): C channels of rows x
cols nodes, and the node the textbook calls X[c][y][x] (channel c, row y,
column x) is X[i] with i = (c*rows + y)*cols + x, channel after channel,
each row by row, as a digit's pixels come in a file.

>>> node_index((2, 3, 4), 1, 2, 3), node_place((2, 3, 4), 23)
(23, (1, 2, 3))
"""
from ..errors import NnloopError, short


def shape_name(shape):
    """'3x5x5' for the feature-map shape (3, 5, 5); '75' for a flat layer of 75 nodes."""
    return str(shape) if isinstance(shape, int) else "x".join(map(str, shape))


def node_index(shape, c, y, x):
    """Where node X[c][y][x] of maps shaped (C, rows, cols) is in their one list: (c*rows + y)*cols + x."""
    return (c * shape[1] + y) * shape[2] + x


def node_place(shape, i):
    """node_index's way back: (c, y, x) of node i of maps shaped (C, rows, cols)."""
    c, t = divmod(i, shape[1] * shape[2])
    return (c,) + divmod(t, shape[2])


def node_name(shape, i):
    """The indices the notation gives node i of a layer of this shape: '[c][y][x]' of maps, '[i]' of a list.

    >>> node_name((2, 3, 4), 23), node_name(10, 7)
    ('[1][2][3]', '[7]')
    """
    if isinstance(shape, int):
        return f"[{i}]"
    return "[{}][{}][{}]".format(*node_place(shape, i))


def output_size(n, size, stride, padding=0):
    """The rows (or cols) of the output of windows of size, stride and padding over n input rows (or cols).

    >>> output_size(28, 5, 1), output_size(24, 2, 2), output_size(5, 3, 2, padding=1)
    (24, 12, 3)
    """
    return (n + 2 * padding - size) // stride + 1


def check_feature_shape(shape, what):
    """shape as a tuple (C, rows, cols) of positive whole numbers, or an NnloopError."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 3 or \
            any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in shape):
        raise NnloopError(f"{what} must be a feature-map shape (channels, rows, cols) of 3 positive whole numbers, "
                          f"like (1, 28, 28); got {short(shape)}")
    return tuple(shape)


def check_count(n, what, example):
    """Refuse n unless it is a whole number >= 1."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise NnloopError(f"{what} must be a whole number >= 1 ({example}); got {short(n)}")


def flattened(x, shape):
    """x as one flat list: feature maps x[c][y][col] are read row by row, i = (c*rows + y)*cols + col."""
    if isinstance(shape, int) or not (isinstance(x, list) and x and isinstance(x[0], list)):
        return x
    if len(x) != shape[0] or any(not isinstance(row, list) or len(row) != shape[1] for row in x) or \
            any(not isinstance(line, list) or len(line) != shape[2] for row in x for line in row):
        return None  # refused by numbers(), which says what x must hold
    return [value for channel in x for row in channel for value in row]
