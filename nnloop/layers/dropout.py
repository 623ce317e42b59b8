"""Dropout: in training, each node of the layer below is dropped with probability P, afresh for every sample.

Dropout layer k reads H[k-1], a list of nodes or feature maps, and writes
A[k] and H[k] of the same shape: each node j (or c, y, x) is multiplied by
its mask, which is drawn, not learned. Inverted dropout: a kept node is
scaled by 1 / (1 - P), so that its expected value is what it is without
dropout, and at evaluation and prediction the layer passes values through
unchanged. For one sample in training:

  forward    mask[j] = 0 with probability P, else 1 / (1 - P)
             A[j] = H[k-1][j] * mask[j]       the mask is the node's one weight
             H[j] = A[j]                      f is the identity
  backward   back[j] = mask[j] * delta[j]     a dropped node sends nothing back

A network whose nodes cannot lean on any one other node learns features
that work on their own: dropout fights overfitting. Place it after a layer,
as in conv8x5,maxpool2,dropout0.25,dense100,dropout0.5; after feature maps
each node of every map has its own mask.

Where the mask comes from is the per-sample memory (new_memory): a Mask
holding the mask and rng, the generator it is drawn from. The trainer gives
every sample its own generator, seeded from the run and the sample's place
in the epoch (nnloop.learning.training), so that a run's masks do not depend
on how many processes share it; rng is None when the network is evaluated,
and then the layer passes values through.

>>> from nnloop.rng import Random
>>> drop = Dropout(4, 0.5)
>>> A, H, memory = [0.0] * 4, [0.0] * 4, drop.new_memory()
>>> memory.rng = Random(1)                        # training
>>> drop.forward([1.0, 2.0, 3.0, 4.0], A, H, memory); memory.mask, H
([2.0, 2.0, 2.0, 0.0], [2.0, 4.0, 6.0, 0.0])
>>> back = [0.0] * 4
>>> drop.backward(None, A, H, [0.5, 0.5, 0.5, 0.5], [], [], back, memory); back
[1.0, 1.0, 1.0, 0.0]
>>> memory.rng = None                             # evaluation
>>> drop.forward([1.0, 2.0, 3.0, 4.0], A, H, memory); H
[1.0, 2.0, 3.0, 4.0]
"""
import re

from ..errors import NnloopError
from ..lists import zeros
from .activations import identity

FIXED_SEED = 0  # the seed of the masks that gradcheck and trace hold fixed: sample n's come from Random(FIXED_SEED + n)


class Dropout:
    """Inverted dropout of probability P over values of shape in_shape (n nodes, or (C, rows, cols) maps).

    in_shape, shape  the same: the layer keeps the shape of what it reads
    P                the probability of dropping a node, in [0, 1)
    W, B             [] and []: no parameters; the masks are drawn, not learned
    """
    kind = "dropout"
    activation = "identity"
    f = identity

    def __init__(self, in_shape, P):
        check_dropout(P)
        self.in_shape = self.shape = in_shape
        self.P = float(P)
        self.W, self.B = [], []

    def __repr__(self):
        return f"Dropout P = {self.P:g} (kept nodes scaled by 1/(1 - P) = {1.0 / (1.0 - self.P):.4g})"

    def forward(self, H_prev, A, H, memory):
        """Training (memory.rng set): draw mask[j], A[j] = H[j] = H_prev[j] * mask[j]. Evaluating: A = H = H_prev.

        Feature maps are one list too (nnloop.layers.shapes): j = (c*rows + y)*cols + x.
        """
        rng, P, scale, mask = memory.rng, self.P, 1.0 / (1.0 - self.P), memory.mask
        for j in range(len(A)):
            if rng is None:  # evaluation: no mask, the value passes through
                a = H_prev[j]
            else:
                mask[j] = 0.0 if rng.uniform() < P else scale
                a = H_prev[j] * mask[j]
            A[j] = a
            H[j] = a

    def backward(self, H_prev, A, H, delta, dW, dB, back, memory):
        """Overwrite back[j] = mask[j] * delta[j] (back = delta when evaluating) unless back is None; no dW, dB."""
        if back is None:
            return  # layer k-1 is the input: nothing below it to learn
        masked, mask = memory.rng is not None, memory.mask
        for j in range(len(back)):
            back[j] = mask[j] * delta[j] if masked else delta[j]

    def new_memory(self):
        """A Mask shaped like the layer's values, with no generator yet: the layer passes values through."""
        return Mask(zeros(self.shape))

    # The layer in words and in files (see nnloop.architecture). It has no parameters.
    WORD = re.compile(r"dropout(?P<P>.*)")
    KEYS = {"P"}  # of its file section, besides "type"
    OPTIONAL = {}
    READS_MAPS = None  # either: a list of nodes or feature maps, whatever the layer below gives
    WEIGHTS = None  # it has none: its mask is drawn, not learned
    RANDOM = True  # it draws a mask per sample from the generator NodeValues.draw_masks puts in its memory

    @staticmethod
    def from_word(numbers, activation):
        P = numbers["P"]
        if P is None or P == "" or not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", str(P)):
            raise NnloopError(f"--layers: dropout{P or ''} needs P, the probability of dropping a node, as a decimal "
                              "in [0, 1): write dropout0.25, or dropout0.5 after dense layers")
        return {"type": "dropout", "P": check_dropout(float(P))}

    @staticmethod
    def word(d):
        return "dropout" + (f"{d['P']:.15f}".rstrip("0").rstrip(".") or "0")

    def description(self):
        return {"type": "dropout", "P": self.P}

    @staticmethod
    def measure(d, in_shape):
        return in_shape, 0

    @classmethod
    def new(cls, d, in_shape, rng):
        return cls(in_shape, d["P"])

    def to_document(self):
        return {"type": "dropout", "P": self.P}

    @classmethod
    def from_document(cls, document, in_shape):
        return cls(in_shape, document["P"])

    def parameter_indices(self):
        return iter(())


class Mask:
    """A dropout layer's memory of one sample.

    mask  mask[j], one per node (j = (c*rows + y)*cols + x for maps): 0 for a dropped node,
          1 / (1 - P) for a kept one, as the last training forward drew it
    rng   the generator this sample's mask is drawn from (a nnloop.rng.Random),
          set by NodeValues.draw_masks in training; None when evaluating
    """

    def __init__(self, mask):
        self.mask = mask
        self.rng = None

    def __repr__(self):
        return f"Mask({'evaluating' if self.rng is None else 'training'}, mask = {self.mask!r:.60})"


def check_dropout(P):
    """P itself if it is a dropout probability, in [0, 1); refuse anything else."""
    if isinstance(P, bool) or not isinstance(P, (int, float)) or not 0.0 <= P < 1.0:
        raise NnloopError(f"dropout P is the probability of dropping a node: it must be in [0, 1), "
                          f"typically 0.2 to 0.5 (1 would drop them all); got {P!r}")
    return P
