"""The fully connected layer: every node of layer k-1 feeds every node j of layer k.

For one sample, node by node (H_prev is H[k-1], the layer's input):

  forward    A[j] = B[j] + sum_i W[j][i] * H_prev[i]      the pre-activation
             H[j] = f(A[j])                               the output
  backward   dB[j]    += delta[j]                         the bias gradient is the delta
             dW[j][i] += H_prev[i] * delta[j]             an edge's input times its delta
             back[i]   = sum_j W[j][i] * delta[j]         sent back to layer k-1

delta[j] = dLoss/dA[j] comes from the layer above (or from the loss, at the
output); the network turns back into layer k-1's delta with that layer's
f' (nnloop.network.Network.backward).

>>> layer = Dense.with_parameters(W=[[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]], B=[0.0, 0.0], activation="relu")
>>> A, H, memory = [0.0, 0.0], [0.0, 0.0], layer.new_memory()
>>> layer.forward([2.0, 3.0, 1.0], A, H, memory); A, H
([11.0, -14.0], [11.0, 0.0])
>>> dW, dB, back = [[0.0] * 3, [0.0] * 3], [0.0, 0.0], [0.0] * 3
>>> layer.backward([2.0, 3.0, 1.0], A, H, [78.0, 0.0], dW, dB, back, memory)
>>> dW, dB, back
([[156.0, 234.0, 78.0], [0.0, 0.0, 0.0]], [78.0, 0.0], [234.0, 78.0, 156.0])
>>> layer
Dense 3 -> 2 (relu): W[0] = [3, 1, 2]  B = [0, 0]
"""
import math
import re

from ..errors import NnloopError, check_numbers, short
from ..lists import clear, find_nonzero, first
from ..rng import check_rng
from .activations import ACTIVATIONS


class Dense:
    """A fully connected layer of n nodes over n_in inputs, held in plain lists.

    W[j][i]     weight of the edge from input node i to node j: n rows of n_in
    B[j]        bias of node j
    activation  the name of f; f the nnloop.layers.activations.Activation itself

    Dense(in_shape, nodes, activation, rng) draws W from rng (He or Xavier,
    see initial_weights), in the order every layer's constructor takes: what
    it reads, what it makes, its activation, the generator of its weights.
    Dense.with_parameters takes W and B as given; Dense.zeros makes them 0.
    """
    kind = "dense"

    def __init__(self, in_shape, nodes, activation="relu", rng=None):
        for count, what in ((in_shape, "in_shape, its number of inputs,"), (nodes, "number of nodes")):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise NnloopError(f"a dense layer's {what} must be a whole number >= 1; got {short(count)}")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise NnloopError(f"unknown activation {short(activation)}: use one of {', '.join(ACTIVATIONS)}")
        check_rng(rng, "Dense.zeros(in_shape, nodes, activation); given weights: Dense.with_parameters")
        self.in_shape, self.shape, self.activation = in_shape, nodes, activation
        self.f = ACTIVATIONS[activation]
        self.W = initial_weights(in_shape, nodes, activation, rng)
        self.B = [0.0] * nodes

    @classmethod
    def zeros(cls, in_shape, nodes, activation="relu"):
        """A dense layer whose weights and biases are all 0: asked for by name, since every node of such a layer
        computes, and so learns, the same thing."""
        return cls.with_parameters([[0.0] * in_shape for j in range(nodes)], [0.0] * nodes, activation)

    @classmethod
    def with_parameters(cls, W, B, activation):
        """A dense layer with the given W[j][i] and B[j], copied as floats; anything malformed is refused."""
        if not isinstance(W, list) or not W or not all(isinstance(row, list) and row and len(row) == len(W[0])
                                                      for row in W):
            raise NnloopError(f"W must be a non-empty list of rows W[j] of equal length, one weight per input; "
                              f"got {short(W)}")
        if not isinstance(B, list) or len(B) != len(W):
            raise NnloopError(f"B must hold {len(W)} biases, one per row of W; got {short(B)}")
        for j, row in enumerate(W):
            check_numbers(row, f"W[{j}]")
        check_numbers(B, "B")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise NnloopError(f"unknown activation {short(activation)}: use one of {', '.join(ACTIVATIONS)}")
        layer = cls.__new__(cls)
        layer.in_shape, layer.shape, layer.activation = len(W[0]), len(W), activation
        layer.f = ACTIVATIONS[activation]
        layer.W = [[float(w) for w in row] for row in W]
        layer.B = [float(b) for b in B]
        return layer

    def __repr__(self):
        return f"Dense {self.in_shape} -> {self.shape} ({self.activation}): W[0] = {first(self.W[0])}  B = {first(self.B)}"

    def forward(self, H_prev, A, H, memory):
        """Fill A and H from the input H_prev; memory is left holding the i where H_prev[i] != 0.

        A[j] = B[j] + sum_i W[j][i] * H_prev[i], the terms added in the order i, skipping the zero inputs.
        Four nodes take their sums in one pass over the inputs, each sum still its own; the last
        len(A) mod 4 nodes, and a layer of fewer than four, one by one.
        """
        W, B = self.W, self.B
        find_nonzero(H_prev, memory)
        j = 0
        while j + 4 <= len(A):  # four nodes per pass: each H_prev[i] read once for four sums (1.1x the MLP)
            W_0, W_1, W_2, W_3 = W[j], W[j + 1], W[j + 2], W[j + 3]
            a0, a1, a2, a3 = B[j], B[j + 1], B[j + 2], B[j + 3]
            for i in memory:
                h = H_prev[i]
                a0 += W_0[i] * h
                a1 += W_1[i] * h
                a2 += W_2[i] * h
                a3 += W_3[i] * h
            A[j], A[j + 1], A[j + 2], A[j + 3] = a0, a1, a2, a3
            j += 4
        for j in range(j, len(A)):
            W_j = W[j]  # hoisted: one lookup per node, not per edge
            a = B[j]
            for i in memory:  # a zero input adds nothing (81% of MNIST pixels)
                a += W_j[i] * H_prev[i]
            A[j] = a
        self.f.forward(A, H)

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Add this sample's dW and dB; fill back = dLoss/dH_prev unless back is None.

        memory is what forward left: the i where H_prev[i] != 0.

          dB[j] += delta[j];  dW[j][i] += H_prev[i] * delta[j];  back[i] = sum_j W[j][i] * delta[j]

        The nodes whose delta is not 0 go four per pass, for dW and for back, every sum still in the order j.
        """
        live = []  # the nodes j whose delta is not 0
        for j in range(len(delta)):
            d = delta[j]
            dB[j] += d  # the bias gradient is the delta itself
            if d != 0.0:  # 0: a relu node that was off, no gradient on its edges and nothing sent back
                live.append(j)
        m = 0
        while m + 4 <= len(live):  # four nodes per pass: each H_prev[i] read once for four rows of dW
            j0, j1, j2, j3 = live[m], live[m + 1], live[m + 2], live[m + 3]
            d0, d1, d2, d3 = delta[j0], delta[j1], delta[j2], delta[j3]
            dW_0, dW_1, dW_2, dW_3 = dW[j0], dW[j1], dW[j2], dW[j3]
            for i in memory:
                h = H_prev[i]
                dW_0[i] += h * d0
                dW_1[i] += h * d1
                dW_2[i] += h * d2
                dW_3[i] += h * d3
            m += 4
        for j in live[m:]:  # the last len(live) mod 4, one at a time
            dW_j, d = dW[j], delta[j]
            for i in memory:  # a zero input's edge gets H * delta = 0
                dW_j[i] += H_prev[i] * d
        if back is None:
            return  # layer k-1 is the input: nothing below it to learn
        W = self.W
        clear(back)
        m = 0
        while m + 4 <= len(live):  # row by row, the order W is stored in, four rows per pass
            j0, j1, j2, j3 = live[m], live[m + 1], live[m + 2], live[m + 3]
            d0, d1, d2, d3 = delta[j0], delta[j1], delta[j2], delta[j3]
            W_0, W_1, W_2, W_3 = W[j0], W[j1], W[j2], W[j3]
            for i in range(len(back)):  # the terms in the order j0, j1, j2, j3, as one row at a time
                back[i] = back[i] + W_0[i] * d0 + W_1[i] * d1 + W_2[i] * d2 + W_3[i] * d3
            m += 4
        for j in live[m:]:  # the last len(live) mod 4 rows, one at a time
            W_j, d = W[j], delta[j]
            for i in range(len(back)):
                back[i] += W_j[i] * d

    def new_memory(self):
        """The list forward fills with the indices of the nonzero inputs, which both passes skip to."""
        return []

    def weight_name(self, i):
        """The indices the notation gives W[j][i] after W[k][j]: '[i]' (a kernel's are "[c'][u][v]", Conv2D's)."""
        return f"[{i}]"

    # The layer in words and in files (see nnloop.architecture): its --layers word, its section of a model
    # file, its size before it is made, and the names of its parameters.
    WORD = re.compile(r"dense(?P<nodes>[0-9]+)")
    WEIGHTS = "W"  # the letter of its weights in the notation: W[k][j][i], their gradient dW
    KEYS = {"activation", "B", "W"}  # of its file section, besides "type"
    OPTIONAL = {}  # keys a file may leave out, and their values then
    READS_MAPS = False  # it reads a list of nodes: feature maps are flattened first
    RANDOM = False  # it draws no random numbers

    @staticmethod
    def from_word(numbers, activation):
        return {"type": "dense", "nodes": numbers["nodes"], "activation": activation}

    @staticmethod
    def word(d):
        return f"dense{d['nodes']}"

    def description(self):
        return {"type": "dense", "nodes": self.shape, "activation": self.activation}

    @staticmethod
    def measure(d, in_shape):
        """(shape, weights) of the layer d describes, over in_shape nodes."""
        return d["nodes"], d["nodes"] * (in_shape + 1)

    @classmethod
    def new(cls, d, in_shape, rng):
        return cls(in_shape, d["nodes"], d["activation"], rng)

    def to_document(self):
        return {"type": "dense", "activation": self.activation, "B": self.B, "W": self.W}

    @classmethod
    def from_document(cls, document, in_shape):
        W = document["W"]
        if not isinstance(W, list) or not W or not all(isinstance(row, list) and len(row) == in_shape for row in W):
            raise NnloopError(f"\"W\" must be a list of rows of {in_shape} weights, one per node of the layer below")
        return cls.with_parameters(W, document["B"], document["activation"])

    def parameter_indices(self):
        """(j, i) of every W[j][i], each row followed by (j, None) for B[j]."""
        for j in range(self.shape):
            yield from ((j, i) for i in range(self.in_shape))
            yield j, None


def initial_weights(n_in, n, activation, rng):
    """W[j][i] drawn from a Gaussian, std sqrt(2/n_in) or sqrt(1/n_in).

    n_in is the number of inputs of a node. He's sqrt(2/n_in) for relu
    layers makes up for relu zeroing half its inputs; Xavier's sqrt(1/n_in)
    suits the others.
    """
    std = math.sqrt((2.0 if activation == "relu" else 1.0) / n_in)
    return [[std * rng.gauss() for i in range(n_in)] for j in range(n)]

