"""Optimizers: how a minibatch's gradient moves the parameters.

For every parameter p (each W[k][j][i] and B[k][j]) with g its minibatch-mean
gradient (dW[k][j][i] / batch_size, dB[k][j] / batch_size) and eta the
learning rate, one step of each update rule is:

  SGD        p -= eta * g
  momentum   v = mu * v - eta * g;            p += v
  Nesterov   v_old = v; v = mu * v - eta * g;  p += -mu * v_old + (1 + mu) * v
  AdaGrad    h += g * g;                       p -= eta * g / (sqrt(h) + eps)
  RMSProp    h = rho * h + (1 - rho) * g * g;  p -= eta * g / (sqrt(h) + eps)
  Adam       m = b1 * m + (1 - b1) * g;  s = b2 * s + (1 - b2) * g * g
             m_hat = m / (1 - b1^t);  s_hat = s / (1 - b2^t)
             p -= eta * m_hat / (sqrt(s_hat) + eps)

The state (v, h, m, s) is held per parameter in plain lists shaped like the
parameters, {"W": [[], W[1], ..., W[L]], "B": [[], B[1], ..., B[L]]}, all
zero at the start; t = 1, 2, ... counts the steps.

Weight decay, lambda > 0, pulls the weights (not the biases) toward 0:
coupled (L2) adds lambda * W to the weights' gradient before the step, so
Adam and friends rescale it like the rest of g; decoupled (as AdamW) instead
shrinks W by eta * lambda * W beside the step, whatever the rule.

>>> from nnloop.network import Network, Gradients
>>> net = Network.with_parameters(W=[[], [[1.0, -2.0]]], B=[[], [0.5]], activations=["identity"], loss="mse")
>>> g = Gradients(net.sizes)
>>> g.dW[1][0], g.dB[1][0] = [4.0, -4.0], 2.0      # sums over a minibatch of 2: g = [2, -2] and 1
>>> adam = Adam(net, b1=0.9, b2=0.999, eps=1e-8)
>>> adam.step(net, g, eta=0.1, batch_size=2)
>>> [round(w, 6) for w in net.W[1][0]], round(net.B[1][0], 6)   # step 1: m_hat / sqrt(s_hat) = sign(g)
([0.9, -1.9], 0.4)
>>> adam
Adam(b1=0.9, b2=0.999, eps=1e-08, t=1)
"""
import math

from .. import lists
from ..errors import NnloopError, short
from ..layers.conv import as_grids, kernels
from ..lists import rows


class Optimizer:
    """What every update rule shares: the step count t, weight decay, the state lists.

    t             steps taken so far (Adam's bias correction needs it)
    weight_decay  lambda, 0.0 for none
    decay         "coupled" (L2, added to the gradient) or "decoupled" (AdamW)
    state         {name: {"W": ..., "B": ...}}: the rule's per-parameter lists

    A subclass names its hyperparameters in HYPERPARAMETERS (with defaults)
    and its per-parameter lists in STATE, and its update() is its formula.
    """
    NAME = None
    HYPERPARAMETERS = {}
    STATE = ()
    SQUARES = ()  # the state lists that sum squares of gradients: never negative

    def __init__(self, net, weight_decay=0.0, decay="coupled", **hyperparameters):
        for name, value in {**self.HYPERPARAMETERS, **hyperparameters}.items():
            if name not in self.HYPERPARAMETERS:
                raise NnloopError(f"{self.NAME} has no hyperparameter {name!r}: leave it out; it has "
                                  f"{', '.join(self.HYPERPARAMETERS) or 'none'}")
            check_hyperparameter(name, value)
            setattr(self, name, float(value))
        check_hyperparameter("weight_decay", weight_decay)
        if decay not in DECAYS:
            raise NnloopError(f"weight decay is 'coupled' (L2, added to the gradient) or 'decoupled' (AdamW), "
                              f"not {decay!r}")
        self.weight_decay, self.decay = float(weight_decay), decay
        self.t = 0
        self.state = {name: zeros_like(net) for name in self.STATE}
        self.shapes = list(net.shapes)  # the network it was made for: its state fits no other

    def step(self, net, gradients, eta, batch_size):
        """Update every parameter of net from the gradient sums of a minibatch of batch_size samples.

        gradients holds sums over the minibatch (Gradients.dW, .dB), as
        training.accumulate leaves them; g is their mean. The rule sets
        each sum to 0 right after it is used, so gradients is cleared for
        the next minibatch without a pass of its own. Coupled weight
        decay is added into those sums first (so the weights' g grows by
        lambda * W); decoupled decay shrinks W before the rule moves it.
        """
        if net.shapes != self.shapes:
            raise NnloopError(f"this {self.NAME} optimizer was made for a {describe_shapes(self.shapes)} network, "
                              f"not this {net.shape_name()} one: make one for it, {type(self).__name__}(net)")
        self.t += 1
        if self.weight_decay and self.decay == "coupled":
            add_weight_decay(net, gradients, self.weight_decay * batch_size)
        if self.weight_decay and self.decay == "decoupled":
            shrink_weights(net, eta * self.weight_decay)
        self.update(net, gradients, eta, batch_size)

    def update(self, net, gradients, eta, batch_size):
        raise NotImplementedError

    def __repr__(self):
        settings = [f"{name}={getattr(self, name):g}" for name in self.HYPERPARAMETERS]
        if self.weight_decay:
            settings.append(f"weight_decay={self.weight_decay:g} ({self.decay})")
        return f"{type(self).__name__}({', '.join(settings + [f't={self.t}'])})"

    def to_document(self, net):
        """The optimizer of net as a JSON-ready dict for the model file: name, settings, t and state, the state
        shaped as the file holds W (a convolution's kernels as grids, nnloop.layers.conv.Conv2D.grids)."""
        state = {name: {"W": as_written(net, self.state[name]["W"]), "B": self.state[name]["B"]} for name in self.state}
        return {"name": self.NAME, **{name: getattr(self, name) for name in self.HYPERPARAMETERS},
                "weight_decay": self.weight_decay, "decay": self.decay, "t": self.t, "state": state}


class SGD(Optimizer):
    """SGD: p -= eta * g.

    Computed as p -= (eta / batch_size) * sum, the order plain SGD has
    always used, so that models stay bit for bit what they were.
    """
    NAME = "sgd"

    def update(self, net, gradients, eta, batch_size):
        eta_per_sample = eta / batch_size  # the sums hold batch_size samples: eta times their mean
        for p, dp in parameter_rows(net, gradients):
            for i in range(len(p)):
                p[i] -= eta_per_sample * dp[i]
                dp[i] = 0.0  # used up: cleared for the next minibatch


class Momentum(Optimizer):
    """Momentum: v = mu * v - eta * g;  p += v.

    v is a velocity: a running sum of past steps that decays by mu per step,
    so steps that agree add up (about 1 / (1 - mu) times one step) and
    steps that zig-zag cancel. mu = 0 is plain SGD.
    """
    NAME = "momentum"
    HYPERPARAMETERS = {"mu": 0.9}
    STATE = ("v",)

    def update(self, net, gradients, eta, batch_size):
        mu, scale = self.mu, 1.0 / batch_size
        for p, dp, v in parameter_rows(net, gradients, self.state["v"]):
            for i in range(len(p)):
                g = dp[i] * scale
                dp[i] = 0.0  # used up: cleared for the next minibatch
                v[i] = mu * v[i] - eta * g
                p[i] += v[i]


class Nesterov(Optimizer):
    """Nesterov momentum: v_old = v; v = mu * v - eta * g;  p += -mu * v_old + (1 + mu) * v.

    Momentum that looks ahead: the step is taken as if the gradient had
    been measured where the velocity is about to carry p.
    """
    NAME = "nesterov"
    HYPERPARAMETERS = {"mu": 0.9}
    STATE = ("v",)

    def update(self, net, gradients, eta, batch_size):
        mu, scale = self.mu, 1.0 / batch_size
        for p, dp, v in parameter_rows(net, gradients, self.state["v"]):
            for i in range(len(p)):
                g = dp[i] * scale
                dp[i] = 0.0  # used up: cleared for the next minibatch
                v_old = v[i]
                v[i] = mu * v[i] - eta * g
                p[i] += -mu * v_old + (1.0 + mu) * v[i]


class AdaGrad(Optimizer):
    """AdaGrad: h += g * g;  p -= eta * g / (sqrt(h) + eps).

    h sums every squared gradient so far: parameters that have been pushed
    hard take smaller and smaller steps, rarely pushed ones keep large ones.
    """
    NAME = "adagrad"
    HYPERPARAMETERS = {"eps": 1e-8}
    STATE = ("h",)
    SQUARES = ("h",)

    def update(self, net, gradients, eta, batch_size):
        eps, scale = self.eps, 1.0 / batch_size
        for p, dp, h in parameter_rows(net, gradients, self.state["h"]):
            for i in range(len(p)):
                g = dp[i] * scale
                dp[i] = 0.0  # used up: cleared for the next minibatch
                h[i] += g * g
                p[i] -= eta * g / (math.sqrt(h[i]) + eps)


class RMSProp(Optimizer):
    """RMSProp: h = rho * h + (1 - rho) * g * g;  p -= eta * g / (sqrt(h) + eps).

    AdaGrad with a memory that fades by rho per step, so the steps do not
    shrink forever: each parameter's step is scaled by its recent RMS gradient.
    """
    NAME = "rmsprop"
    HYPERPARAMETERS = {"rho": 0.9, "eps": 1e-8}
    STATE = ("h",)
    SQUARES = ("h",)

    def update(self, net, gradients, eta, batch_size):
        rho, eps, scale = self.rho, self.eps, 1.0 / batch_size
        for p, dp, h in parameter_rows(net, gradients, self.state["h"]):
            for i in range(len(p)):
                g = dp[i] * scale
                dp[i] = 0.0  # used up: cleared for the next minibatch
                h[i] = rho * h[i] + (1.0 - rho) * g * g
                p[i] -= eta * g / (math.sqrt(h[i]) + eps)


class Adam(Optimizer):
    """Adam: m = b1 * m + (1 - b1) * g;  s = b2 * s + (1 - b2) * g * g;
    m_hat = m / (1 - b1^t);  s_hat = s / (1 - b2^t);  p -= eta * m_hat / (sqrt(s_hat) + eps).

    Momentum (m, the mean of recent g) and RMSProp (s, of recent g * g)
    together. m and s start at 0, so early on they are too small by the
    factors 1 - b1^t and 1 - b2^t: dividing by them (bias correction) makes
    the first step about eta * sign(g) for every parameter.
    """
    NAME = "adam"
    HYPERPARAMETERS = {"b1": 0.9, "b2": 0.999, "eps": 1e-8}
    STATE = ("m", "s")
    SQUARES = ("s",)

    def update(self, net, gradients, eta, batch_size):
        b1, b2, eps, scale = self.b1, self.b2, self.eps, 1.0 / batch_size
        correction1, correction2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        for p, dp, m, s in parameter_rows(net, gradients, self.state["m"], self.state["s"]):
            for i in range(len(p)):
                g = dp[i] * scale
                dp[i] = 0.0  # used up: cleared for the next minibatch
                m[i] = b1 * m[i] + (1.0 - b1) * g
                s[i] = b2 * s[i] + (1.0 - b2) * g * g
                m_hat = m[i] / correction1
                s_hat = s[i] / correction2
                p[i] -= eta * m_hat / (math.sqrt(s_hat) + eps)


OPTIMIZERS = {cls.NAME: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam)}
DECAYS = ("coupled", "decoupled")  # how weight decay is applied: see Optimizer.step


def make(name, net, weight_decay=0.0, decay="coupled", **hyperparameters):
    """A new optimizer of the given name for net; hyperparameters left out (or None) take their defaults.

    A hyperparameter the optimizer does not have is refused, never dropped.

    >>> from nnloop.network import Network
    >>> make("momentum", Network([2, 1], ["identity"], "mse"), mu=0.5)
    Momentum(mu=0.5, t=0)
    >>> make("adam", Network([2, 1], ["identity"], "mse"), b1=0.8, b2=None)
    Adam(b1=0.8, b2=0.999, eps=1e-08, t=0)
    """
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise NnloopError(f"unknown optimizer {short(name)}: use one of {', '.join(OPTIMIZERS)}")
    given = {key: value for key, value in hyperparameters.items() if value is not None}
    return OPTIMIZERS[name](net, weight_decay=weight_decay, decay=decay, **given)


def from_document(document, net, where):
    """The optimizer that to_document() wrote, continuing with its t and state; refuse anything malformed."""
    if not isinstance(document, dict) or not isinstance(document.get("name"), str) \
            or document["name"] not in OPTIMIZERS:
        raise NnloopError(f"{where}: \"optimizer\" must be an object whose \"name\" is one of {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[document["name"]]
    try:
        optimizer = cls(net, weight_decay=document.get("weight_decay", 0.0), decay=document.get("decay", "coupled"),
                        **{name: document[name] for name in cls.HYPERPARAMETERS})
    except KeyError as e:
        raise NnloopError(f"{where}: the {cls.NAME} optimizer is missing its {e}") from None
    except NnloopError as e:
        raise NnloopError(f"{where}: the {cls.NAME} optimizer's settings are damaged: {e}") from None
    t = document.get("t")
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise NnloopError(f"{where}: the optimizer's step count \"t\" must be a whole number >= 0, got {t!r}")
    state = document.get("state")
    if not isinstance(state, dict) or set(state) != set(cls.STATE):
        raise NnloopError(f"{where}: the {cls.NAME} optimizer's \"state\" must hold {', '.join(cls.STATE) or 'nothing'}")
    for name in cls.STATE:
        check_like(state[name], net, f"{where}: optimizer state {name!r}", name in cls.SQUARES)
    optimizer.t = t
    optimizer.state = {name: floats(state[name], net) for name in cls.STATE}
    return optimizer


def as_written(net, W):
    """W, or optimizer state shaped like it, as a model file holds W: a convolution's K[c][i] as grids."""
    return [W[0]] + [as_grids(net.layers[k], W[k]) for k in range(1, len(W))]


def as_read(net, W):
    """as_written's way back: each convolution's grids K[c][c'][u][v] as lists K[c][i]."""
    return [W[k] if k == 0 or net.layers[k].WEIGHTS != "K" else kernels(W[k]) for k in range(len(W))]


def describe_shapes(shapes):
    return "-".join(str(shape) if isinstance(shape, int) else "x".join(map(str, shape)) for shape in shapes)


def parameter_rows(net, gradients, *states):
    """(p, dp, *state rows) for each row of weights (W[k][j], or a kernel K[c]) and each list B[k].

    p is a list of parameters, dp the list of their gradient sums, and each
    state row the same parameters' entries in one of the optimizer's state
    lists: an update rule loops over i in one row at a time.
    """
    W, B = net.W, net.B
    for k in range(1, net.L + 1):
        yield from zip(rows(W[k]), rows(gradients.dW[k]), *(rows(state["W"][k]) for state in states))
        if B[k]:
            yield (B[k], gradients.dB[k]) + tuple(state["B"][k] for state in states)


def add_weight_decay(net, gradients, c):
    """Coupled weight decay: dW[k][j][i] += c * W[k][j][i] (c = lambda * batch_size: the sums' scale)."""
    W = net.W
    for k in range(1, net.L + 1):
        for W_row, dW_row in zip(rows(W[k]), rows(gradients.dW[k])):
            for i in range(len(W_row)):
                dW_row[i] += c * W_row[i]


def shrink_weights(net, c):
    """Decoupled weight decay: W[k][j][i] -= c * W[k][j][i] (c = eta * lambda)."""
    W = net.W
    for k in range(1, net.L + 1):
        for W_row in rows(W[k]):
            for i in range(len(W_row)):
                W_row[i] -= c * W_row[i]


def zeros_like(net):
    """{"W": ..., "B": ...} of zeros shaped like net's W[k] and B[k]."""
    return {"W": [lists.zeros_like(W_k) for W_k in net.W], "B": [lists.zeros_like(B_k) for B_k in net.B]}


def floats(state, net):
    """A copy of a state {"W": ..., "B": ...} read from a file, every number a float, a convolution's
    grids read back as its lists K[c][i] (as_read)."""
    return {"W": as_read(net, [copy_floats(W_k) for W_k in state["W"]]),
            "B": [copy_floats(B_k) for B_k in state["B"]]}


def copy_floats(values):
    if values and isinstance(values[0], list):
        return [copy_floats(part) for part in values]
    return [float(x) for x in values]


def check_like(state, net, where, squares=False):
    """Refuse a state that is not shaped like net's parameters or holds anything but finite numbers
    (numbers >= 0 if it holds sums of squares)."""
    try:
        W = as_written(net, net.W)
        ok = (isinstance(state, dict) and len(state["W"]) == len(state["B"]) == net.L + 1
              and all(same_shape(state["W"][k], W[k]) and same_shape(state["B"][k], net.B[k])
                      for k in range(net.L + 1)))
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise NnloopError(f"{where} is not shaped like the network's W and B: the file is damaged")
    for k in range(1, net.L + 1):
        for row in (numbers(state["W"][k]), state["B"][k]):
            for x in row:
                if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                    raise NnloopError(f"{where} must hold finite numbers, found {x!r}: the file is damaged")
                if squares and x < 0:  # sqrt(h) of a negative h: no step could be taken
                    raise NnloopError(f"{where} sums squares, so it must hold numbers >= 0, found {x!r}: "
                                      "the file is damaged")


def numbers(values):
    """The numbers of a nested list, in order: a file's W[k], kernels as grids included."""
    if values and isinstance(values[0], list):
        return [x for part in values for x in numbers(part)]
    return values


def same_shape(values, like):
    """True if values is a nested list shaped like the nested list like."""
    if not isinstance(values, list) or len(values) != len(like):
        return False
    if like and isinstance(like[0], list):
        return all(same_shape(part, part_like) for part, part_like in zip(values, like))
    return True


# What each hyperparameter may be, and why: (test, what a good value looks like).
RANGES = {
    "mu": (lambda x: 0.0 <= x < 1.0, "the momentum mu must be in [0, 1), typically 0.9 (0 is plain SGD)"),
    "rho": (lambda x: 0.0 <= x < 1.0, "rho, RMSProp's decay of h, must be in [0, 1), typically 0.9"),
    "b1": (lambda x: 0.0 <= x < 1.0, "beta1, Adam's decay of m, must be in [0, 1), typically 0.9"),
    "b2": (lambda x: 0.0 <= x < 1.0, "beta2, Adam's decay of s, must be in [0, 1), typically 0.999"),
    "eps": (lambda x: 0.0 < x < 1.0, "epsilon, which keeps g / sqrt(h) finite, must be > 0 and < 1, "
                                      "typically 1e-8"),
    "weight_decay": (lambda x: 0.0 <= x < 1.0, "the weight decay lambda must be >= 0 and < 1, "
                                                "typically 1e-4 (0 for none)"),
}


def check_hyperparameter(name, value):
    """value, if it is in the range of the hyperparameter name; refuse it (NaN included) in one line that says the
    range."""
    test, meaning = RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and test(value)):
        raise NnloopError(f"{meaning}; got {short(value)}")
    return value
