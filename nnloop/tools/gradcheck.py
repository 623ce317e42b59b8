"""Checking backprop against finite differences.

A network is a function of its parameters: Loss = f(input, P). Nudge one
parameter p by eps either way, and the central difference

    (Loss(p + eps) - Loss(p - eps)) / (2 eps)

approximates dLoss/dp with an error of order eps^2. It has an error of its
own, though: each loss is rounded to about 1e-16 of its size, so the
difference carries some 1e-16 |Loss| / eps of noise, and a loss in the
thousands makes that 1e-8 and more. The verdict accounts for it: every check
carries an estimate of the finite difference's own error (noise), and a
gradient fails only where backprop is off by more than the threshold plus
that noise. Dropout layers drop nodes as in training, with masks drawn
from a fixed seed (FIXED_SEED): the same masks in every forward pass, so
that the loss is one function of the parameters. Backprop must agree:

>>> from nnloop.network import Network
>>> net = Network([3, 4, 2], ["tanh", "softmax"], "cross_entropy", seed=5)
>>> samples = [([0.5, -1.0, 2.0], [0.0, 1.0]), ([1.0, 0.25, -0.5], [1.0, 0.0])]
>>> worst = max(check_gradients(net, samples), key=lambda c: c.error)
>>> worst.error < 1e-7, all(c.passes(THRESHOLD) for c in check_gradients(net, samples))
(True, True)
"""
import math
import sys
from typing import NamedTuple, Optional

from ..errors import NnloopError, short
from ..layers.dropout import FIXED_SEED
from ..layers.shapes import node_name
from ..network import NodeValues
from ..rng import Random

# Gradients smaller than this are compared absolutely. The central difference
# itself errs by about eps^2 |f'''| / 6 + 1e-16 |Loss| / eps, some 1e-10 at
# eps = 1e-5: noise that would swamp the relative error of a tiny gradient.
FLOOR = 1e-3

# A loss value is rounded at least once to its own size (half a machine
# epsilon of it) and is a sum of rounded terms; 16 machine epsilons of its
# size bounds how far from exact it comes out with room to spare.
ROUNDING = 16 * sys.float_info.epsilon

# The report of `nnloop gradcheck`: a correct backprop agrees with central
# differences to about 1e-9 on networks of nnloop's sizes (the property tests
# demand 1e-6 beyond the noise); a wrong one, a missing f' factor or a
# transposed index, is off by 1e-2 and more.
THRESHOLD = 1e-6
WORST = 3  # parameters shown per layer


class GradientCheck(NamedTuple):
    """One parameter's backprop gradient next to its finite difference.

    k, j, i     the parameter: W[k][j][i], or B[k][j] when i is None; in a
                convolution layer j is the kernel c and i the index of
                K[k][c][c'][u][v] in the list K[c], i = (c'*size + u)*size + v,
                or None for B[k][c]
    backprop    mean dLoss/dp from Network.gradients
    numerical   the central difference
    error       |backprop - numerical| / max(|backprop|, |numerical|, FLOOR)
    noise       the finite difference's own error estimated on the same
                scale: rounding, ROUNDING * |Loss| / step, plus truncation,
                |D(eps) - D(2 eps)| (D(eps) errs by c eps^2, D(2 eps) by
                4 c eps^2, so their gap is three times D(eps)'s error)
    name        the parameter as the textbook names it (parameter_name)
    """
    k: int
    j: int
    i: Optional[int]
    backprop: float
    numerical: float
    error: float
    noise: float
    name: str

    def passes(self, threshold=THRESHOLD):
        """True if backprop is within threshold of the finite difference, beyond its noise."""
        return self.error < threshold + self.noise


def parameter_name(net, k, j, i):
    """'W[2][0][1]', 'B[2][0]', or a kernel's 'K[1][0][0][2][1]': K[1][c][i] named K[1][c][c'][u][v]."""
    if i is None:
        return f"B[{k}][{j}]"
    layer = net.layers[k]
    return f"{layer.WEIGHTS}[{k}][{j}]{layer.weight_name(i)}"


def check_gradients(net, samples, eps=1e-5, params=None):
    """Compare backprop with central differences, parameter by parameter.

    samples is a list of (x, T) pairs; the loss is their mean. params lists
    the parameters to check as (k, j, i) tuples, i None for a bias; all of
    them if not given. Returns one GradientCheck per parameter; the network
    ends exactly as it began.
    """
    check_eps(eps)
    g = net.gradients(samples, FIXED_SEED)
    if params is None:
        params = all_parameters(net)
    check_params(net, params)
    checks = []
    for k, j, i in params:
        values, index = where(g.dW, g.dB, k, j, i)
        backprop = values[index]
        numerical, rounding = central_difference(net, samples, k, j, i, eps)
        coarse, _ = central_difference(net, samples, k, j, i, 2 * eps)
        scale = max(abs(backprop), abs(numerical), FLOOR)
        noise = (rounding + abs(numerical - coarse)) / scale
        checks.append(GradientCheck(k, j, i, backprop, numerical, relative_error(backprop, numerical), noise,
                                    parameter_name(net, k, j, i)))
    return checks


def numerical_derivative(net, samples, k, j, i, eps=1e-5):
    """(Loss(p + eps) - Loss(p - eps)) / (2 eps) for p = W[k][j][i], or B[k][j] if i is None."""
    return central_difference(net, samples, k, j, i, eps)[0]


def central_difference(net, samples, k, j, i, eps):
    """(the central difference, its rounding error ROUNDING * |Loss| / step)."""
    values, index = where(net.W, net.B, k, j, i)
    p = values[index]
    # (p + eps) - (p - eps) is the step the floats really took, not always 2 eps
    step = (p + eps) - (p - eps)
    if not step > 0:
        name = parameter_name(net, k, j, i)
        raise NnloopError(f"eps = {eps:g} vanishes next to {name} = {p:g}: p + eps == p - eps in floating point; "
                          f"use an eps above {abs(p) * 1e-15:.2g}")
    values[index] = p + eps
    loss_plus = net.mean_loss(samples, FIXED_SEED)
    values[index] = p - eps
    loss_minus = net.mean_loss(samples, FIXED_SEED)
    values[index] = p
    rounding = ROUNDING * max(abs(loss_plus), abs(loss_minus)) / step
    return (loss_plus - loss_minus) / step, rounding


def where(W, B, k, j, i):
    """(the list, the index in it) of parameter (k, j, i) in W and B (or in dW and dB): W[k][j][i], or a
    kernel's K[k][c][i] with j = c, or B[k][j] when i is None."""
    if i is None:
        return B[k], j
    return W[k][j], i


def check_params(net, params):
    """Refuse anything in params that names no parameter of net (see all_parameters)."""
    every = set(all_parameters(net))
    for p in params:
        try:
            known = p in every
        except TypeError:  # unhashable, so not one of the tuples
            known = False
        if not known:
            raise NnloopError(f"params must be (k, j, i) tuples naming W[k][j][i] (i None for B[k][j]), or "
                              f"(k, c, i) naming K[k][c][i], i = (c'*size + u)*size + v, of this "
                              f"{net.shape_name()} network; got {short(p)}")


def check_eps(eps):
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < math.inf:
        raise NnloopError(f"eps must be a number > 0, like 1e-5; got {eps!r}")
    if eps < 1e-12:
        raise NnloopError(f"eps = {eps:g} is so small that rounding swamps the difference: use 1e-7 to 1e-3 "
                          "(default 1e-5)")


def relative_error(a, b):
    """|a - b| / max(|a|, |b|, FLOOR): relative for gradients above FLOOR.

    >>> relative_error(1.0, 1.000001) < 1.1e-6
    True
    >>> relative_error(0.0, 0.0)
    0.0
    """
    return abs(a - b) / max(abs(a), abs(b), FLOOR)


def all_parameters(net):
    """Every parameter as (k, j, i), node by node: W[k][j][i] for each i, then B[k][j] (i None).

    A convolution layer's, kernel by kernel: K[k][c][c'][u][v] as (k, c, i), i = (c'*size + u)*size + v
    its index in the list K[c], then B[k][c] as (k, c, None). Pooling and flatten layers have none.
    """
    return [(k, j, i) for k in range(1, net.L + 1) for j, i in net.layers[k].parameter_indices()]


def sample_parameters(net, per_layer, rng):
    """Up to per_layer parameters (k, j, i) of each layer k, drawn by rng (a nnloop.rng.Random).

    A layer with per_layer parameters or fewer has all of them checked.
    Drawing per layer, not from all at once, keeps the small output layer
    of a 784-100-10 network from being all but left out.
    """
    chosen, params = [], all_parameters(net)
    for k in range(1, net.L + 1):
        layer = [p for p in params if p[0] == k]
        positions = list(range(len(layer)))
        if len(layer) > per_layer:
            rng.shuffle(positions)
            positions = sorted(positions[:per_layer])
        chosen += [layer[n] for n in positions]
    return chosen


def relu_kinks(net, samples, margin):
    """(k, j, n, A) for each relu node j of layer k whose A[k][j] is within margin of 0 on sample n.

    In feature maps, j is the node's position as text: '[c][y][x]'.

    relu has no derivative at 0: there a nudge of eps can switch the node
    on or off, and the central difference measures the jump, not a slope.
    """
    kinks = []
    v = NodeValues(net)
    for n, (x, _) in enumerate(samples):
        v.draw_masks(Random(FIXED_SEED + n))  # the masks check_gradients fixes
        net.forward(x, v)
        for k in range(1, net.L + 1):
            if net.activations[k] == "relu" and isinstance(net.shapes[k], int):  # a list of nodes
                kinks += [(k, j, n, a) for j, a in enumerate(v.A[k]) if abs(a) < margin]
            elif net.activations[k] == "relu":  # feature maps: node i named by its place (c, y, x)
                kinks += [(k, node_name(net.shapes[k], i), n, a)
                          for i, a in enumerate(v.A[k]) if abs(a) < margin]
    return kinks


def report(net, samples, params, eps=1e-5, threshold=THRESHOLD):
    """(lines, passed): per layer, the parameters of params with the worst relative errors.

    passed is True if every check passes: its error is below threshold plus
    the finite difference's own noise, printed beside it.
    """
    checks = check_gradients(net, samples, eps, params)
    lines = [f"each backprop gradient against the central difference (L(p + eps) - L(p - eps)) / (2 eps), "
             f"eps = {eps:g}",
             f"relative error = |backprop - numerical| / max(|backprop|, |numerical|, {FLOOR:g}); noise = the "
             f"central difference's own error on the same scale: rounding, 16 machine epsilons of |L| over the step "
             f"2 eps, plus truncation, its change from 2 eps to eps"]
    for k in range(1, net.L + 1):
        layer = sorted((c for c in checks if c.k == k), key=lambda c: -c.error)
        if layer:
            lines.append(f"layer {k}: {len(layer)} parameters checked, the worst {min(WORST, len(layer))}:")
            lines += [f"  {c.name:<16} backprop {c.backprop:<+20.12g} numerical {c.numerical:<+20.12g} "
                      f"noise {c.noise:<8.2g} error {c.error:.2g}" for c in layer[:WORST]]
    failed = [c for c in checks if not c.passes(threshold)]
    for k, j, n, a in relu_kinks(net, samples, margin=100 * eps):
        position = j if isinstance(j, str) else f"[{j}]"
        lines.append(f"note: A[{k}]{position} = {a:.3g} on sample {n} is within {100 * eps:g} of relu's kink at 0, "
                     f"where relu has no derivative; errors of the parameters feeding it are not backprop's fault")
    if failed:
        worst = max(failed, key=lambda c: c.error - c.noise)
        lines.append(f"FAILED: {len(failed)} of {len(checks)} relative errors are {threshold:g} or more beyond the "
                     f"noise, the worst {worst.error:.2g} (noise {worst.noise:.2g}) at {worst.name}: backprop and "
                     "finite differences disagree")
    else:
        worst = max(checks, key=lambda c: c.error)
        lines.append(f"passed: every relative error is below {threshold:g} plus the noise (the worst, "
                     f"{worst.error:.2g} at {worst.name}, noise {worst.noise:.2g}): backprop agrees with finite "
                     "differences")
    return lines, not failed
