"""A convolution layer: small kernels slid over feature maps, in explicit loops.

Convolution layer k reads H[k-1], feature maps shaped in_shape = (C_in,
rows, cols), and writes A[k] and H[k], shaped (C_out, rows_out, cols_out).
The textbook names node (c, y, x) of a map, channel c, row y, column x,
H[c][y][x]; its parameters:

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

In the lists, as for every layer, the maps are one list and a kernel is one
list, so that each sum above is one long loop:

  A[i], H[i], delta[i], back[i]   i = (c*rows + y)*cols + x (nnloop.layers.shapes.node_index)
  K[c][i], dK[c][i]               i = (c'*size + u)*size + v (Conv2D.weight_index): kernel c's
                                  weights in the order of its window's inputs, as W[j][i] of a dense node

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
>>> conv.K                                  # K[0][i], i = u*2 + v
[[1.0, 0.0, -1.0, 2.0]]
>>> X = [1, 2, 0, 1,
...      0, 1, 3, 1,
...      2, 0, 1, 1,
...      1, 1, 0, 2]
>>> from nnloop.lists import zeros, zeros_like
>>> A, H = zeros(conv.shape), zeros(conv.shape)
>>> memory = conv.new_memory()
>>> conv.forward(X, A, H, memory)
>>> A                                       # A[i], i = y*3 + x
[3.5, 7.5, -0.5, -1.5, 3.5, 4.5, 3.5, -0.5, 5.5]

Backward with delta 1 at node (0, 0, 0) only: dK is that node's window,
dB its delta, and back puts the kernel where the window was.

>>> delta = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
>>> dK, dB = (zeros_like(conv.K), zeros_like(conv.B))
>>> back = [0.0] * 16
>>> conv.backward(X, A, H, delta, dK, dB, back, memory)
>>> dK, dB
([[1.0, 2.0, 0.0, 1.0]], [1.0])
>>> back[:8]
[1.0, 0.0, 0.0, 0.0, -1.0, 2.0, 0.0, 0.0]
>>> conv.grids(dK)                          # dK[c][c'][u][v], as a model file writes kernels
[[[[1.0, 2.0], [0.0, 1.0]]]]
"""
import math
import re

from ..errors import NnloopError, check_numbers, short
from ..lists import clear, find_nonzero, overwrite
from ..rng import check_rng
from ..sizes import check_nodes
from .activations import ACTIVATIONS
from .shapes import check_count, check_feature_shape, output_size, shape_name


class Conv2D:
    """A 2-D convolution layer: C_out kernels over a (C_in, rows, cols) input.

    in_shape     (C_in, rows, cols), the shape of H[k-1]
    shape        (C_out, rows_out, cols_out), the shape of A[k] and H[k]
    channels     C_out, the number of kernels
    size         each kernel is size x size
    stride       s, the step between windows, >= 1
    padding      p, the rings of zeros around the input, >= 0
    activation   the name of f; f the nnloop.layers.activations Activation
    K[c][i], B[c]  the parameters: kernel c as one list, K[c][i] = K[c][c'][u][v]
                 with i = (c'*size + u)*size + v (see the module docstring)
    fan_in       C_in * size * size, the inputs of one node, len(K[c])
    n_out        rows_out * cols_out, the nodes of one output map
    offset[i]    where input i = (c'*size + u)*size + v of a node's window
                 lies in P, the padded input as one list, from the window's
                 top left corner
    corner[t]    where node t = y*cols_out + x's window has its top left
                 corner in P: s*y*cols_P + s*x (cols_P = cols + 2p)
    wide[t], shift[i]  corner[t] + offset[-1] and offset[-1] - offset[i]:
                 the loops by pixel (one input channel) add P[j] under
                 weight i into node wide[t] = j + shift[i] of a list as P
    row_starts   (where input row (c', y') starts in H_prev, where in P), row by row

    Conv2D(in_shape, channels, size, ..., rng) draws K at random (He or
    Xavier, as nnloop.layers.dense.initial_weights) with zero biases;
    Conv2D.with_parameters takes K, as grids K[c][c'][u][v], and B;
    Conv2D.zeros makes them 0.

    >>> from nnloop.rng import Random
    >>> conv = Conv2D((3, 5, 5), channels=2, size=3, stride=2, padding=1, rng=Random(0))
    >>> conv
    Conv2D 3x5x5 -> 2x3x3 (2 kernels 3x3, stride 2, padding 1, relu)
    >>> conv.fan_in, len(conv.K), len(conv.K[0]), conv.B
    (27, 2, 27, [0.0, 0.0])
    >>> conv.weight_index(2, 1, 0), conv.weight_place(21)      # K[c][21] is K[c][2][1][0]
    (21, (2, 1, 0))
    """

    kind = "conv"

    def __init__(self, in_shape, channels, size, stride=1, padding=0, activation="relu", rng=None):
        self.setup(in_shape, channels, size, stride, padding, activation)
        check_rng(rng, "Conv2D.zeros(in_shape, channels, size, ...)")
        # He's sqrt(2 / fan_in) makes up for relu zeroing half its inputs; Xavier's sqrt(1 / fan_in) suits the others
        std = math.sqrt((2.0 if activation == "relu" else 1.0) / self.fan_in)
        # drawn in the order c, then i = (c'*size + u)*size + v, so that a seed fixes every weight
        self.K = [[std * rng.gauss() for i in range(self.fan_in)] for c in range(channels)]
        self.B = [0.0] * channels

    @classmethod
    def zeros(cls, in_shape, channels, size, stride=1, padding=0, activation="relu"):
        """A convolution layer whose kernels and biases are all 0: asked for by name, since every node of such
        a layer computes, and so learns, the same thing."""
        layer = cls.__new__(cls)
        layer.setup(in_shape, channels, size, stride, padding, activation)
        layer.K = [[0.0] * layer.fan_in for c in range(channels)]
        layer.B = [0.0] * channels
        return layer

    @classmethod
    def with_parameters(cls, in_shape, K, B, stride=1, padding=0, activation="relu"):
        """A convolution layer with the given kernels K[c][c'][u][v] and biases B[c], copied as floats.

        K comes as grids, as one draws a kernel and as a model file holds it; the layer keeps each kernel
        as one list, K[c][i] with i = (c'*size + u)*size + v. channels and size follow from K's shape,
        which must fit in_shape: len(K) kernels, each of C_in square grids.
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
                    raise NnloopError(f"K[{c}][{c2}] must be a {size}x{size} grid, {size} rows of {size} weights "
                                      f"(the kernels' size is read from the {size} rows of K[0][0]); got "
                                      f"{short(grid)}")
                for u in range(size):
                    check_numbers(grid[u], f"K[{c}][{c2}][{u}]")
        if not isinstance(B, list) or len(B) != len(K):
            raise NnloopError(f"B must be a list of {len(K)} biases, one per kernel; got {short(B)}")
        check_numbers(B, "B")
        layer.K = kernels(K)
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
        self.n_out = rows_out * cols_out
        # Node t = y*cols_out + x's window laid out as one list: patch[i] = P[corner[t] + offset[i]],
        # i = (c'*size + u)*size + v, P the padded input as one list (pad).
        rows_P, cols_P = rows + 2 * padding, cols + 2 * padding
        self.offset = [(c2 * rows_P + u) * cols_P + v for c2 in range(C_in) for u in range(size) for v in range(size)]
        self.corner = [stride * y * cols_P + stride * x for y in range(rows_out) for x in range(cols_out)]
        # The loops by pixel number the nodes as P's pixels, moved on by the last offset: no pixel lands before 0.
        self.wide = [start + self.offset[-1] for start in self.corner]
        self.shift = [self.offset[-1] - offset for offset in self.offset]
        # where input row (c', y') starts in H_prev and in P: pad and unpad copy a row at a time
        self.row_starts = [((c2 * rows + y2) * cols, (c2 * rows_P + y2 + padding) * cols_P + padding)
                           for c2 in range(C_in) for y2 in range(rows)]

    @property
    def W(self):
        """The layer's weights, as the network calls every layer's: the very list K."""
        return self.K

    def weight_index(self, c2, u, v):
        """Where weight K[c][c'][u][v] of the textbook is in kernel c's list: i = (c'*size + u)*size + v."""
        return (c2 * self.size + u) * self.size + v

    def weight_place(self, i):
        """weight_index's way back: (c', u, v) of K[c][i]."""
        c2, t = divmod(i, self.size * self.size)
        return (c2,) + divmod(t, self.size)

    def weight_name(self, i):
        """The indices the notation gives K[c][i] after K[k][c]: "[c'][u][v]", as Dense.weight_name gives '[i]'."""
        return "[{}][{}][{}]".format(*self.weight_place(i))

    def grids(self, K):
        """New lists K[c][c'][u][v] from kernels shaped as self.K, each one list K[c][i]: K itself, dK, or an
        optimizer's state of them. How a model file writes kernels, and how the textbook draws them."""
        size, C_in = self.size, self.in_shape[0]
        return [[[K_c[(c2 * size + u) * size:(c2 * size + u + 1) * size] for u in range(size)] for c2 in range(C_in)]
                for K_c in K]

    def __repr__(self):
        """Conv2D 1x4x4 -> 2x3x3 (2 kernels 2x2, stride 1, padding 0, relu)"""
        kernels = "1 kernel" if self.channels == 1 else f"{self.channels} kernels"
        return (f"Conv2D {shape_name(self.in_shape)} -> {shape_name(self.shape)} ({kernels} {self.size}x{self.size}, "
                f"stride {self.stride}, padding {self.padding}, {self.activation})")

    def forward(self, H_prev, A, H, memory):
        """Fill A[i] and H[i] = f(A[i]) from H_prev, node (c, y, x) at i = (c*rows_out + y)*cols_out + x.

        A[c][y][x] = B[c] + sum_{c',u,v} K[c][c'][u][v] * H_prev[c'][s*y+u-p][s*x+v-p], each sum's terms
        added in the order (c', u, v) by either loop shape:

        - several input channels: node by node, the sum as one loop over the C_in*size*size numbers of
          the node's window, gathered into one list, its patch (forward_by_patch);
        - one input channel, an image mostly 0: weight by weight, each weight adding its term to every
          node whose window holds a nonzero input there (forward_by_pixel).

        H_prev holds count(in_shape) numbers, A and H count(shape) (from nnloop.lists.zeros); memory, from
        new_memory, keeps what backward reuses (see Memory).
        """
        # measured under PyPy on MNIST: by patch 2x faster than by pixel on 8 maps of 12x12 (54% nonzero);
        # by pixel 2-3x faster than by patch on the 28x28 digit (18% nonzero)
        self.pad(H_prev, memory.P)
        if self.in_shape[0] > 1:
            self.forward_by_patch(A, memory)
        else:
            self.forward_by_pixel(A, memory)
        self.f.forward(A, H)  # f is elementwise: one call for the whole layer

    def forward_by_patch(self, A, memory):
        """A[c*n_out + t] = B[c] + sum_i K[c][i] * patch[i], i = (c'*size + u)*size + v: one loop of fan_in terms.

        patch[i] = H_prev[c'][s*y+u-p][s*x+v-p] (0 in the padding) is node t = y*cols_out + x's window,
        gathered once (gather_patches, into memory, where backward reads it again) and read by every kernel;
        n_out = rows_out*cols_out nodes per map. Four kernels take their sums in one pass over the patch,
        each sum still its own, in the order i (the last C mod 4 one by one).
        """
        K, B, C, n, n_out = self.K, self.B, self.channels, self.fan_in, self.n_out
        self.gather_patches(memory)  # each window, gathered once for all C_out kernels, and kept for backward
        for t in range(n_out):
            patch = memory.patches[t]
            c = 0
            while c + 4 <= C:  # four kernels' sums in one pass: each patch[i] read once for four terms (1.5x)
                K_0, K_1, K_2, K_3 = K[c], K[c + 1], K[c + 2], K[c + 3]
                a0, a1, a2, a3 = B[c], B[c + 1], B[c + 2], B[c + 3]
                for i in range(n):
                    h = patch[i]
                    a0 += K_0[i] * h
                    a1 += K_1[i] * h
                    a2 += K_2[i] * h
                    a3 += K_3[i] * h
                i_out = c * n_out + t  # node t of map c; of map c + 1 is n_out further on
                A[i_out], A[i_out + n_out], A[i_out + 2 * n_out], A[i_out + 3 * n_out] = a0, a1, a2, a3
                c += 4
            for c in range(c, C):
                K_c = K[c]
                a = B[c]
                for i in range(n):  # one loop of C_in*size*size terms: long loops are what PyPy makes fast
                    a += K_c[i] * patch[i]
                A[c * n_out + t] = a

    def forward_by_pixel(self, A, memory):
        """A_wide[c] starts as B[c]; each weight w = K[c][i], i = u*size + v, adds w * P[j] to A_wide[c][j + shift[i]]
        for every nonzero P[j], P = H_prev padded, as one list (one input channel).

        A_wide numbers the nodes as P numbers its pixels, moved on by offset[-1], the last weight's offset:
        node t = y*cols_out + x is at wide[t] = corner[t] + offset[-1], and its window under weight i holds
        P[wide[t] - shift[i]], shift[i] = offset[-1] - offset[i] >= 0, so that no pixel lands before the
        list. The other places (past cols_out on a row, windows reaching above or left of P, between nodes
        when s > 1) are added to, but no node reads them: they are dropped. Four kernels and two weights go
        per pass over the nonzero pixels, each node's sum still in the order i.
        """
        K, B, C, n, shift = self.K, self.B, self.channels, self.fan_in, self.shift
        P = memory.P
        # the j where P[j] != 0: a zero input adds nothing (82% of MNIST's pixels)
        nonzero = memory.nonzero
        find_nonzero(P, nonzero)
        A_wide = memory.A_wide  # kernel c's sums, each starting as B[c]
        for c in range(C):
            overwrite(A_wide[c], [B[c]] * len(A_wide[c]))  # one copy in C: 1.02x the step against a loop of 900
        c = 0
        while c + 4 <= C:  # four kernels per pass over the nonzero pixels: j and P[j] read once for four sums
            A_0, A_1, A_2, A_3 = A_wide[c], A_wide[c + 1], A_wide[c + 2], A_wide[c + 3]
            K_0, K_1, K_2, K_3 = K[c], K[c + 1], K[c + 2], K[c + 3]
            i = 0
            # and two weights per pass, P[j] read once for eight terms (1.11x); each node still adds weight i's
            # term before weight i + 1's, which meets it at a larger j
            while i + 2 <= n:
                w0, w1, w2, w3, x0, x1, x2, x3 = (K_0[i], K_1[i], K_2[i], K_3[i],
                                                  K_0[i + 1], K_1[i + 1], K_2[i + 1], K_3[i + 1])
                shift_w, shift_x = shift[i], shift[i + 1]
                for j in nonzero:
                    h = P[j]
                    t = j + shift_w
                    A_0[t] += w0 * h
                    A_1[t] += w1 * h
                    A_2[t] += w2 * h
                    A_3[t] += w3 * h
                    t = j + shift_x
                    A_0[t] += x0 * h
                    A_1[t] += x1 * h
                    A_2[t] += x2 * h
                    A_3[t] += x3 * h
                i += 2
            c += 4
        for c2 in range(C):  # what the passes leave, weight by weight: an odd last weight, the last C mod 4 kernels
            A_c, K_c = A_wide[c2], K[c2]
            for i in range(n - n % 2 if c2 < c else 0, n):
                w, shift_i = K_c[i], shift[i]
                for j in nonzero:  # one loop over the nonzero pixels: a long loop, not a window row
                    A_c[j + shift_i] += w * P[j]
        wide, n_out = self.wide, self.n_out
        for c in range(C):
            A_w, start = A_wide[c], c * n_out
            for t in range(n_out):
                A[start + t] = A_w[wide[t]]

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Add dK into dW and dB from delta[i] = dLoss/dA[i]; overwrite back with dLoss/dH_prev.

        delta is shaped as A, dW like K (dW[c][i] is dK[c][c'][u][v], i = (c'*size + u)*size + v), dB like
        B, back as H_prev (or None: the first layer has nothing to send back to). f' is the network's to
        apply, not this layer's: delta is already dLoss/dA. memory is what forward filled for the same
        sample (see Memory).

          dB[c]           += sum_{y,x} delta[c][y][x]
          dK[c][c'][u][v] += sum_{y,x} H_prev[c'][s*y+u-p][s*x+v-p] * delta[c][y][x]   in the order (y, x)
          back[c'][y'][x'] = sum of K[c][c'][u][v] * delta[c][y][x] over every (c, y, x, u, v) whose
                             window puts weight (u, v) on input (y', x')

        by either loop shape: node by node over each node's patch (backward_by_patch), or, for a first
        layer over a one-channel image (nothing to send back), weight by weight over the nonzero pixels
        as forward_by_pixel (backward_by_pixel).
        """
        # measured under PyPy on MNIST's first layer: by pixel 2x faster than by patch (1.7x slower under CPython)
        if back is None and self.in_shape[0] == 1:
            self.backward_by_pixel(delta, dW, dB, memory)
        else:
            self.backward_by_patch(delta, dW, dB, back, memory)

    def backward_by_pixel(self, delta, dW, dB, memory):
        """dK[c][i] += sum of P[j] * delta_wide[c][j + shift[i]] over the nonzero P[j] (one input channel).

        P, shift and the wide numbering wide[t] = corner[t] + offset[-1] are forward_by_pixel's: delta_wide[c]
        holds delta[c][y][x] at wide[t] and 0 everywhere else, so that the sum runs over the nonzero pixels
        alone (a pixel under no node's weight i meets a 0). Four kernels and two weights go per pass over the
        nonzero pixels, each sum still in the order (y, x).
        """
        C, n, shift, wide, n_out = self.channels, self.fan_in, self.shift, self.wide, self.n_out
        P, nonzero = memory.P, memory.nonzero  # as forward left them
        delta_wide = memory.delta_wide  # 0 between the nodes, whose places below are the same every sample
        for c in range(C):
            delta_w, start = delta_wide[c], c * n_out
            total = 0.0
            for t in range(n_out):
                d = delta[start + t]
                total += d  # the bias is in every node of channel c: its gradient is their deltas' sum
                delta_w[wide[t]] = d
            dB[c] += total
        c = 0
        while c + 4 <= C:  # four kernels per pass over the nonzero pixels: j and P[j] read once for four sums
            D_0, D_1, D_2, D_3 = delta_wide[c], delta_wide[c + 1], delta_wide[c + 2], delta_wide[c + 3]
            dK_0, dK_1, dK_2, dK_3 = dW[c], dW[c + 1], dW[c + 2], dW[c + 3]
            i = 0
            while i + 2 <= n:  # and two weights per pass, P[j] read once for eight sums (1.13x)
                shift_w, shift_x = shift[i], shift[i + 1]
                g0, g1, g2, g3 = dK_0[i], dK_1[i], dK_2[i], dK_3[i]
                e0, e1, e2, e3 = dK_0[i + 1], dK_1[i + 1], dK_2[i + 1], dK_3[i + 1]
                for j in nonzero:  # j grows, and so does its node's t: the terms come in the order (y, x)
                    h = P[j]
                    t = j + shift_w
                    g0 += h * D_0[t]
                    g1 += h * D_1[t]
                    g2 += h * D_2[t]
                    g3 += h * D_3[t]
                    t = j + shift_x
                    e0 += h * D_0[t]
                    e1 += h * D_1[t]
                    e2 += h * D_2[t]
                    e3 += h * D_3[t]
                dK_0[i], dK_1[i], dK_2[i], dK_3[i] = g0, g1, g2, g3
                dK_0[i + 1], dK_1[i + 1], dK_2[i + 1], dK_3[i + 1] = e0, e1, e2, e3
                i += 2
            c += 4
        for c2 in range(C):  # what the passes leave, weight by weight: an odd last weight, the last C mod 4 kernels
            dK_c, delta_w = dW[c2], delta_wide[c2]
            for i in range(n - n % 2 if c2 < c else 0, n):
                shift_i = shift[i]
                g = dK_c[i]
                for j in nonzero:  # a zero input's term is 0 (82% of MNIST pixels)
                    g += P[j] * delta_w[j + shift_i]
                dK_c[i] = g

    def backward_by_patch(self, delta, dW, dB, back, memory):
        """Node by node, each node t's window as one list patch[i], i = (c'*size + u)*size + v, as in
        forward_by_patch; for each node t = y*cols_out + x and kernel c with d = delta[c*n_out + t] != 0:

          dK[c][i] += patch[i] * d                      dK[c][c'][u][v] += H_prev[c'][s*y+u-p][s*x+v-p] * d
          back_P[corner[t] + offset[i]] += K[c][i] * d  back[c'][s*y+u-p][s*x+v-p] += K[c][c'][u][v] * d

        back_P is back laid out as P, the padded input; its rings of padding are dropped at the end. After
        relu and max pooling most deltas are exactly 0, and this order skips each of them whole. The
        kernels whose delta is not 0 go two per pass over the patch, every sum still adding its terms in
        the order (y, x), then c.
        """
        K, C, n, n_out, offset, corner = self.K, self.channels, self.fan_in, self.n_out, self.offset, self.corner
        if self.in_shape[0] == 1:  # forward went by pixel, without patches: gather them now
            self.gather_patches(memory)
        totals = [0.0] * C
        back_P = memory.back_P  # back, laid out as P: padding included, whose share is dropped at the end
        if back is not None:
            clear(back_P)
        for t in range(n_out):
            live = []  # the kernels c whose delta[c][y][x] is not 0
            for c in range(C):
                d = delta[c * n_out + t]
                totals[c] += d  # the bias is in every node of channel c: its gradient is their deltas' sum
                if d != 0.0:  # 0: a relu node that was off, or not its pooling window's maximum: no gradient
                    live.append(c)
            if not live:
                continue
            patch, start = memory.patches[t], corner[t]
            m = 0
            while m + 2 <= len(live):  # two kernels per pass: patch[i] and back_P[j] read once for both (1.15x)
                c0, c1 = live[m], live[m + 1]
                d0, d1 = delta[c0 * n_out + t], delta[c1 * n_out + t]
                dK_0, dK_1, K_0, K_1 = dW[c0], dW[c1], K[c0], K[c1]
                for i in range(n):
                    h = patch[i]
                    dK_0[i] += h * d0
                    dK_1[i] += h * d1
                if back is not None:
                    for i in range(n):
                        j = start + offset[i]
                        back_P[j] = back_P[j] + K_0[i] * d0 + K_1[i] * d1  # in the order of c0, then c1
                m += 2
            for c in live[m:]:  # an odd one out
                d = delta[c * n_out + t]
                dK_c = dW[c]
                for i in range(n):  # one loop of C_in*size*size terms, as in forward
                    dK_c[i] += patch[i] * d
                if back is not None:
                    K_c = K[c]
                    for i in range(n):  # onto the inputs the window was gathered from
                        back_P[start + offset[i]] += K_c[i] * d
        for c in range(C):
            dB[c] += totals[c]
        if back is not None:
            self.unpad(back_P, back)

    def gather_patches(self, memory):
        """memory.patches[t][i] = P[corner[t] + offset[i]]: node t = y*cols_out + x's window as one list, from
        P = memory.P, the padded input as one list."""
        P, offset, n = memory.P, self.offset, self.fan_in
        for t in range(self.n_out):
            patch, start = memory.patches[t], self.corner[t]  # the window's top left corner in P
            for i in range(n):
                patch[i] = P[start + offset[i]]

    def pad(self, H_prev, P):
        """Write H_prev into P, the maps with p rings of zeros around each channel, as one list:
        P[(c'*rows_P + p + y')*cols_P + p + x'] = H_prev[(c'*rows + y')*cols + x']. The rings are never
        written: they stay the 0.0 that new_memory put there."""
        if self.padding == 0:
            overwrite(P, H_prev)  # no rings: P is H_prev, copied in C
            return
        cols = self.in_shape[2]
        for start, start_P in self.row_starts:
            P[start_P:start_P + cols] = H_prev[start:start + cols]  # a row at a time

    def unpad(self, back_P, back):
        """pad's way back: back[(c'*rows + y')*cols + x'] = back_P[(c'*rows_P + p + y')*cols_P + p + x'], the
        rings of padding dropped."""
        if self.padding == 0:
            overwrite(back, back_P)
            return
        cols = self.in_shape[2]
        for start, start_P in self.row_starts:
            back[start:start + cols] = back_P[start_P:start_P + cols]  # a row at a time

    def new_memory(self):
        """The per-sample Memory that forward fills and backward reads, every list of it made here, once.

        Each sample refills them: lists made afresh for every sample (about 170 KB of them for the README
        convnet) kept PyPy's garbage collector so busy that a larger nursery sped training up 1.14x to 1.27x.
        """
        C_in, rows, cols = self.in_shape
        n_P = C_in * (rows + 2 * self.padding) * (cols + 2 * self.padding)
        wide = n_P + self.offset[-1] if C_in == 1 else 0  # the loops by pixel run over one-channel inputs only
        return Memory(P=[0.0] * n_P,
                      patches=[[0.0] * self.fan_in for t in range(self.n_out)],
                      back_P=[0.0] * n_P,
                      A_wide=[[0.0] * wide for c in range(self.channels)],
                      delta_wide=[[0.0] * wide for c in range(self.channels)])

    # The layer in words and in files (see nnloop.architecture): its --layers word, its section of a model
    # file, its size before it is made, and the names of its parameters.
    WEIGHTS = "K"  # the letter of its weights in the notation: K[k][c][c'][u][v], their gradient dK
    WORD = re.compile(r"conv(?P<kernels>[0-9]+)x(?P<size>[0-9]+)(?:s(?P<stride>[0-9]+))?(?:p(?P<padding>[0-9]+))?")
    KEYS = {"activation", "stride", "padding", "B", "K"}  # of its file section, besides "type"
    OPTIONAL = {"stride": 1, "padding": 0}  # keys a file may leave out, and their values then
    READS_MAPS = True
    RANDOM = False  # it draws no random numbers

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
                "B": self.B, "K": self.grids(self.K)}

    @classmethod
    def from_document(cls, document, in_shape):
        return cls.with_parameters(in_shape, document["K"], document["B"], document["stride"],
                                   document["padding"], document["activation"])

    def parameter_indices(self):
        """(c, i) of every K[c][i], each kernel followed by (c, None) for B[c]; weight_place(i) is its (c', u, v)."""
        for c in range(self.channels):
            yield from ((c, i) for i in range(self.fan_in))
            yield c, None



class Memory:
    """What a convolution's forward leaves for the backward of the same sample, so that backward does not
    compute it again (as max pooling remembers where each maximum was).

    P            H_prev padded, as one list (Conv2D.pad)
    patches[t]   node t = y*cols_out + x's window as one list, patch[i] = P[corner[t] + offset[i]] (by patch)
    nonzero      the j where P[j] != 0 (by pixel, one input channel)

    and the loops' own scratch: back_P (back laid out as P, by patch), A_wide[c] and delta_wide[c] (the
    wide lists of forward_by_pixel and backward_by_pixel). All are made once, by new_memory, and refilled
    for every sample.
    """

    def __init__(self, P, patches, back_P, A_wide, delta_wide):
        self.P, self.patches, self.back_P = P, patches, back_P
        self.A_wide, self.delta_wide = A_wide, delta_wide
        self.nonzero = []

    def __repr__(self):
        return f"Memory of a convolution: {len(self.patches)} patches, {len(self.P)} padded inputs"


def kernels(grids):
    """Kernels given as grids K[c][c'][u][v] as the lists K[c][i] of floats a Conv2D holds,
    i = (c'*size + u)*size + v: Conv2D.grids' way back.

    >>> kernels([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]])
    [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]
    """
    return [[float(w) for grid in kernel for row in grid for w in row] for kernel in grids]  # in the order i


def as_grids(layer, W):
    """Layer's weights W, or their gradient or an optimizer's state of them, indexed as the textbook and the
    model files index them: a convolution's kernels K[c][i] as grids K[c][c'][u][v], a dense layer's W[j][i]
    as they are."""
    return layer.grids(W) if layer.WEIGHTS == "K" else W
