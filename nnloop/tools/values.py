"""One sample's values: what the engine computes for it, how the tools write them, and all of them as JSON.

compute(net, x, T, eta) runs the engine on one sample (x, T), forward,
backward and one step of rate eta on copies, and returns its Computed
numbers: the one place the trace, the drawings, the trace page and the
notebook get their numbers, so that they all show what the engine did.
num, factor and moved write a number as every one of them writes it.

values() writes every value of the sample as a JSON document keyed by the
notation, for programs, not people. A teacher checking a student's
backprop, or a tester checking a new framework's layer, needs the numbers
`nnloop trace` prints in a form a program reads. Each value is keyed by
its name in the notation, a layer's feature maps and kernels by all their
indices, as the textbook writes them (the engine's lists hold a layer's maps
as one list, and each kernel as one):

    "A[1][0]": 11.0, "H[1][1]": 0.0, "delta[2][0]": 26.0, "back[1][0]": 78.0,
    "dW[1][0][2]": 78.0, "dB[2][0]": 26.0, "K[1][0][0][1][1]": 0.0, "dK[...]": ...

with the network (its layers and shapes), the sample (x, T), eta, the loss
before and after the step, and the parameters after it ("after": {"W[1][0][0]":
...}). Layer 0's values are the input: "H[0][i]" is x.

>>> from nnloop.network import Network
>>> net = Network.with_parameters([[], [[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]], [[3.0, 2.0]]], [[], [0.0, 0.0], [0.0]],
...                               ["relu", "identity"], "mse")
>>> document = values(net, [2.0, 3.0, 1.0], [20.0], 0.001)
>>> document["values"]["A[1][1]"], document["values"]["delta[2][0]"], document["values"]["dW[1][0][1]"]
(-14.0, 26.0, 234.0)
>>> document["loss"]
169.0
"""
import copy
import math
from typing import List, NamedTuple

from ..layers.conv import as_grids
from ..layers.dropout import FIXED_SEED
from ..layers.shapes import node_name
from ..learning.optimizers import SGD
from ..network import Gradients, Network, NodeValues
from ..rng import Random


class Computed(NamedTuple):
    """What the engine computed for one sample (x, T) and one step of rate eta.

    v           the NodeValues forward and backward filled: A, H, delta, back
    g           the Gradients backward filled: dW, dB
    Y, loss     the output v.H[L] and the sample's loss
    stepped     a copy of the network after the step (W - eta*dW, B - eta*dB for plain SGD)
    loss_after  the loss of the same sample through stepped
    optimizer   a copy of the optimizer that took the step, its state after it
    before      the optimizer's state before the step
    """
    v: NodeValues
    g: Gradients
    Y: List[float]
    loss: float
    stepped: Network
    loss_after: float
    optimizer: object
    before: object


def compute(net, x, T, eta, optimizer=None):
    """Run the engine on (x, T) and take the step on copies: the one place trace and draw get their numbers.

    optimizer (default plain SGD) takes the step; net and optimizer are left unchanged.
    Dropout layers drop nodes as in training, by masks from the fixed seed FIXED_SEED: the same
    masks before and after the step, so that the two losses compare.
    """
    v = NodeValues(net)
    v.draw_masks(Random(FIXED_SEED))
    g = Gradients(net)
    Y = net.forward(x, v)
    loss = net.sample_loss(Y, T)
    net.backward(v, T, g)
    stepped = copy.deepcopy(net)
    optimizer = copy.deepcopy(optimizer) if optimizer is not None else SGD(net)
    before = copy.deepcopy(optimizer.state)
    optimizer.step(stepped, copy.deepcopy(g), eta, 1)  # one sample's minibatch; the step clears what it is given
    after = NodeValues(stepped)
    after.draw_masks(Random(FIXED_SEED))
    loss_after = stepped.sample_loss(stepped.forward(x, after), T)
    return Computed(v, g, Y, loss, stepped, loss_after, optimizer, before)


def values(net, x, T, eta, optimizer=None, about=()):
    """The JSON-ready document of one sample's forward pass, backward pass and step (see the module docstring)."""
    computed = compute(net, x, T, eta, optimizer)
    v, g = computed.v, computed.g
    named = {}
    for k in range(net.L + 1):
        shape = net.shapes[k]
        add_nodes(named, f"H[{k}]", v.H[k], shape)
        if k == 0:
            continue
        layer = net.layers[k]
        add_nodes(named, f"A[{k}]", v.A[k], shape)
        add_nodes(named, f"delta[{k}]", v.delta[k], shape)
        if k > 1:
            add_nodes(named, f"back[{k - 1}]", v.back[k - 1], net.shapes[k - 1])
        if layer.WEIGHTS:
            add(named, f"{layer.WEIGHTS}[{k}]", as_grids(layer, layer.W))
            add(named, f"d{layer.WEIGHTS}[{k}]", as_grids(layer, g.dW[k]))
            add(named, f"B[{k}]", layer.B)
            add(named, f"dB[{k}]", g.dB[k])
    after = {}
    for k in range(1, net.L + 1):
        layer = computed.stepped.layers[k]
        if layer.WEIGHTS:
            add(after, f"{layer.WEIGHTS}[{k}]", as_grids(layer, layer.W))
            add(after, f"B[{k}]", layer.B)
    return {"about": list(about),
            "network": {"loss": net.loss, "shapes": [list(s) if isinstance(s, tuple) else s for s in net.shapes],
                        "layers": [{"k": k, "kind": net.layers[k].kind, "activation": net.activations[k]}
                                   for k in range(1, net.L + 1)]},
            "x": list(x), "T": list(T), "eta": eta, "optimizer": type(computed.optimizer).__name__,
            "values": named, "loss": computed.loss, "loss_after": computed.loss_after, "after": after}


def add(named, name, value):
    """named[name + '[i][j]...'] = each number of the nested list value, by its indices."""
    if isinstance(value, list):
        for i, part in enumerate(value):
            add(named, f"{name}[{i}]", part)
    else:
        named[name] = value


def add_nodes(named, name, values, shape):
    """named[name + '[j]'] = values[j], the nodes of a layer of that shape; for feature maps the node at
    i = (c*rows + y)*cols + x of the one list is keyed as the textbook's name + '[c][y][x]'."""
    for i, value in enumerate(values):
        named[name + node_name(shape, i)] = value


def num(x):
    """A number as the tools write it (the trace, the drawings, the notebook): 11 for 11.0, six significant digits
    for the others.

    >>> num(11.0), num(-14.0), num(0.1 + 0.2), num(-0.0), num(2.5e-07), num(2.7139999999999995)
    ('11', '-14', '0.3', '0', '2.5e-07', '2.714')
    """
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def moved(old, new):
    """num(new), with as many more digits as it takes to tell it from num(old) when it differs.

    A small step must not look like no step:

    >>> num(2.0 - 4.3e-06), moved(2.0, 2.0 - 4.3e-06), moved(3.0, 2.714)
    ('2', '1.999996', '2.714')
    """
    text = num(new)
    digits = 6
    while new != old and text == num(old) and digits < 17:
        digits += 1
        text = f"{new:.{digits}g}"
    return text


def factor(x):
    """num(x), in parentheses if negative, to stand in a product or after a sign: (-2)*3, 5 - (-1).

    >>> factor(-2.0), factor(3.0)
    ('(-2)', '3')
    """
    text = num(x)
    return f"({text})" if text.startswith("-") else text
