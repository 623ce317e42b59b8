"""Pooling layers: each channel shrunk window by window, by its maximum or its mean.

Pooling layer k reads H[k-1][c][y'][x'], shaped in_shape = (C, rows, cols),
and writes one value per window and channel: windows of size w x w, their
top left corners s apart (stride s, s = w by default: windows side by
side), no padding. Channels stay apart: channel c of the output pools
channel c of the input only. There are no parameters, and f is the
identity, so A and H hold the same values (both are filled).

  max pooling      H[c][y][x] = max over u, v < w of H[k-1][c][s*y+u][s*x+v]
                   back: delta[c][y][x] goes to the one input that was the
                   maximum, 0 to the others of the window
  average pooling  H[c][y][x] = (1 / w^2) sum over u, v < w of H[k-1][c][s*y+u][s*x+v]
                   back: each input of the window gets delta[c][y][x] / w^2

When windows overlap (s < w), an input in several windows gets what each
sends, added up. The output has (rows - w) // s + 1 rows, rounded down like
in every framework: rows a stride does not reach are in no window.

In the lists, as for every layer, maps are one list: H[k-1][c][y'][x'] is
H_prev[(c*rows + y')*cols + x'] and H[c][y][x] is H[(c*rows_out + y)*cols_out
+ x] (nnloop.layers.shapes). Output node i = c*n_out + t, t = y*cols_out + x,
has its window's top left corner at H_prev[c*n_in + corner[t]], corner[t] =
s*y*cols + s*x, and input (u, v) of the window offset[u*w + v] = u*cols + v
further on (n_in = rows*cols and n_out = rows_out*cols_out, a map's nodes).

Max pooling's tie rule: when several inputs of a window share the maximum,
the FIRST in row-major window order (u, then v) is the one that counts, and
only it gets the gradient. The forward pass remembers where each maximum
came from, in the per-sample memory from new_memory(): memory[i] is the
index j in H_prev of output node i's maximum. backward uses the memory, not
a second search, so it needs the forward of the same sample first.

>>> pool = MaxPool((1, 4, 4), size=2)
>>> pool
MaxPool 1x4x4 -> 1x2x2 (window 2x2, stride 2)
>>> X = [1, 3, 0, 2,
...      2, 0, 5, 5,
...      7, 1, 0, 1,
...      0, 7, 1, 0]
>>> from nnloop.lists import zeros
>>> A, H, memory = zeros(pool.shape), zeros(pool.shape), pool.new_memory()
>>> pool.forward(X, A, H, memory)
>>> H, memory
([3, 5, 7, 1], [1, 6, 8, 11])

The top right window holds 5 twice (X[6] and X[7]): the first, X[6], gets
the gradient. So does the first 7 of the bottom left window, X[8]:

>>> back = [0.0] * 16
>>> pool.backward(X, A, H, [1.0, 2.0, 3.0, 4.0], [], [], back, memory)
>>> back
[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 3.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0]
"""
import re

from ..errors import NnloopError
from ..lists import clear, overwrite
from .activations import identity
from .shapes import check_count, check_feature_shape, output_size, shape_name


class Pool:
    """What max and average pooling share: the shapes, the checks, the buffers.

    in_shape   (C, rows, cols), the shape of H[k-1]
    shape      (C, rows_out, cols_out), the shape of A[k] and H[k]
    size       w: the windows are w x w
    stride     s: the step between windows (w unless given)
    n_in, n_out  rows*cols and rows_out*cols_out, the nodes of one input and one output map
    corner[t]  where node t = y*cols_out + x's window has its top left corner in its input map: s*y*cols + s*x
    offset[i]  how far input (u, v), i = u*w + v, of a window is from its corner: u*cols + v
    W, B       [] and []: no parameters; dW and dB stay [] too
    """

    activation = "identity"
    f = identity

    def __init__(self, in_shape, size, stride=None):
        in_shape = check_feature_shape(in_shape, f"{self.kind} in_shape")
        check_count(size, f"{self.kind} window size", "like 2 for 2x2 windows")
        if stride is None:
            stride = size  # windows side by side, the usual pooling
        check_count(stride, f"{self.kind} stride", "or None for the window size")
        C, rows, cols = in_shape
        if size > min(rows, cols):
            raise NnloopError(f"{self.kind} window {size}x{size} does not fit a {rows}x{cols} input: use a window of "
                              f"at most {min(rows, cols)} (pooling has no padding)")
        self.in_shape, self.size, self.stride = in_shape, size, stride
        rows_out, cols_out = output_size(rows, size, stride), output_size(cols, size, stride)
        self.shape = (C, rows_out, cols_out)
        self.n_in, self.n_out = rows * cols, rows_out * cols_out
        self.corner = [stride * y * cols + stride * x for y in range(rows_out) for x in range(cols_out)]
        self.offset = [u * cols + v for u in range(size) for v in range(size)]
        self.W, self.B = [], []

    def __repr__(self):
        """MaxPool 1x4x4 -> 1x2x2 (window 2x2, stride 2)"""
        return (f"{type(self).__name__} {shape_name(self.in_shape)} -> {shape_name(self.shape)} "
                f"(window {self.size}x{self.size}, stride {self.stride})")

    # The layer in words and in files (see nnloop.architecture): its --layers word, its section of a model
    # file, its size before it is made. It has no parameters.
    WEIGHTS = None  # it has none
    KEYS = {"size", "stride"}  # of its file section, besides "type"
    OPTIONAL = {}  # keys a file may leave out, and their values then
    READS_MAPS = True
    RANDOM = False  # it draws no random numbers

    @classmethod
    def from_word(cls, numbers, activation):
        return {"type": cls.kind, "size": numbers["size"], "stride": numbers["stride"] or numbers["size"]}

    @classmethod
    def word(cls, d):
        return f"{cls.kind}{d['size']}" + (f"s{d['stride']}" if d["stride"] != d["size"] else "")

    def description(self):
        return {"type": self.kind, "size": self.size, "stride": self.stride}

    @staticmethod
    def measure(d, in_shape):
        C, rows, cols = in_shape
        return (C, output_size(rows, d["size"], d["stride"]), output_size(cols, d["size"], d["stride"])), 0

    @classmethod
    def new(cls, d, in_shape, rng):
        return cls(in_shape, d["size"], d["stride"])

    def to_document(self):
        return self.description()

    @classmethod
    def from_document(cls, document, in_shape):
        return cls(in_shape, document["size"], document["stride"])

    def parameter_indices(self):
        return iter(())




class MaxPool(Pool):
    """Max pooling: each window's maximum, which alone gets the gradient back.

    See the module docstring for the tie rule (the first maximum in
    row-major order wins) and the memory: memory[i] = j, where output node
    i's maximum is in H_prev.

    >>> MaxPool((8, 24, 24), size=2)
    MaxPool 8x24x24 -> 8x12x12 (window 2x2, stride 2)
    """

    kind = "maxpool"
    WORD = re.compile(r"(?:max)?pool(?P<size>[0-9]+)(?:s(?P<stride>[0-9]+))?")

    def new_memory(self):
        """Per-sample memory of where each maximum came from: memory[i] = j, its index in H_prev."""
        return [0] * (self.shape[0] * self.n_out)

    def forward(self, H_prev, A, H, memory):
        """Fill A and H with each window's maximum, and memory with where in H_prev it is.

        H[i] starts as the window's first input, H_prev[c*n_in + corner[t]]; then each offset (u, v), in
        row-major order, replaces it where the window's input there is greater.
        """
        n_in, n_out, corner = self.n_in, self.n_out, self.corner
        for c in range(self.shape[0]):
            start_in, start = c * n_in, c * n_out
            for t in range(n_out):
                j = start_in + corner[t]
                H[start + t] = H_prev[j]
                memory[start + t] = j
            # offset by offset, so that the innermost loop runs over a whole output map: faster than
            # the short loops over one window, under PyPy and CPython alike
            for i in range(1, len(self.offset)):  # by index: a slice offset[1:] would be a new list each time
                offset = self.offset[i]
                for t in range(n_out):
                    j = start_in + corner[t] + offset
                    h = H_prev[j]
                    if h > H[start + t]:  # strictly greater: a tie keeps the first maximum
                        H[start + t] = h
                        memory[start + t] = j
        overwrite(A, H)

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Overwrite back: delta[i] to the remembered maximum of each window, back[memory[i]], 0 elsewhere.

        memory is what forward filled for the same sample; dW and dB are
        [] and stay so. back None: nothing to do.
        """
        if back is None:
            return
        clear(back)
        for i in range(len(delta)):
            back[memory[i]] += delta[i]  # +=: overlapping windows can share a maximum


class AvgPool(Pool):
    """Average pooling: each window's mean; each of its inputs gets an equal share of the delta.

    >>> from nnloop.lists import zeros
    >>> pool = AvgPool((1, 3, 3), size=2, stride=1)
    >>> X = [1, 2, 3,
    ...      4, 5, 6,
    ...      7, 8, 9]
    >>> A, H = zeros(pool.shape), zeros(pool.shape)
    >>> pool.forward(X, A, H, None)
    >>> H
    [3.0, 4.0, 6.0, 7.0]

    Windows overlap at stride 1: the centre is in all four and gets a
    quarter of each delta.

    >>> back = [0.0] * 9
    >>> pool.backward(X, A, H, [4.0, 4.0, 4.0, 4.0], [], [], back, None)
    >>> back
    [1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]
    """

    kind = "avgpool"
    WORD = re.compile(r"avgpool(?P<size>[0-9]+)(?:s(?P<stride>[0-9]+))?")

    def new_memory(self):
        """None: the mean's gradient needs nothing remembered."""
        return None

    def forward(self, H_prev, A, H, memory):
        """Fill A and H with each window's mean: H[i] = (1 / w^2) sum_{u,v} H_prev[c*n_in + corner[t] + offset[u*w + v]]."""
        n_in, n_out, corner, offset = self.n_in, self.n_out, self.corner, self.offset
        n = len(offset)
        for c in range(self.shape[0]):
            for t in range(n_out):
                start = c * n_in + corner[t]
                total = 0.0
                for i in range(n):  # the window's inputs in row-major order
                    total += H_prev[start + offset[i]]
                A[c * n_out + t] = total / n
                H[c * n_out + t] = total / n

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Overwrite back: each input gets delta[i] / size^2 from every window it is in."""
        if back is None:
            return
        n_in, n_out, corner, offset = self.n_in, self.n_out, self.corner, self.offset
        n = len(offset)
        clear(back)
        for c in range(self.shape[0]):
            for t in range(n_out):
                share = delta[c * n_out + t] / n
                start = c * n_in + corner[t]
                for i in range(n):
                    back[start + offset[i]] += share
