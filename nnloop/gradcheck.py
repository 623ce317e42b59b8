"""Checking backprop against finite differences (NOTES.md section 5).

A network is a function of its parameters: Loss = f(input, P). Nudge one
parameter p by eps either way, and the central difference

    (Loss(p + eps) - Loss(p - eps)) / (2 eps)

approximates dLoss/dp with an error of order eps^2. Backprop must agree:

>>> from nnloop.network import Network
>>> net = Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=5)
>>> samples = [([0.5, -1.0, 2.0], [0.0, 1.0]), ([1.0, 0.25, -0.5], [1.0, 0.0])]
>>> worst = max(check_gradients(net, samples), key=lambda c: c.error)
>>> worst.error < 1e-7
True
"""
from typing import NamedTuple, Optional

# Gradients smaller than this are compared absolutely. The central difference
# itself errs by about eps^2 |f'''| / 6 + 1e-16 |Loss| / eps, some 1e-10 at
# eps = 1e-5: noise that would swamp the relative error of a tiny gradient.
FLOOR = 1e-3


class GradientCheck(NamedTuple):
    """One parameter's backprop gradient next to its finite difference.

    k, j, i     the parameter: W[k][j][i], or B[k][j] when i is None
    backprop    mean dLoss/dp from Network.gradients
    numerical   the central difference
    error       |backprop - numerical| / max(|backprop|, |numerical|, FLOOR)
    """
    k: int
    j: int
    i: Optional[int]
    backprop: float
    numerical: float
    error: float

    @property
    def name(self):
        return f"B[{self.k}][{self.j}]" if self.i is None else f"W[{self.k}][{self.j}][{self.i}]"


def check_gradients(net, samples, eps=1e-5, params=None):
    """Compare backprop with central differences, parameter by parameter.

    samples is a list of (x, t) pairs; the loss is their mean. params lists
    the parameters to check as (k, j, i) tuples, i None for a bias; all of
    them if not given. Returns one GradientCheck per parameter; the network
    ends exactly as it began.
    """
    g = net.gradients(samples)
    if params is None:
        params = all_parameters(net)
    checks = []
    for k, j, i in params:
        backprop = g.dB[k][j] if i is None else g.dW[k][j][i]
        numerical = numerical_derivative(net, samples, k, j, i, eps)
        checks.append(GradientCheck(k, j, i, backprop, numerical, relative_error(backprop, numerical)))
    return checks


def numerical_derivative(net, samples, k, j, i, eps=1e-5):
    """(Loss(p + eps) - Loss(p - eps)) / (2 eps) for p = W[k][j][i], or B[k][j] if i is None."""
    values, index = (net.B[k], j) if i is None else (net.W[k][j], i)
    p = values[index]
    values[index] = p + eps
    loss_plus = net.mean_loss(samples)
    values[index] = p - eps
    loss_minus = net.mean_loss(samples)
    values[index] = p
    # (p + eps) - (p - eps) is the step the floats really took, not always 2 eps
    return (loss_plus - loss_minus) / ((p + eps) - (p - eps))


def relative_error(a, b):
    """|a - b| / max(|a|, |b|, FLOOR): relative for gradients above FLOOR.

    >>> relative_error(1.0, 1.000001) < 1.1e-6
    True
    >>> relative_error(0.0, 0.0)
    0.0
    """
    return abs(a - b) / max(abs(a), abs(b), FLOOR)


def all_parameters(net):
    """Every parameter as (k, j, i), node by node: W[k][j][i] for each i, then B[k][j] (i None)."""
    params = []
    for k in range(1, net.L + 1):
        for j in range(net.sizes[k]):
            params.extend((k, j, i) for i in range(net.sizes[k - 1]))
            params.append((k, j, None))
    return params
