"""The network: plain lists of weights and biases, a forward and a backward pass.

The notation, used everywhere in nnloop. Layers k = 0..L: layer 0 is the
input (one node per pixel of an image), layer L the output (one node per
class), the ones between are hidden. Every node of layer k-1 feeds every
node of layer k. W[k][j][i] is the weight of the edge from node i of layer
k-1 to node j of layer k, B[k][j] the bias of node j of layer k. For one
sample, node by node:

  forward    A[k][j] = B[k][j] + sum_i W[k][j][i] * H[k-1][i]    the pre-activation
             H[k][j] = f_k(A[k][j])                  the output; H[0] = x, the input
  backward   delta[L][j]   = dLoss/dA[L][j]          where the loss enters
             dB[k][j]     += delta[k][j]             the bias gradient is the delta
             dW[k][j][i]  += H[k-1][i] * delta[k][j] an edge's input times its delta
             back[k-1][i]  = sum_j W[k][j][i] * delta[k][j]   sent back to layer k-1
             delta[k-1][i] = f'_{k-1}(A[k-1][i]) * back[k-1][i]

Y = H[L] is the output and T the target; Network.forward is the first two
lines, one loop each, and Network.backward the other five. backward is the
chain rule taken one node at a time: dW and dB add up, sample after sample,
so that a minibatch's update can use their mean.

The worked example: input x = [2, 3, 1], hidden weights W[1] = [[3, 1, 2],
[-2, -3, -1]], output weights W[2] = [[3, 2]], all biases 0, a relu hidden
layer, an identity output and target 20. Forward: A[1] = [11, -14],
H[1] = [11, 0], Y = 33, and the mean squared error is (20 - 33)^2 = 169.
Backward: delta[2] = 2 (33 - 20) = 26, back[1] = [3*26, 2*26] = [78, 52],
delta[1] = [78, 0] (relu is off at -14), dW[1][0] = 78 x = [156, 234, 78]:

>>> net = Network.with_parameters(
...     W=[[], [[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]], [[3.0, 2.0]]],
...     B=[[], [0.0, 0.0], [0.0]],
...     activations=["relu", "identity"], loss="mse")
>>> v = NodeValues(net.sizes)
>>> net.forward([2.0, 3.0, 1.0], v)
[33.0]
>>> v.A[1], v.H[1]
([11.0, -14.0], [11.0, 0.0])
>>> net.sample_loss(v.H[2], [20.0])
169.0
>>> g = Gradients(net.sizes)
>>> net.backward(v, [20.0], g)
>>> v.delta[2], v.back[1], v.delta[1]
([26.0], [78.0, 52.0], [78.0, 0.0])
>>> g.dW[1]
[[156.0, 234.0, 78.0], [0.0, 0.0, 0.0]]

In pdb, `p net`, `p v` and `p g` show the sizes and each layer's first values:

>>> net
Network 3-2-1 (relu, identity; mse)
  layer 1 (relu): W[1][0] = [3, 1, 2]  B[1] = [0, 0]
  layer 2 (identity): W[2][0] = [3, 2]  B[2] = [0]
>>> v
NodeValues 3-2-1
  H[0] = [2, 3, 1]
  layer 1: A[1] = [11, -14]  H[1] = [11, 0]  delta[1] = [78, 0]
  layer 2: A[2] = [33]  H[2] = [33]  delta[2] = [26]
>>> g
Gradients 3-2-1
  layer 1: dW[1][0] = [156, 234, 78]  dB[1] = [78, 0]
  layer 2: dW[2][0] = [286, 0]  dB[2] = [26]
"""
import math

from .activations import ACTIVATIONS
from .errors import NnloopError
from .losses import LOSSES, output_delta, sample_loss
from .rng import Random


class Network:
    """A fully connected network held in plain lists.

    sizes[k]        number of nodes of layer k, k = 0..L (layer 0: the input)
    activations[k]  name of f_k, the activation of layer k; activations[0] is
                    None, since inputs are not activated
    W[k][j][i]      weight of the edge from node i of layer k-1 to node j of
                    layer k: W[k] has sizes[k] rows of sizes[k-1]; W[0] is []
    B[k][j]         bias of node j of layer k; B[0] is []
    loss            "mse" or "cross_entropy"

    Network(sizes, activations, loss, seed) draws the weights at random
    (He or Xavier, see initial_weights); Network.with_parameters takes them.

    >>> net = Network([784, 100, 10], ["relu", "softmax"], "cross_entropy", seed=1)
    >>> net.L, len(net.W[1]), len(net.W[1][0]), net.activations
    (2, 100, 784, [None, 'relu', 'softmax'])
    """

    def __init__(self, sizes, activations, loss, seed=0):
        check_architecture(sizes, activations, loss)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise NnloopError(f"seed must be a whole number, like 0 or 42; got {seed!r}")
        self.sizes = list(sizes)
        self.activations = [None] + list(activations)
        self.loss = loss
        self.L = len(sizes) - 1
        self.f = [None] + [ACTIVATIONS[name] for name in activations]
        self.W = initial_weights(self.sizes, self.activations, Random(seed))
        self.B = [[]] + [[0.0] * n for n in self.sizes[1:]]

    @classmethod
    def with_parameters(cls, W, B, activations, loss):
        """A network with the given weights W[k][j][i] and biases B[k][j].

        W[0] and B[0] are the empty lists of the input layer; sizes follow
        from the shapes, which must fit together.
        """
        if not isinstance(W, list) or len(W) < 2 or W[0] != []:
            raise NnloopError("W must be a list [[], W[1], ..., W[L]] with W[0] == [] for the input layer")
        for k in range(1, len(W)):
            if not isinstance(W[k], list) or not W[k] or not all(isinstance(row, list) for row in W[k]):
                raise NnloopError(f"W[{k}] must be a non-empty list of rows W[{k}][j], one list of weights per node "
                                  f"of layer {k}; got {short(W[k])}")
        sizes = [len(W[1][0])]
        sizes += [len(W_k) for W_k in W[1:]]
        check_architecture(sizes, activations, loss)
        check_parameters(W, B, sizes)
        net = cls.__new__(cls)
        net.sizes = sizes
        net.activations = [None] + list(activations)
        net.loss = loss
        net.L = len(sizes) - 1
        net.f = [None] + [ACTIVATIONS[name] for name in activations]
        net.W = [[]] + [[[float(w) for w in row] for row in W_k] for W_k in W[1:]]
        net.B = [[]] + [[float(b) for b in B_k] for B_k in B[1:]]
        return net

    def __repr__(self):
        """Network 3-2-1 (relu, identity; mse), then W[k] and B[k] of each layer, their first values.

        Short enough for `p net` in pdb, however wide the layers.
        """
        lines = [f"Network {'-'.join(map(str, self.sizes))} ({', '.join(self.activations[1:])}; {self.loss})"]
        for k in range(1, self.L + 1):
            lines.append(f"  layer {k} ({self.activations[k]}): W[{k}][0] = {first(self.W[k][0])}  "
                         f"B[{k}] = {first(self.B[k])}")
        return "\n".join(lines)

    def forward(self, x, v=None):
        """Run one sample x forward; fill v.A and v.H and return Y = v.H[L].

        x is a list of sizes[0] floats; v a NodeValues for this network
        (a fresh one if not given; reuse one to save allocating it per sample).
        """
        if v is None:
            v = NodeValues(self.sizes)
        if not isinstance(x, list) or len(x) != self.sizes[0]:
            check_values(x, self.sizes[0], "input", "the network's layer 0 has")
        v.H[0] = x
        try:
            for k in range(1, self.L + 1):
                W_k, B_k, A_k, H_prev = self.W[k], self.B[k], v.A[k], v.H[k - 1]
                nonzero = v.nonzero[k - 1]
                find_nonzero(H_prev, nonzero)
                for j in range(len(A_k)):
                    W_kj = W_k[j]  # hoisted: one lookup per node, not per edge
                    a = B_k[j]
                    for i in nonzero:  # a zero input adds nothing (81% of MNIST pixels)
                        a += W_kj[i] * H_prev[i]
                    A_k[j] = a
                self.f[k].forward(A_k, v.H[k])
                if v.mask[k]:  # dropout, in training only: H[k][j] *= mask[k][j] (nnloop.dropout)
                    apply_mask(v.H[k], v.mask[k], v.F[k])
        except TypeError:  # a value of x that is not a number: say which, at no cost to good inputs
            check_values(x, self.sizes[0], "input", "the network's layer 0 has")
            raise
        # A NaN or infinite x[i] makes every A[1][j] NaN or infinite (even 0 * inf is NaN), so one
        # comparison per sample finds it; only then is x looked at value by value.
        if not -math.inf < v.A[1][0] < math.inf:
            check_numbers(x, "input")
        return v.H[self.L]

    def backward(self, v, T, g):
        """Backpropagate one sample: fill v.delta, v.back; add dW, dB into g.

        Needs forward(x, v) for the same sample first; T is its target.
        Adds into g, so that a minibatch sums its samples' gradients.
        """
        L = self.L
        check_values(T, self.sizes[L], "target", "the output layer has")
        output_delta(self.loss, self.f[L], v.A[L], v.H[L], T, v.delta[L])
        for k in range(L, 0, -1):
            delta_k, H_prev, nonzero = v.delta[k], v.H[k - 1], v.nonzero[k - 1]
            dW_k, dB_k = g.dW[k], g.dB[k]
            for j in range(len(delta_k)):
                d = delta_k[j]
                dB_k[j] += d  # the bias gradient is the delta itself
                if d == 0.0:  # a relu node that was off: no gradient on its edges
                    continue
                dW_kj = dW_k[j]
                for i in nonzero:  # a zero input's edge gets H * delta = 0
                    dW_kj[i] += H_prev[i] * d
            if k == 1:
                break  # layer 0 is the input: no parameters below it to learn
            W_k, back, delta_prev = self.W[k], v.back[k - 1], v.delta[k - 1]
            A_prev, f_prev, mask = v.A[k - 1], self.f[k - 1], v.mask[k - 1]
            F_prev = v.F[k - 1] if mask else H_prev  # f' takes f(A), which dropout keeps in F
            for i in range(len(back)):
                s = 0.0
                for j in range(len(delta_k)):
                    s += W_k[j][i] * delta_k[j]
                back[i] = s
                delta_prev[i] = f_prev.derivative(A_prev[i], F_prev[i]) * s
            if mask:  # dropout's backward: H = f(A) * mask, so delta is multiplied by the same mask
                for i in range(len(delta_prev)):
                    delta_prev[i] *= mask[i]

    def sample_loss(self, Y, T):
        """The loss of one sample with output Y and target T."""
        check_values(T, self.sizes[self.L], "target", "the output layer has")
        try:
            if len(Y) == self.sizes[self.L]:  # Y comes from forward, checked there
                return sample_loss(self.loss, Y, T)
        except TypeError:
            pass
        check_values(Y, self.sizes[self.L], "output", "the output layer has")
        raise NnloopError(f"output Y must be a list of {self.sizes[self.L]} numbers, got {short(Y)}: pass what "
                          "forward returned")

    def mean_loss(self, samples):
        """The mean loss over a list of (x, t) pairs; the network is unchanged."""
        check_samples(samples)
        v = NodeValues(self.sizes)
        total = 0.0
        for x, t in samples:
            total += self.sample_loss(self.forward(x, v), t)
        return total / len(samples)

    def gradients(self, samples):
        """The mean gradients of the loss over a list of (x, t) pairs.

        Returns fresh Gradients: asking twice gives the same answer, and the
        network is left untouched.
        """
        check_samples(samples)
        v = NodeValues(self.sizes)
        g = Gradients(self.sizes)
        for x, t in samples:
            self.forward(x, v)
            self.backward(v, t, g)
        g.scale(1.0 / len(samples))
        return g


class NodeValues:
    """What one sample leaves at the nodes during a forward and backward pass.

    A[k][j]      pre-activation of node j of layer k (A[0] is [])
    H[k][j]      output of node j of layer k; H[0] is the input x
    delta[k][j]  dLoss/dA[k][j], the backprop value (delta[0] is [])
    back[k][i]   sum_j W[k+1][j][i] * delta[k+1][j], what layer k+1 sends
                 back to node i of layer k (back[0] and back[L] are [])
    nonzero[k]   the indices i where H[k][i] != 0, which the sums skip
    mask[k][j]   dropout (training only): 0 for a dropped node j of hidden
                 layer k, 1 / (1 - P) for a kept one; [] for no dropout
    F[k][j]      with dropout, f_k(A[k][j]) before the mask, which f' needs

    One NodeValues is reused sample after sample; the lists are filled in place.
    """

    def __init__(self, sizes):
        L = len(sizes) - 1
        self.A = [[]] + [[0.0] * n for n in sizes[1:]]
        self.H = [[0.0] * n for n in sizes]
        self.delta = [[]] + [[0.0] * n for n in sizes[1:]]
        self.back = [[]] + [[0.0] * n for n in sizes[1:L]] + [[]]
        self.nonzero = [[] for _ in sizes]
        self.mask = [[] for _ in sizes]
        self.F = [[] for _ in sizes]

    def __repr__(self):
        """NodeValues 3-2-1, then A, H, delta of each layer k, their first values."""
        sizes = [len(H) for H in self.H]
        lines = [f"NodeValues {'-'.join(map(str, sizes))}", f"  H[0] = {first(self.H[0])}"]
        for k in range(1, len(sizes)):
            lines.append(f"  layer {k}: A[{k}] = {first(self.A[k])}  H[{k}] = {first(self.H[k])}  "
                         f"delta[{k}] = {first(self.delta[k])}")
        return "\n".join(lines)


class Gradients:
    """Gradient accumulators shaped like the parameters.

    dW[k][j][i]  accumulated dLoss/dW[k][j][i] (dW[0] is [])
    dB[k][j]     accumulated dLoss/dB[k][j] (dB[0] is [])
    """

    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.zero()

    def __repr__(self):
        """Gradients 3-2-1, then dW[k][0] and dB[k] of each layer k, their first values."""
        lines = [f"Gradients {'-'.join(map(str, self.sizes))}"]
        for k in range(1, len(self.sizes)):
            lines.append(f"  layer {k}: dW[{k}][0] = {first(self.dW[k][0])}  dB[{k}] = {first(self.dB[k])}")
        return "\n".join(lines)

    def zero(self):
        """Clear the accumulators, as at the start of every minibatch."""
        sizes = self.sizes
        self.dW = [[]] + [[[0.0] * sizes[k - 1] for _ in range(sizes[k])] for k in range(1, len(sizes))]
        self.dB = [[]] + [[0.0] * n for n in sizes[1:]]

    def add(self, other):
        """Add other's accumulators into these."""
        for k in range(1, len(self.sizes)):
            for j in range(self.sizes[k]):
                dW_kj, other_kj = self.dW[k][j], other.dW[k][j]
                for i in range(len(dW_kj)):
                    dW_kj[i] += other_kj[i]
                self.dB[k][j] += other.dB[k][j]

    def scale(self, c):
        """Multiply every accumulator by c (1/k turns a sum into a mean)."""
        for k in range(1, len(self.sizes)):
            for j in range(self.sizes[k]):
                dW_kj = self.dW[k][j]
                for i in range(len(dW_kj)):
                    dW_kj[i] *= c
                self.dB[k][j] *= c

    def mean_abs_dW(self):
        """[m_1, ..., m_L]: m_k is the mean of |dW[k][j][i]| over layer k's weights.

        How strongly each layer is being pushed: where gradients vanish, the
        first layers' numbers are orders of magnitude below the last's.
        """
        means = []
        for k in range(1, len(self.sizes)):
            total = 0.0
            for dW_kj in self.dW[k]:
                for d in dW_kj:
                    total += abs(d)
            means.append(total / (self.sizes[k] * self.sizes[k - 1]))
        return means


def first(values, n=4):
    """The first n values, 4 significant digits each, and how many more: '[0.5, -1.25, ... 782 more]'.

    >>> first([0.5, -1.25, 3.0, 4.0, 5.0, 6.0])
    '[0.5, -1.25, 3, 4, ... 2 more]'
    """
    shown = ", ".join(f"{v:.4g}" for v in values[:n])
    return f"[{shown}, ... {len(values) - n} more]" if len(values) > n else f"[{shown}]"


def apply_mask(H, mask, F):
    """Dropout's forward on one layer: F[j] = H[j], the node's f(A); then H[j] *= mask[j]."""
    for j in range(len(H)):
        F[j] = H[j]
        H[j] *= mask[j]


def find_nonzero(H, nonzero):
    """Fill the list nonzero with the indices i where H[i] != 0."""
    del nonzero[:]
    for i in range(len(H)):
        if H[i] != 0.0:
            nonzero.append(i)


def initial_weights(sizes, activations, rng):
    """W[k][j][i] drawn from a Gaussian, std sqrt(2/n) or sqrt(1/n).

    n = sizes[k-1], the number of inputs of a node of layer k. He's sqrt(2/n)
    for relu layers makes up for relu zeroing half its inputs; Xavier's
    sqrt(1/n) suits the others. Returns [[], W[1], ..., W[L]].
    """
    W = [[]]
    for k in range(1, len(sizes)):
        n = sizes[k - 1]
        std = math.sqrt((2.0 if activations[k] == "relu" else 1.0) / n)
        W.append([[std * rng.gauss() for i in range(n)] for j in range(sizes[k])])
    return W


def check_architecture(sizes, activations, loss):
    """Refuse a network that cannot be built or makes no sense."""
    if not isinstance(sizes, (list, tuple)):
        raise NnloopError(f"sizes must be a list of layer sizes, like [784, 100, 10]; got {short(sizes)}")
    if not isinstance(activations, (list, tuple)):
        raise NnloopError(f"activations must be a list of names, one per layer after the input, like "
                          f"['relu', 'softmax']; got {short(activations)}")
    sizes, activations = list(sizes), list(activations)
    if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise NnloopError(f"sizes must be 2 or more positive integers (input, ..., output), got {sizes}")
    if len(activations) != len(sizes) - 1:
        raise NnloopError(f"{len(sizes) - 1} layers after the input need {len(sizes) - 1} activations, got {len(activations)}: give one per layer after the input")
    for name in activations:
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise NnloopError(f"unknown activation {short(name)}: use one of {', '.join(ACTIVATIONS)}")
    if "softmax" in activations[:-1]:
        raise NnloopError("softmax is for the output layer only: use relu, sigmoid, tanh or identity in hidden layers")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise NnloopError(f"unknown loss {short(loss)}: use mse or cross_entropy")
    if activations[-1] == "softmax" and sizes[-1] < 2:
        raise NnloopError("softmax over 1 output node is always 1: use 2 or more output nodes, or sigmoid")
    if loss == "cross_entropy" and activations[-1] != "softmax":
        raise NnloopError(f"cross_entropy needs probabilities from a softmax output layer, not {activations[-1]}: "
                          "make the last activation softmax, or use loss mse")


def check_parameters(W, B, sizes):
    """Refuse weights and biases whose shapes do not fit the sizes."""
    L = len(sizes) - 1
    if not isinstance(B, list) or len(B) != L + 1 or B[0] != []:
        raise NnloopError(f"B must be a list [[], B[1], ..., B[{L}]] with B[0] == [] for the input layer")
    for k in range(1, L + 1):
        if not isinstance(W[k], list) or not isinstance(B[k], list) or len(B[k]) != sizes[k]:
            raise NnloopError(f"layer {k}: W[{k}] has {len(W[k])} rows but B[{k}] has {len(B[k])} biases: give one bias per row")
        for j, row in enumerate(W[k]):
            if not isinstance(row, list) or len(row) != sizes[k - 1]:
                raise NnloopError(f"W[{k}][{j}] must hold {sizes[k - 1]} weights, one per node of layer {k - 1}")
            check_numbers(row, f"W[{k}][{j}]")
        check_numbers(B[k], f"B[{k}]")


def check_values(values, n, what, layer):
    """Refuse values that are not n finite numbers; cheap enough to run on every sample.

    One sum, done in C, finds any non-number (TypeError) and almost any
    NaN or infinity (the sum is not finite); only then are the values
    looked at one by one, since finite values can also overflow the sum.
    """
    try:
        if len(values) != n:
            raise NnloopError(f"{what} has {len(values)} values, {layer} {n} nodes: give one number per node")
        total = sum(values)
    except TypeError:
        raise NnloopError(f"{what} must be a list of {n} numbers, got {short(values)}") from None
    if not -math.inf < total < math.inf:
        check_numbers(values, what)


def check_samples(samples):
    """Refuse anything but a non-empty list of (x, t) pairs: once per call, not per sample.

    The numbers inside are checked by forward and backward as they go.
    Anything else with len() and samples[i] (nnloop.mnist.Digits) is taken
    as it is.
    """
    if isinstance(samples, (str, bytes, dict)) or not hasattr(samples, "__len__") or len(samples) == 0:
        raise NnloopError(f"samples must be a non-empty list of (x, t) pairs, got {short(samples)}")
    if isinstance(samples, (list, tuple)):
        for n, pair in enumerate(samples):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise NnloopError(f"sample {n} must be a pair (x, t) of an input and a target, got {short(pair)}")


def short(value):
    """repr(value), cut to fit in a one-line message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_numbers(values, where):
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise NnloopError(f"{where} must hold finite numbers, found {short(value)}: replace it with a finite number")
