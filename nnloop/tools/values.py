"""Every value of one trace as a JSON document, keyed by the notation: for programs, not people.

A teacher checking a student's backprop, or a tester checking a new
framework's layer, needs the numbers `nnloop trace` prints in a form a
program reads. Each value is keyed by its name in the notation, a layer's
feature maps by all their indices:

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
from .trace import compute


def values(net, x, t, eta, optimizer=None, about=()):
    """The JSON-ready document of one sample's forward pass, backward pass and step (see the module docstring)."""
    computed = compute(net, x, t, eta, optimizer)
    v, g = computed.v, computed.g
    named = {}
    for k in range(net.L + 1):
        add(named, f"H[{k}]", v.H[k])
        if k == 0:
            continue
        layer = net.layers[k]
        add(named, f"A[{k}]", v.A[k])
        add(named, f"delta[{k}]", v.delta[k])
        if k > 1:
            add(named, f"back[{k - 1}]", v.back[k - 1])
        if layer.WEIGHTS:
            add(named, f"{layer.WEIGHTS}[{k}]", layer.W)
            add(named, f"d{layer.WEIGHTS}[{k}]", g.dW[k])
            add(named, f"B[{k}]", layer.B)
            add(named, f"dB[{k}]", g.dB[k])
    after = {}
    for k in range(1, net.L + 1):
        layer = computed.stepped.layers[k]
        if layer.WEIGHTS:
            add(after, f"{layer.WEIGHTS}[{k}]", layer.W)
            add(after, f"B[{k}]", layer.B)
    return {"about": list(about),
            "network": {"loss": net.loss, "shapes": [list(s) if isinstance(s, tuple) else s for s in net.shapes],
                        "layers": [{"k": k, "kind": net.layers[k].kind, "activation": net.activations[k]}
                                   for k in range(1, net.L + 1)]},
            "x": list(x), "T": list(t), "eta": eta, "optimizer": type(computed.optimizer).__name__,
            "values": named, "loss": computed.loss, "loss_after": computed.loss_after, "after": after}


def add(named, name, value):
    """named[name + '[i][j]...'] = each number of the nested list value, by its indices."""
    if isinstance(value, list):
        for i, part in enumerate(value):
            add(named, f"{name}[{i}]", part)
    else:
        named[name] = value
