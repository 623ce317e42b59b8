"""Architectures: the layers of a network, as `nnloop train --layers` writes them and files store them.

An architecture string lists the layers between the input and the output,
comma separated; the output layer (one dense node per class) is added:

  conv8x5        a convolution: 8 kernels of 5x5 (stride 1, no padding)
  conv8x3s2p1    the same with stride 2 and zero padding 1
  maxpool2       max pooling over 2x2 windows, stride 2 (pool2 is the same)
  maxpool3s2     3x3 windows, stride 2
  avgpool2       average pooling
  dense100       a fully connected layer of 100 nodes
  flatten        feature maps to one list of nodes; put in for you before
                 the first dense layer that follows maps
  ...:tanh       any conv or dense layer may name its activation (default relu)

>>> describe(parse("conv8x5,pool2,dense100"))
'conv8x5,maxpool2,dense100'
>>> net = build(parse("conv2x3,maxpool2,dense5"), (1, 8, 8), classes=3, seed=0)
>>> net.describe()
'1x8x8-2x6x6-2x3x3-18-5-3'
>>> [layer.kind for layer in net.layers[1:]]
['conv', 'maxpool', 'flatten', 'dense', 'dense']

In model and spec files each layer is an object with its "type"; a dense
layer's may be left out, as files of version 1 did:

  {"type": "conv", "activation": "relu", "stride": 1, "padding": 0, "B": [...], "K": [[[[...]]]]}
  {"type": "maxpool", "size": 2, "stride": 2}     also "avgpool"
  {"type": "flatten"}
  {"type": "dense", "activation": "relu", "B": [...], "W": [[...], ...]}
"""
import re

from .errors import NnloopError, check_numbers, short
from .layers.activations import ACTIVATIONS
from .layers.conv import Conv2D, output_size
from .layers.dense import Dense
from .layers.flatten import Flatten
from .layers.pooling import AvgPool, MaxPool
from .network import Network
from .rng import Random

EXAMPLE = "conv8x5,maxpool2,dense100"
GRAMMAR = ("conv<kernels>x<size>[s<stride>][p<padding>], maxpool<size>[s<stride>], avgpool<size>[s<stride>], "
           "flatten, dense<nodes>, each conv or dense optionally :<activation>")
PATTERNS = {
    "conv": re.compile(r"conv([0-9]+)x([0-9]+)(?:s([0-9]+))?(?:p([0-9]+))?"),
    "maxpool": re.compile(r"(?:max)?pool([0-9]+)(?:s([0-9]+))?"),
    "avgpool": re.compile(r"avgpool([0-9]+)(?:s([0-9]+))?"),
    "flatten": re.compile(r"flatten"),
    "dense": re.compile(r"dense([0-9]+)"),
}
TYPES = tuple(PATTERNS)


def parse(text, activation="relu"):
    """The layers an architecture string names, as descriptions: dicts like those of model files, without
    parameters. activation is that of conv and dense layers that do not name one."""
    if not isinstance(text, str) or not text.strip():
        raise NnloopError(f"--layers needs a list of layers, like {EXAMPLE}")
    layers = []
    for word in text.replace(" ", "").split(","):
        name, _, act = word.partition(":")
        for kind, pattern in PATTERNS.items():
            match = pattern.fullmatch(name)
            if match:
                break
        else:
            raise NnloopError(f"--layers: cannot read {word!r}; write layers like {EXAMPLE} ({GRAMMAR})")
        numbers = [int(n) if n is not None else None for n in match.groups()]
        if any(n == 0 for n in (numbers[:3] if kind == "conv" else numbers)):  # a padding of 0 is no padding
            raise NnloopError(f"--layers: {word!r} has a size of 0; every number must be 1 or more, as in {EXAMPLE}")
        if act and kind not in ("conv", "dense"):
            raise NnloopError(f"--layers: {word!r}: only conv and dense layers have an activation; write {name}")
        if act and act not in ACTIVATIONS or act == "softmax":
            raise NnloopError(f"--layers: {word!r}: unknown activation {act!r}; use one of relu, sigmoid, tanh, "
                              "identity")
        if kind == "conv":
            layers.append({"type": "conv", "kernels": numbers[0], "size": numbers[1], "stride": numbers[2] or 1,
                           "padding": numbers[3] or 0, "activation": act or activation})
        elif kind in ("maxpool", "avgpool"):
            layers.append({"type": kind, "size": numbers[0], "stride": numbers[1] or numbers[0]})
        elif kind == "flatten":
            layers.append({"type": "flatten"})
        else:
            layers.append({"type": "dense", "nodes": numbers[0], "activation": act or activation})
    return layers


def describe(descriptions):
    """The architecture string of layer descriptions (or of a network's layers), the inverse of parse."""
    words = []
    for d in descriptions:
        d = d if isinstance(d, dict) else describe_layer(d)
        if d["type"] == "conv":
            word = f"conv{d['kernels']}x{d['size']}" + (f"s{d['stride']}" if d["stride"] != 1 else "") + \
                   (f"p{d['padding']}" if d["padding"] else "")
        elif d["type"] in ("maxpool", "avgpool"):
            word = f"{d['type']}{d['size']}" + (f"s{d['stride']}" if d["stride"] != d["size"] else "")
        elif d["type"] == "flatten":
            word = "flatten"
        else:
            word = f"dense{d['nodes']}"
        if d["type"] in ("conv", "dense") and d["activation"] != "relu":
            word += f":{d['activation']}"
        words.append(word)
    return ",".join(words)


def describe_layer(layer):
    """A layer unit's description, as parse would give it."""
    if layer.kind == "conv":
        return {"type": "conv", "kernels": layer.channels, "size": layer.size, "stride": layer.stride,
                "padding": layer.padding, "activation": layer.activation}
    if layer.kind in ("maxpool", "avgpool"):
        return {"type": layer.kind, "size": layer.size, "stride": layer.stride}
    if layer.kind == "flatten":
        return {"type": "flatten"}
    return {"type": "dense", "nodes": layer.shape, "activation": layer.activation}


def build(descriptions, input_shape, classes, output_activation="softmax", loss="cross_entropy", seed=0):
    """A Network of the described layers over input_shape, with a dense output layer of classes nodes.

    The weights are drawn from one Random(seed), layer after layer. A
    flatten layer is put in before a dense layer that follows feature maps.
    """
    rng = Random(seed)
    layers, shape = [], input_shape
    for n, d in enumerate(list(descriptions) + [{"type": "dense", "nodes": classes, "activation": output_activation}],
                          start=1):
        if d["type"] == "dense" and not isinstance(shape, int):
            layers.append(Flatten(shape))
            shape = layers[-1].shape
        try:
            layer = new_layer(d, shape, rng)
        except NnloopError as e:
            raise NnloopError(f"layer {n} ({describe([d])}): {e}") from None
        layers.append(layer)
        shape = layer.shape
    return Network.from_layers(layers, loss)


def measure(descriptions, input_shape, classes):
    """(shapes, weights) of the network build() would make: each layer's shape, input first, and its number of
    weights and biases, by arithmetic alone, so that an absurd network is refused before anything is allocated.

    >>> measure(parse("conv8x5,maxpool2,dense100"), (1, 28, 28), 10)
    ([(1, 28, 28), (8, 24, 24), (8, 12, 12), 1152, 100, 10], 116518)

    Stops at a layer build() would refuse (a pooling window larger than its maps, say): build says why.
    """
    shapes, weights, shape = [input_shape], 0, input_shape
    for d in list(descriptions) + [{"type": "dense", "nodes": classes}]:
        kind = d["type"]
        if kind == "dense" and not isinstance(shape, int):
            shape = shape[0] * shape[1] * shape[2]  # the flatten build puts in
            shapes.append(shape)
        if kind != "dense" and isinstance(shape, int):
            break
        if kind == "conv":
            size, stride, padding = d["size"], d["stride"], d["padding"]
            weights += d["kernels"] * (shape[0] * size * size + 1)
            shape = (d["kernels"], output_size(shape[1], size, stride, padding),
                     output_size(shape[2], size, stride, padding))
        elif kind in ("maxpool", "avgpool"):
            shape = (shape[0], output_size(shape[1], d["size"], d["stride"]),
                     output_size(shape[2], d["size"], d["stride"]))
        elif kind == "flatten":
            shape = shape[0] * shape[1] * shape[2]
        else:
            weights += d["nodes"] * (shape + 1)
            shape = d["nodes"]
        if not isinstance(shape, int) and min(shape) < 1:
            break
        shapes.append(shape)
    return shapes, weights


def new_layer(d, shape, rng):
    """A fresh layer unit of description d reading values of the given shape."""
    kind = d["type"]
    if kind != "dense" and isinstance(shape, int):
        raise NnloopError(f"a {kind} layer needs feature maps, but its input is a list of {shape} nodes: put conv "
                          "and pooling layers before the dense ones")
    if kind == "conv":
        return Conv2D(shape, d["kernels"], d["size"], d["stride"], d["padding"], d["activation"], rng)
    if kind == "maxpool":
        return MaxPool(shape, d["size"], d["stride"])
    if kind == "avgpool":
        return AvgPool(shape, d["size"], d["stride"])
    if kind == "flatten":
        return Flatten(shape)
    return Dense(shape, d["nodes"], d["activation"], rng)


def to_document(layer):
    """A layer unit as a JSON-ready dict for model and spec files (its parameters included)."""
    if layer.kind == "conv":
        return {"type": "conv", "activation": layer.activation, "stride": layer.stride, "padding": layer.padding,
                "B": layer.B, "K": layer.K}
    if layer.kind in ("maxpool", "avgpool"):
        return {"type": layer.kind, "size": layer.size, "stride": layer.stride}
    if layer.kind == "flatten":
        return {"type": "flatten"}
    return {"type": "dense", "activation": layer.activation, "B": layer.B, "W": layer.W}


KEYS = {"conv": {"type", "activation", "stride", "padding", "B", "K"},
        "maxpool": {"type", "size", "stride"}, "avgpool": {"type", "size", "stride"},
        "flatten": {"type"}, "dense": {"type", "activation", "B", "W"}}


def from_document(document, shape, where):
    """The layer unit a to_document dict describes, reading values of the given shape; refuse a malformed one."""
    kind = document.get("type", "dense")
    if not isinstance(kind, str) or kind not in KEYS:
        raise NnloopError(f"{where}: unknown layer \"type\" {short(kind)}: use one of {', '.join(KEYS)}")
    required = KEYS[kind] - {"type", "stride", "padding"} | ({"stride"} if kind in ("maxpool", "avgpool") else set())
    missing = sorted(required - set(document))
    if missing:
        raise NnloopError(f"{where}: a {kind} layer needs {missing[0]!r}")
    unknown = sorted(set(document) - KEYS[kind] - {"k"})
    if unknown:
        raise NnloopError(f"{where}: unknown key {unknown[0]!r} for a {kind} layer; its keys are "
                          f"{', '.join(sorted(KEYS[kind]))}")
    if kind != "dense" and isinstance(shape, int):
        raise NnloopError(f"{where}: a {kind} layer needs feature maps, but its input is a list of {shape} nodes")
    try:
        if kind == "conv":
            return Conv2D.with_parameters(shape, document["K"], document["B"], document.get("stride", 1),
                                          document.get("padding", 0), document["activation"])
        if kind == "maxpool":
            return MaxPool(shape, document["size"], document["stride"])
        if kind == "avgpool":
            return AvgPool(shape, document["size"], document["stride"])
        if kind == "flatten":
            return Flatten(shape)
    except (TypeError, IndexError, AttributeError):
        raise NnloopError(f"{where}: the {kind} layer's values are not shaped as its keys say") from None
    except NnloopError as e:
        raise NnloopError(f"{where}: {e}") from None
    W, B, activation = document["W"], document["B"], document["activation"]
    if not isinstance(shape, int):
        raise NnloopError(f"{where}: a dense layer reads a list of nodes, but the layer below gives "
                          f"{'x'.join(map(str, shape))} feature maps: put a flatten layer between them")
    if not isinstance(W, list) or not W or not all(isinstance(row, list) and len(row) == shape for row in W):
        raise NnloopError(f"{where}: \"W\" must be a list of rows of {shape} weights, one per node of the layer "
                          "below")
    if not isinstance(B, list) or len(B) != len(W):
        raise NnloopError(f"{where}: \"B\" must hold {len(W)} biases, one per row of \"W\"")
    for j, row in enumerate(W):
        check_numbers(row, f"{where}: W[{j}]")
    check_numbers(B, f"{where}: B")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise NnloopError(f"{where}: unknown activation {activation!r:.40}: use one of {', '.join(ACTIVATIONS)}")
    return Dense.with_parameters(W, B, activation)


def network_from_documents(documents, input_shape, loss, where):
    """The Network whose layers the to_document dicts describe, over input_shape (an int, or [C, rows, cols])."""
    shape = tuple(input_shape) if isinstance(input_shape, list) else input_shape
    if not (isinstance(shape, int) and shape >= 1 or isinstance(shape, tuple) and len(shape) == 3
            and all(isinstance(n, int) and n >= 1 for n in shape)):
        raise NnloopError(f"{where}: \"input\" must be the number of input nodes or [channels, rows, cols], "
                          f"like [1, 28, 28]; got {input_shape!r:.40}")
    layers = []
    for k, document in enumerate(documents, start=1):
        if not isinstance(document, dict):
            raise NnloopError(f"{where}: layer {k} must be an object with its \"type\"")
        try:
            layers.append(from_document(document, shape, f"layer {k}"))
        except NnloopError as e:
            raise NnloopError(f"{where}: {e}") from None
        shape = layers[-1].shape
    try:
        return Network.from_layers(layers, loss)
    except NnloopError as e:
        raise NnloopError(f"{where}: {e}") from None
