"""Dropout: in training, each hidden node is kept with probability 1 - P, per sample.

Inverted dropout: a kept node's output is scaled by 1 / (1 - P), so that its
expected value is what it would be without dropout, and the network is used
as it is (no mask, no scale) for testing. Per sample and hidden layer k:

  forward    mask[k][j] = 0 with probability P, else 1 / (1 - P)
             H[k][j]    = f_k(A[k][j]) * mask[k][j]
  backward   delta[k][j] = f'_k(A[k][j]) * mask[k][j] * back[k][j]

A network whose nodes cannot lean on any one other node learns features
that work on their own: dropout fights overfitting. The masks are drawn from
a Random of the run's own seed, so runs stay reproducible. The input layer
and the output layer are never dropped, nor are feature maps: in a convnet,
dropout acts on the flattened maps and the dense hidden layers.

>>> from nnloop.network import NodeValues
>>> from nnloop.rng import Random
>>> v = NodeValues([3, 4, 2])
>>> draw_masks(v, 0.5, Random(1))
>>> v.mask
[[], [2.0, 2.0, 2.0, 0.0], []]
"""
from ..errors import NnloopError


def draw_masks(v, P, rng):
    """Fill v.mask[k] for every hidden layer k with a fresh mask: 0 with probability P, else 1 / (1 - P)."""
    scale = 1.0 / (1.0 - P)
    for k in range(1, len(v.H) - 1):
        if isinstance(v.H[k][0], list):
            continue  # feature maps: not dropped
        if len(v.mask[k]) != len(v.H[k]):
            v.mask[k] = [0.0] * len(v.H[k])
            v.F[k] = [0.0] * len(v.H[k])
        mask = v.mask[k]
        for j in range(len(mask)):
            mask[j] = 0.0 if rng.uniform() < P else scale


def check_dropout(P):
    """Refuse a dropout probability that is not in [0, 1)."""
    if isinstance(P, bool) or not isinstance(P, (int, float)) or not 0.0 <= P < 1.0:
        raise NnloopError(f"dropout P is the probability of dropping a hidden node: it must be in [0, 1), "
                          f"typically 0.2 to 0.5 (1 would drop them all); got {P!r}")
