"""Flatten: feature maps seen as one flat layer of nodes, so that dense layers can follow.

Flatten layer k reads H[k-1], C feature maps shaped in_shape = (C, rows,
cols), and writes A[k] and H[k], C*rows*cols nodes. Maps are already one
list, node (c, y, x) at i = (c*rows + y)*cols + x (nnloop.layers.shapes),
so nothing moves: only the shape changes, from maps to a list of nodes.

  forward   H[i] = H[k-1][i]     H[k-1][i] being H[k-1][c][y][x], i = (c*rows + y)*cols + x
  backward  back[i] = delta[i]

There are no parameters and f is the identity: A and H hold the same
values (both are filled), and delta is back.

>>> flat = Flatten((2, 2, 2))
>>> flat
Flatten 2x2x2 -> 8
>>> A, H = [0.0] * 8, [0.0] * 8
>>> flat.forward([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], A, H, None)
>>> H
[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
"""
import re

from ..lists import overwrite
from .activations import identity
from .shapes import check_feature_shape, shape_name


class Flatten:
    """Reshape (C, rows, cols) into C*rows*cols nodes; the gradient goes back the same way.

    in_shape   (C, rows, cols), the shape of H[k-1]
    shape      C*rows*cols, an int: A[k] and H[k] are a layer of nodes
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
        """Fill A and H: H[i] = H_prev[i], node i = (c*rows + y)*cols + x of the maps."""
        overwrite(A, H_prev)  # a copy in C: the maps' numbering is already the nodes'
        overwrite(H, H_prev)

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Overwrite back[i] = delta[i]; dW and dB are [] and stay so."""
        if back is not None:
            overwrite(back, delta)


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
