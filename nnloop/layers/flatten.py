"""Flatten: a feature map laid out as one flat layer, so dense layers can follow.

Flatten layer k reads H[k-1][c][y][x], shaped in_shape = (C, rows, cols),
and writes the flat lists A[k] and H[k] of C*rows*cols nodes, channel by
channel, each row by row:

  forward   H[i] = H[k-1][c][y][x]   with i = (c*rows + y)*cols + x
  backward  back[c][y][x] = delta[i]

There are no parameters and f is the identity: A and H hold the same
values (both are filled), and delta is back.

>>> flat = Flatten((2, 2, 2))
>>> flat
Flatten 2x2x2 -> 8
>>> from nnloop.lists import zeros
>>> A, H = zeros(flat.shape), zeros(flat.shape)
>>> flat.forward([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], A, H, None)
>>> H
[1, 2, 3, 4, 5, 6, 7, 8]
"""
import re

from .activations import identity
from .shapes import check_feature_shape, shape_name


class Flatten:
    """Reshape (C, rows, cols) into C*rows*cols nodes; the gradient goes back the same way.

    in_shape   (C, rows, cols), the shape of H[k-1]
    shape      C*rows*cols, an int: A[k] and H[k] are flat lists
    W, B       [] and []: no parameters
    """

    kind = "flatten"
    activation = "identity"
    f = identity

    def __init__(self, in_shape):
        self.in_shape = check_feature_shape(in_shape, "flatten in_shape")
        C, rows, cols = self.in_shape
        self.shape = C * rows * cols
        self.W, self.B = [], []

    def __repr__(self):
        """Flatten 2x2x2 -> 8"""
        return f"Flatten {shape_name(self.in_shape)} -> {self.shape}"

    def forward(self, H_prev, A, H, memory):
        """Fill the flat A and H: H[(c*rows + y)*cols + x] = H_prev[c][y][x]."""
        i = 0  # counts (c*rows + y)*cols + x up, in the order of the loops
        for H_prev_c in H_prev:
            for H_row in H_prev_c:
                for h in H_row:
                    A[i] = h
                    H[i] = h
                    i += 1

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Overwrite back[c][y][x] = delta[(c*rows + y)*cols + x]; dW and dB are [] and stay so."""
        if back is not None:
            unflatten(delta, back)


    def new_memory(self):
        """None: nothing to remember."""
        return None

    # The layer in words and in files (see nnloop.architecture). It has no parameters.
    WORD = re.compile(r"flatten")
    WEIGHTS = None  # it has none
    KEYS = set()  # of its file section, besides "type"
    OPTIONAL = {}
    READS_MAPS = True
    RANDOM = False  # it draws no random numbers

    @staticmethod
    def from_word(numbers, activation):
        return {"type": "flatten"}

    @staticmethod
    def word(d):
        return "flatten"

    def description(self):
        return {"type": "flatten"}

    @staticmethod
    def measure(d, in_shape):
        return in_shape[0] * in_shape[1] * in_shape[2], 0

    @classmethod
    def new(cls, d, in_shape, rng):
        return cls(in_shape)

    def to_document(self):
        return {"type": "flatten"}

    @classmethod
    def from_document(cls, document, in_shape):
        return cls(in_shape)

    def parameter_indices(self):
        return iter(())



def unflatten(values, maps):
    """Copy the flat list values into feature maps: maps[c][y][x] = values[(c*rows + y)*cols + x].

    Flatten's backward, and how the network reads a flat input x into H[0].
    """
    i = 0  # counts (c*rows + y)*cols + x up, in the order of the loops
    for maps_c in maps:
        for row in maps_c:
            for x in range(len(row)):
                row[x] = values[i]
                i += 1
