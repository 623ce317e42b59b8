"""Lists of floats: the shapes every layer's values and parameters come in.

A layer's values are one list, H[j] for a dense layer, and for feature maps
too: H[i], i = (c*rows + y)*cols + x (nnloop.layers.shapes). Its parameters
are a list of rows and a list of biases: W[j][i] and B[j], or kernels K[c][j]
(kernel c as one list, j = (c'*size + u)*size + v) and B[c]. The functions
here walk either down to its rows, which is where every loop over numbers runs.

>>> K = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]          # two 2x2 kernels over one channel
>>> list(rows(K))
[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]
>>> zeros_like(K)
[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
>>> zeros((2, 1, 3))
[0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
"""


def rows(values):
    """The rows of values, in order: values itself if it holds numbers (B, H), else its lists (W[j], K[c])."""
    if values and isinstance(values[0], list):
        yield from values
    else:
        yield values


def zeros_like(values):
    """A list of 0.0 shaped like values: a list of numbers, or a list of rows."""
    if values and isinstance(values[0], list):
        return [[0.0] * len(row) for row in values]
    return [0.0] * len(values)


def zeros(shape):
    """A list of 0.0, one per node of a layer of this shape: an int n, or a tuple (C, rows, cols)."""
    return [0.0] * count(shape)


ZERO_ROWS = {}  # n -> [0.0] * n, made once for each length and never written: what clear copies from


def clear(values):
    """Set every number of values to 0.0 in place: the lists stay, so the garbage collector has no
    long-lived lists to move. Each row is overwritten by one copy in C (overwrite) from the row of zeros
    kept for its length: a Python loop takes twice as long, and a new row of zeros every time would be
    garbage (37 KB a training digit for the back of max pooling over 8x24x24 maps).

    >>> back = [0.5, -1.0, 2.0]
    >>> clear(back); back
    [0.0, 0.0, 0.0]
    """
    for row in rows(values):
        zero_row = ZERO_ROWS.get(len(row))
        if zero_row is None:
            zero_row = ZERO_ROWS[len(row)] = [0.0] * len(row)
        overwrite(row, zero_row)


def overwrite(values, new):
    """values[i] = new[i] for every i, in place: one copy in C, and values keeps its own array.

    It is written values[0:] = new, because PyPy runs values[:] = new by giving values a new array.
    values is long-lived, so the new array outlives its first garbage collection: the collector copies
    it, and frees it later. For conv8x5,maxpool2,dense100 that was seven arrays a training digit, 60 KB.
    Both run the same under CPython.

    >>> H, A = [0.0, 0.0], [1.5, -2.0]
    >>> overwrite(H, A); H
    [1.5, -2.0]
    """
    values[0:] = new


def find_nonzero(values, nonzero):
    """Fill the list nonzero with the indices i where values[i] != 0, overwriting what it held.

    The list is overwritten in place and cut to length, not emptied and appended to: under PyPy a list
    that grows from empty is copied into a larger array each time it grows by an eighth, which for the
    600 nonzero inputs of a dense layer of 1,152 left about 40 KB of garbage a call.

    >>> nonzero = [7, 7, 7, 7, 7]
    >>> find_nonzero([0.0, 1.5, 0.0, -2.0], nonzero); nonzero
    [1, 3]
    """
    n, held = 0, len(nonzero)  # n indices found so far; held, the length the list came with
    for i in range(len(values)):
        if values[i] != 0.0:
            if n < held:
                nonzero[n] = i
            else:
                nonzero.append(i)
            n += 1
    del nonzero[n:]


def count(shape):
    """How many numbers a value of this shape holds: n, or C * rows * cols."""
    if isinstance(shape, int):
        return shape
    total = 1
    for n in shape:
        total *= n
    return total


def first(values, n=4):
    """The first n numbers, 4 significant digits each, and how many more: '[0.5, -1.25, ... 782 more]'.

    A list of rows (W, or kernels K) shows its first row.

    >>> first([0.5, -1.25, 3.0, 4.0, 5.0, 6.0])
    '[0.5, -1.25, 3, 4, ... 2 more]'
    """
    while values and isinstance(values[0], list):
        values = values[0]
    shown = ", ".join(f"{v:.4g}" for v in values[:n])
    return f"[{shown}, ... {len(values) - n} more]" if len(values) > n else f"[{shown}]"
