"""A convolution layer: small kernels slid over feature maps, in explicit loops.

A feature map is a nested list X[c][y][x]: channel c, row y, column x; its
shape is the tuple (C, rows, cols). Convolution layer k reads H[k-1], shaped
in_shape = (C_in, rows, cols), and writes A[k] and H[k], shaped (C_out,
rows_out, cols_out). Its parameters:

  K[c][c'][u][v]  kernel c's weight for input channel c' at offset (u, v),
                  u, v = 0..size-1: K has C_out kernels of C_in size-by-size grids
  B[c]            the bias of output channel c, shared by all its nodes

With stride s (the step between windows) and zero padding p (rings of
zeros around the input), node (c, y, x) sees the window whose top left
corner is input row s*y-p, column s*x-p. For one sample:

  forward   A[c][y][x] = B[c] + sum_{c',u,v} K[c][c'][u][v] * H[k-1][c'][s*y+u-p][s*x+v-p]
            H[c][y][x] = f(A[c][y][x])
  backward  delta[c][y][x] = dLoss/dA[c][y][x] is given (the network applies f')
            dB[c]           += sum_{y,x} delta[c][y][x]
            dK[c][c'][u][v] += sum_{y,x} H[k-1][c'][s*y+u-p][s*x+v-p] * delta[c][y][x]
            back[c'][y'][x'] = sum of K[c][c'][u][v] * delta[c][y][x] over every
                               (c, y, x, u, v) with s*y+u-p = y' and s*x+v-p = x'

A term whose input position falls in the padding is 0, so the loops simply
leave it out. back is dLoss/dH[k-1], what the layer sends back to layer k-1.
It is a convolution too: every node (c, y, x) hands its delta back through
its kernel to the inputs of its window, and an input in several windows
adds up what each sends.

The output has rows_out = (rows + 2p - size) // s + 1 rows, and cols_out
likewise. The division rounds down, as in every framework: when s does not
divide rows + 2p - size, the last few rows (and columns) of the padded input
are in no window and play no part. The kernel must fit the padded input.

The worked example: a 1x4x4 input, one 2x2 kernel, stride 1, no padding,
identity f. Output node (0, 0, 0) sees the top left window [[1, 2], [0, 1]]:
A = 0.5 + 1*1 + 2*0 + 0*(-1) + 1*2 = 3.5.

>>> conv = Conv2D.with_parameters((1, 4, 4), K=[[[[1, 0], [-1, 2]]]], B=[0.5], activation="identity")
>>> conv
Conv2D 1x4x4 -> 1x3x3 (1 kernel 2x2, stride 1, padding 0, identity)
>>> X = [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 1], [1, 1, 0, 2]]]
>>> from nnloop.lists import zeros, zeros_like
>>> A, H = zeros(conv.shape), zeros(conv.shape)
>>> conv.forward(X, A, H, conv.new_memory())
>>> A[0]
[[3.5, 7.5, -0.5], [-1.5, 3.5, 4.5], [3.5, -0.5, 5.5]]

Backward with delta 1 at node (0, 0, 0) only: dK is that node's window,
dB its delta, and back puts the kernel where the window was.

>>> delta = [[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]
>>> dK, dB = (zeros_like(conv.W), zeros_like(conv.B))
>>> back = [[[0.0] * 4 for y in range(4)]]
>>> conv.backward(X, A, H, delta, dK, dB, back, None)
>>> dK, dB
([[[[1.0, 2.0], [0.0, 1.0]]]], [1.0])
>>> back[0][:2]
[[1.0, 0.0, 0.0, 0.0], [-1.0, 2.0, 0.0, 0.0]]
"""
import math
import re

from ..errors import NnloopError, check_numbers, short
from ..sizes import check_nodes
from .activations import ACTIVATIONS


class Conv2D:
    """A 2-D convolution layer: C_out kernels over a (C_in, rows, cols) input.

    in_shape     (C_in, rows, cols), the shape of H[k-1]
    shape        (C_out, rows_out, cols_out), the shape of A[k] and H[k]
    channels     C_out, the number of kernels
    size         each kernel is size x size
    stride       s, the step between windows, >= 1
    padding      p, the rings of zeros around the input, >= 0
    activation   the name of f; f the nnloop.layers.activations Activation
    K[c][c'][u][v], B[c]   the parameters (see the module docstring)
    fan_in       C_in * size * size, the inputs of one node
    u_lo[y], u_hi[y]   the kernel rows u of output row y that fall on the
                 input, not the padding: u_lo[y] <= u < u_hi[y] (backward)
    v_lo[x], v_hi[x]   the same for the kernel columns v of output column x
    y_lo[u], y_hi[u]   the same the other way round (forward): the output
                 rows y whose kernel row u falls on the input, y_lo[u] <= y < y_hi[u]
    x_lo[v], x_hi[v]   and the output columns x of kernel column v

    Conv2D(in_shape, channels, size, ...) draws K at random (He or Xavier,
    as network.initial_weights) with zero biases; Conv2D.with_parameters
    takes K and B.

    >>> from nnloop.rng import Random
    >>> conv = Conv2D((3, 5, 5), channels=2, size=3, stride=2, padding=1, rng=Random(0))
    >>> conv
    Conv2D 3x5x5 -> 2x3x3 (2 kernels 3x3, stride 2, padding 1, relu)
    >>> conv.fan_in, len(conv.K), len(conv.K[0]), len(conv.K[0][0]), conv.B
    (27, 2, 3, 3, [0.0, 0.0])
    """

    kind = "conv"

    def __init__(self, in_shape, channels, size, stride=1, padding=0, activation="relu", rng=None):
        self.setup(in_shape, channels, size, stride, padding, activation)
        if rng is not None and not callable(getattr(rng, "gauss", None)):
            raise NnloopError(f"rng must be an nnloop.rng.Random, like Random(0), or None for all-zero kernels; "
                              f"got {short(rng)}")
        C_in = self.in_shape[0]
        if rng is None:
            self.K = [[[[0.0] * size for u in range(size)] for c2 in range(C_in)] for c in range(channels)]
        else:
            # He's sqrt(2 / fan_in) makes up for relu zeroing half its inputs; Xavier's sqrt(1 / fan_in)
            # suits the others
            std = math.sqrt((2.0 if activation == "relu" else 1.0) / self.fan_in)
            # drawn in the order c, c', u, v, so that a seed fixes every weight
            self.K = [[[[std * rng.gauss() for v in range(size)] for u in range(size)] for c2 in range(C_in)]
                      for c in range(channels)]
        self.B = [0.0] * channels

    @classmethod
    def with_parameters(cls, in_shape, K, B, stride=1, padding=0, activation="relu"):
        """A convolution layer with the given kernels K[c][c'][u][v] and biases B[c], copied as floats.

        channels and size follow from K's shape, which must fit in_shape:
        len(K) kernels, each of C_in square grids.
        """
        if not isinstance(K, list) or not K or not isinstance(K[0], list) or not K[0] \
                or not isinstance(K[0][0], list) or not K[0][0]:
            raise NnloopError(f"K must be a non-empty list of kernels K[c][c'][u][v], each a list of square grids, "
                              f"one per input channel; got {short(K)}")
        layer = cls.__new__(cls)
        layer.setup(in_shape, len(K), len(K[0][0]), stride, padding, activation)
        C_in, size = layer.in_shape[0], layer.size
        for c in range(len(K)):
            if not isinstance(K[c], list) or len(K[c]) != C_in:
                grids = "1 grid" if C_in == 1 else f"{C_in} grids"
                raise NnloopError(f"K[{c}] must hold {grids}, one per input channel of the {shape_name(in_shape)} "
                                  f"input; got {short(K[c])}")
            for c2 in range(C_in):
                grid = K[c][c2]
                if not isinstance(grid, list) or len(grid) != size or \
                        not all(isinstance(row, list) and len(row) == size for row in grid):
                    raise NnloopError(f"K[{c}][{c2}] must be a {size}x{size} grid, {size} rows of {size} weights, "
                                      f"like K[0][0]; got {short(grid)}")
                for u in range(size):
                    check_numbers(grid[u], f"K[{c}][{c2}][{u}]")
        if not isinstance(B, list) or len(B) != len(K):
            raise NnloopError(f"B must be a list of {len(K)} biases, one per kernel; got {short(B)}")
        check_numbers(B, "B")
        layer.K = [[[[float(w) for w in row] for row in grid] for grid in kernel] for kernel in K]
        layer.B = [float(b) for b in B]
        return layer

    def setup(self, in_shape, channels, size, stride, padding, activation):
        """Check the arguments and set everything but K and B."""
        in_shape = check_feature_shape(in_shape, "conv in_shape")
        check_count(channels, "conv channels", "the number of kernels, like 8")
        check_count(size, "conv kernel size", "like 3 for 3x3 kernels")
        check_count(stride, "conv stride", "1 for every position, 2 for every other")
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise NnloopError(f"conv padding must be a whole number >= 0 (0 for none, 1 for a ring of zeros); "
                              f"got {short(padding)}")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise NnloopError(f"unknown activation {short(activation)}: use relu, sigmoid, tanh or identity")
        if activation == "softmax":
            raise NnloopError("softmax is for the output layer only: use relu, sigmoid, tanh or identity in a conv "
                              "layer")
        C_in, rows, cols = in_shape
        n = min(rows, cols)
        if size > n + 2 * padding:
            raise NnloopError(f"conv kernel {size}x{size} does not fit a {rows}x{cols} input padded by {padding}: "
                              f"use a kernel of at most {n + 2 * padding} or pad by {(size - n + 1) // 2}")
        self.in_shape = in_shape
        self.channels, self.size, self.stride, self.padding = channels, size, stride, padding
        self.activation, self.f = activation, ACTIVATIONS[activation]
        self.fan_in = C_in * size * size
        rows_out, cols_out = output_size(rows, size, stride, padding), output_size(cols, size, stride, padding)
        check_nodes(channels * rows_out * cols_out, f"the {channels} {rows_out}x{cols_out} feature maps of a conv layer")
        self.shape = (channels, rows_out, cols_out)
        # The input row of kernel row u for output row y is s*y+u-p; it is on the input for 0 <= s*y+u-p < rows.
        self.u_lo = [max(0, padding - stride * y) for y in range(rows_out)]
        self.u_hi = [min(size, rows + padding - stride * y) for y in range(rows_out)]
        self.v_lo = [max(0, padding - stride * x) for x in range(cols_out)]
        self.v_hi = [min(size, cols + padding - stride * x) for x in range(cols_out)]
        # The same condition the other way round, for forward: kernel row u is on the input for the output rows
        # y_lo[u] <= y < y_hi[u] (-(a // s) is a / s rounded up); columns likewise.
        self.y_lo = [max(0, -((u - padding) // stride)) for u in range(size)]
        self.y_hi = [min(rows_out, (rows - 1 + padding - u) // stride + 1) for u in range(size)]
        self.x_lo = [max(0, -((v - padding) // stride)) for v in range(size)]
        self.x_hi = [min(cols_out, (cols - 1 + padding - v) // stride + 1) for v in range(size)]

    @property
    def W(self):
        """The layer's weights, as the network calls every layer's: the very list K."""
        return self.K

    def __repr__(self):
        """Conv2D 1x4x4 -> 2x3x3 (2 kernels 2x2, stride 1, padding 0, relu)"""
        kernels = "1 kernel" if self.channels == 1 else f"{self.channels} kernels"
        return (f"Conv2D {shape_name(self.in_shape)} -> {shape_name(self.shape)} ({kernels} {self.size}x{self.size}, "
                f"stride {self.stride}, padding {self.padding}, {self.activation})")

    def forward(self, H_prev, A, H, memory):
        """Fill A[c][y][x] and H[c][y][x] = f(A[c][y][x]) from H_prev[c'][y'][x'].

        A[c][y][x] = B[c] + sum_{c',u,v} K[c][c'][u][v] * H_prev[c'][s*y+u-p][s*x+v-p], summed weight by
        weight: A[c] starts as B[c]; then each weight w = K[c][c'][u][v] adds w * H_prev[c'][s*y+u-p][s*x+v-p]
        to every node (y, x) whose input under it is on the input, y_lo[u] <= y < y_hi[u] and
        x_lo[v] <= x < x_hi[v].

        H_prev is shaped in_shape, A and H shaped self.shape (from
        nnloop.lists.zeros); memory is unused (new_memory gives None).
        """
        K, B, s, p = self.K, self.B, self.stride, self.padding
        y_lo, y_hi, x_lo, x_hi = self.y_lo, self.y_hi, self.x_lo, self.x_hi
        size, C_in = self.size, len(H_prev)
        f_forward = self.f.forward
        for c in range(len(A)):
            K_c, A_c, H_c, b = K[c], A[c], H[c], B[c]
            for A_row in A_c:
                for x in range(len(A_row)):
                    A_row[x] = b
            # weight by weight, so that the innermost loop runs along a whole output row (x), not along the
            # size weights of one kernel row: long loops are what the PyPy JIT makes fast
            for c2 in range(C_in):
                K_cc, H_c2 = K_c[c2], H_prev[c2]
                for u in range(size):
                    K_ccu = K_cc[u]
                    for v in range(size):
                        w = K_ccu[v]
                        x0, x1, left = x_lo[v], x_hi[v], v - p  # input column of node x is s*x + left
                        for y in range(y_lo[u], y_hi[u]):  # only rows whose input row is on the input
                            A_row, H_row = A_c[y], H_c2[s * y + u - p]
                            if s == 1:  # the same sum; index x + left, one multiplication less per term
                                for x in range(x0, x1):
                                    A_row[x] += w * H_row[x + left]
                            else:
                                for x in range(x0, x1):
                                    A_row[x] += w * H_row[s * x + left]
            for y in range(len(A_c)):
                f_forward(A_c[y], H_c[y])  # f is elementwise: one row at a time

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Add dK into dW and dB from delta[c][y][x] = dLoss/dA; overwrite back with dLoss/dH_prev.

        delta is shaped self.shape, dW like K, dB like B, back like in_shape
        (or None: the first layer has nothing to send back to). f' is the
        network's to apply, not this layer's: delta is already dLoss/dA.

        Node by node, unlike forward: after relu and max pooling most deltas
        are exactly 0, and this order skips each of them whole (weight by
        weight, the loops would multiply every one of them).
        """
        s, p = self.stride, self.padding
        u_lo, u_hi, v_lo, v_hi = self.u_lo, self.u_hi, self.v_lo, self.v_hi
        C_in = len(H_prev)
        for c in range(len(delta)):
            delta_c, dK_c = delta[c], dW[c]
            total = 0.0
            for y in range(len(delta_c)):
                delta_cy = delta_c[y]
                top = s * y - p
                u0, u1 = u_lo[y], u_hi[y]
                for x in range(len(delta_cy)):
                    d = delta_cy[x]
                    total += d  # the bias is in every node of channel c: its gradient is their deltas' sum
                    if d == 0.0:  # a relu node that was off: no gradient on its weights
                        continue
                    left = s * x - p
                    v0, v1 = v_lo[x], v_hi[x]
                    for c2 in range(C_in):
                        dK_cc, H_c2 = dK_c[c2], H_prev[c2]
                        for u in range(u0, u1):
                            dK_ccu, H_row = dK_cc[u], H_c2[top + u]
                            for v in range(v0, v1):
                                dK_ccu[v] += H_row[left + v] * d
            dB[c] += total
        if back is None:
            return
        for back_c2 in back:
            for back_row in back_c2:
                for x2 in range(len(back_row)):
                    back_row[x2] = 0.0
        K = self.K
        # The sum over every (c, y, x, u, v) reaching (c', y', x'), done the other way round: each node
        # hands K[c][c'][u][v] * delta[c][y][x] to the input under weight (u, v) of its window.
        for c in range(len(delta)):
            delta_c, K_c = delta[c], K[c]
            for y in range(len(delta_c)):
                delta_cy = delta_c[y]
                top = s * y - p
                u0, u1 = u_lo[y], u_hi[y]
                for x in range(len(delta_cy)):
                    d = delta_cy[x]
                    if d == 0.0:  # sends nothing back
                        continue
                    left = s * x - p
                    v0, v1 = v_lo[x], v_hi[x]
                    for c2 in range(C_in):
                        K_cc, back_c2 = K_c[c2], back[c2]
                        for u in range(u0, u1):
                            K_ccu, back_row = K_cc[u], back_c2[top + u]
                            for v in range(v0, v1):
                                back_row[left + v] += K_ccu[v] * d


    def new_memory(self):
        """None: a convolution needs no per-sample scratch beyond A and H."""
        return None

    # The layer in words and in files (see nnloop.architecture): its --layers word, its section of a model
    # file, its size before it is made, and the names of its parameters.
    WORD = re.compile(r"conv(?P<kernels>[0-9]+)x(?P<size>[0-9]+)(?:s(?P<stride>[0-9]+))?(?:p(?P<padding>[0-9]+))?")
    KEYS = {"activation", "stride", "padding", "B", "K"}  # of its file section, besides "type"
    OPTIONAL = {"stride": 1, "padding": 0}  # keys a file may leave out, and their values then
    READS_MAPS = True

    @staticmethod
    def from_word(numbers, activation):
        return {"type": "conv", "kernels": numbers["kernels"], "size": numbers["size"],
                "stride": numbers["stride"] or 1, "padding": numbers["padding"] or 0, "activation": activation}

    @staticmethod
    def word(d):
        return (f"conv{d['kernels']}x{d['size']}" + (f"s{d['stride']}" if d["stride"] != 1 else "")
                + (f"p{d['padding']}" if d["padding"] else ""))

    def description(self):
        return {"type": "conv", "kernels": self.channels, "size": self.size, "stride": self.stride,
                "padding": self.padding, "activation": self.activation}

    @staticmethod
    def measure(d, in_shape):
        """(shape, weights) of the layer d describes, over maps of in_shape, by arithmetic alone."""
        C_in, rows, cols = in_shape
        size, stride, padding = d["size"], d["stride"], d["padding"]
        shape = (d["kernels"], output_size(rows, size, stride, padding), output_size(cols, size, stride, padding))
        return shape, d["kernels"] * (C_in * size * size + 1)

    @classmethod
    def new(cls, d, in_shape, rng):
        return cls(in_shape, d["kernels"], d["size"], d["stride"], d["padding"], d["activation"], rng)

    def to_document(self):
        return {"type": "conv", "activation": self.activation, "stride": self.stride, "padding": self.padding,
                "B": self.B, "K": self.K}

    @classmethod
    def from_document(cls, document, in_shape):
        return cls.with_parameters(in_shape, document["K"], document["B"], document["stride"],
                                   document["padding"], document["activation"])

    def parameter_indices(self):
        """(c, (c', u, v)) of every K[c][c'][u][v], each kernel followed by (c, None) for B[c]."""
        for c in range(self.channels):
            yield from ((c, (c2, u, v)) for c2 in range(self.in_shape[0]) for u in range(self.size)
                        for v in range(self.size))
            yield c, None



def output_size(n, size, stride, padding=0):
    """The rows (or cols) of the output of windows of size, stride and padding over n input rows (or cols).

    >>> output_size(28, 5, 1), output_size(24, 2, 2), output_size(5, 3, 2, padding=1)
    (24, 12, 3)
    """
    return (n + 2 * padding - size) // stride + 1


def shape_name(shape):
    """'3x5x5' for the feature-map shape (3, 5, 5); '75' for a flat layer of 75 nodes."""
    return str(shape) if isinstance(shape, int) else "x".join(map(str, shape))


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
