"""Loss functions of one sample, and the delta they send into the output layer.

Y is the network's output H[L] and T the target, both lists of length N.
Each loss is a `Loss`, named like the activations (nnloop.layers.activations):

  value(Y, T)                  the loss of one sample
  delta(f, A, Y, T, delta)     fill delta[j] = dLoss/dA[L][j], where backprop starts
  broke_down(value)            True if that value means the arithmetic broke down

>>> mse([33.0], [20.0])             # the worked example: (20 - 33)^2
169.0
>>> round(cross_entropy([0.7, 0.2, 0.1], [1.0, 0.0, 0.0]), 4)
0.3567
"""
import math
import sys
from typing import Callable, NamedTuple

# log 0 is -inf: cross-entropy reads a probability that underflowed to 0 as
# the smallest positive normal float, so the loss stays finite (about 708).
SMALLEST = sys.float_info.min
CROSS_ENTROPY_CAP = -math.log(SMALLEST)


class Loss(NamedTuple):
    name: str
    value: Callable
    delta: Callable
    cap: float  # a value this large or larger, or NaN, means the arithmetic broke down

    def broke_down(self, value):
        """True if a sample's loss value is NaN, infinite, or at the cap.

        Cross-entropy at its cap means a probability the target needs has
        underflowed to 0, so the true loss is infinite.

        >>> mse_loss.broke_down(1e300), mse_loss.broke_down(float("nan"))
        (False, True)
        >>> cross_entropy_loss.broke_down(cross_entropy([1.0, 0.0], [0.0, 1.0]))
        True
        """
        return not value < self.cap


def mse(Y, T):
    """Mean squared error over the N output nodes: L = (1/N) sum_n (t_n - y_n)^2."""
    total = 0.0
    for n in range(len(Y)):
        e = T[n] - Y[n]
        total += e * e
    return total / len(Y)


def cross_entropy(Y, T):
    """E = -sum_i T[i] log Y[i], for a probability vector Y and a target T.

    A probability that has underflowed to 0 counts as the smallest positive
    float, so the loss is large (about 708 per unit of target) but finite.

    >>> cross_entropy([0.0, 1.0], [1.0, 0.0])
    708.3964185322641
    """
    total = 0.0
    for i in range(len(Y)):
        if T[i] != 0.0:
            total -= T[i] * math.log(max(Y[i], SMALLEST))
    return total


def cross_entropy_delta(f, A, Y, T, delta):
    """Fill delta[j] = dE/dA[j] = Y[j] sum(T) - T[j] for a softmax output layer.

    There is no f' factor, and that is not a missing term. The chain rule
    through softmax gives dY[i]/dA[j] = Y[i] (1[i == j] - Y[j]), and
    cross-entropy gives dE/dY[i] = -T[i] / Y[i]; multiplied and summed over
    i they make -T[j] + Y[j] sum_i T[i]. The f' factor is already inside;
    the two were made for each other. For a one-hot or any target that sums
    to 1 this is the familiar Y[j] - T[j]; a soft target (label smoothing)
    or one that does not sum to 1 gets the general form, so the gradient is
    always the gradient of the loss returned.

    >>> delta = [0.0, 0.0]
    >>> cross_entropy_delta(None, [0.0, 0.0], [0.25, 0.75], [0.0, 1.0], delta)
    >>> delta
    [0.25, -0.25]
    >>> cross_entropy_delta(None, [0.0, 0.0], [0.25, 0.75], [0.5, 0.25], delta)
    >>> delta                                  # 0.25 * 0.75 - 0.5, 0.75 * 0.75 - 0.25
    [-0.3125, 0.3125]
    """
    sum_T = 0.0
    for n in range(len(T)):
        sum_T += T[n]
    for j in range(len(Y)):
        delta[j] = Y[j] * sum_T - T[j]


def mse_delta(f, A, Y, T, delta):
    """Fill delta[j] = dL/dA[j] for the mean squared error and the output activation f.

    dL/dY[n] = -(2/N) (T[n] - Y[n]), times f'(A[n]) for an elementwise f;
    for a softmax output, times the softmax Jacobian:
    delta[j] = Y[j] (g[j] - sum_i Y[i] g[i]) with g = dL/dY.

    >>> from nnloop.layers.activations import identity
    >>> delta = [0.0]
    >>> mse_delta(identity, [33.0], [33.0], [20.0], delta); delta     # the worked example: 2 (33 - 20)
    [26.0]
    """
    N = len(Y)
    if f.derivative is None:  # softmax output
        g = [-2.0 / N * (T[n] - Y[n]) for n in range(N)]
        g_mean = 0.0
        for i in range(N):
            g_mean += Y[i] * g[i]
        for j in range(N):
            delta[j] = Y[j] * (g[j] - g_mean)
    else:
        for n in range(N):
            delta[n] = f.derivative(A[n], Y[n]) * (-2.0 / N) * (T[n] - Y[n])


mse_loss = Loss("mse", mse, mse_delta, math.inf)
cross_entropy_loss = Loss("cross_entropy", cross_entropy, cross_entropy_delta, CROSS_ENTROPY_CAP)

LOSSES = {loss.name: loss for loss in (mse_loss, cross_entropy_loss)}
