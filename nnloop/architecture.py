"""Architectures: the layers of a network, as `nnloop train --layers` writes them and files store them.

An architecture string lists the layers between the input and the output,
comma separated; the output layer (one dense node per class) is added:

  conv8x5        a convolution: 8 kernels of 5x5 (stride 1, no padding)
  conv8x3s2p1    the same with stride 2 and zero padding 1
  maxpool2       max pooling over 2x2 windows, stride 2 (pool2 is the same)
  maxpool3s2     3x3 windows, stride 2
  avgpool2       average pooling
  dense100       a fully connected layer of 100 nodes
  dropout0.25    dropout of P = 0.25 over the layer below, nodes or maps
  flatten        feature maps to one list of nodes; put in for you before
                 the first dense layer that follows maps
  ...:tanh       any conv or dense layer may name its activation (default relu)

>>> layers_text(parse("conv8x5,pool2,dense100"))
'conv8x5,maxpool2,dense100'
>>> net = build(parse("conv2x3,maxpool2,dense5"), (1, 8, 8), classes=3, seed=0)
>>> net.shape_name()
'1x8x8-2x6x6-2x3x3-18-5-3'
>>> [layer.kind for layer in net.layers[1:]]
['conv', 'maxpool', 'flatten', 'dense', 'dense']

In model and spec files each layer is an object with its "type"; a dense
layer's may be left out, as files of version 1 did:

  {"type": "conv", "activation": "relu", "stride": 1, "padding": 0, "B": [...], "K": [[[[...]]]]}
  {"type": "maxpool", "size": 2, "stride": 2}     also "avgpool"
  {"type": "flatten"}
  {"type": "dense", "activation": "relu", "B": [...], "W": [[...], ...]}
  {"type": "dropout", "P": 0.25}
"""
from .errors import NnloopError, short
from .layers import KINDS
from .layers.activations import ACTIVATIONS
from .layers.flatten import Flatten
from .network import Network
from .rng import Random

EXAMPLE = "conv8x5,maxpool2,dense100"
GRAMMAR = ("conv<kernels>x<size>[s<stride>][p<padding>], maxpool<size>[s<stride>], avgpool<size>[s<stride>], "
           "flatten, dense<nodes>, dropout<P>, each conv or dense optionally :<activation>")
ZERO_ALLOWED = {"padding", "P"}  # every other number of a word counts something, so must be 1 or more


def parse(text, activation="relu"):
    """The layers an architecture string names, as descriptions: dicts like those of model files, without
    parameters. activation is that of conv and dense layers that do not name one."""
    if not isinstance(text, str) or not text.strip():
        raise NnloopError(f"--layers needs a list of layers, like {EXAMPLE}")
    layers = []
    for word in text.replace(" ", "").split(","):
        name, _, act = word.partition(":")
        for cls in KINDS.values():
            match = cls.WORD.fullmatch(name)
            if match:
                break
        else:
            raise NnloopError(f"--layers: cannot read {word!r}; write layers like {EXAMPLE} ({GRAMMAR})")
        # whole numbers are read here; anything else (dropout's P, a decimal) is left to the class as text
        numbers = {key: int(n) if n is not None and n.isdigit() else n for key, n in match.groupdict().items()}
        if any(n == 0 for key, n in numbers.items() if key not in ZERO_ALLOWED):
            raise NnloopError(f"--layers: {word!r} has a size of 0; every number must be 1 or more, as in {EXAMPLE}")
        if act and "activation" not in cls.KEYS:
            raise NnloopError(f"--layers: {word!r}: only conv and dense layers have an activation; write {name}")
        if act and act not in ACTIVATIONS or act == "softmax":
            raise NnloopError(f"--layers: {word!r}: unknown activation {act!r}; use one of relu, sigmoid, tanh, "
                              "identity")
        layers.append(cls.from_word(numbers, act or activation))
    return layers


def layers_text(descriptions):
    """The architecture string of layer descriptions (or of a network's layers), as --layers takes it: the
    inverse of parse."""
    words = []
    for d in descriptions:
        d = d if isinstance(d, dict) else d.description()
        word = KINDS[d["type"]].word(d)
        if d.get("activation", "relu") != "relu":
            word += f":{d['activation']}"
        words.append(word)
    return ",".join(words)


def build(descriptions, input_shape, classes, output_activation="softmax", loss="cross_entropy", seed=0):
    """A Network of the described layers over input_shape, with a dense output layer of classes nodes.

    The weights are drawn from one Random(seed), layer after layer. A
    flatten layer is put in before a dense layer that follows feature maps.
    """
    rng = Random(seed)
    layers, shape = [], input_shape
    for n, d in enumerate(list(descriptions) + [{"type": "dense", "nodes": classes, "activation": output_activation}],
                          start=1):
        cls = KINDS[d["type"]]
        if cls.READS_MAPS is False and not isinstance(shape, int):
            layers.append(Flatten(shape))
            shape = layers[-1].shape
        try:
            check_input(cls, shape)
            layer = cls.new(d, shape, rng)
        except NnloopError as e:
            raise NnloopError(f"layer {n} ({layers_text([d])}): {e}") from None
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
        cls = KINDS[d["type"]]
        if cls.READS_MAPS is False and not isinstance(shape, int):
            shape = Flatten.measure({}, shape)[0]  # the flatten build puts in
            shapes.append(shape)
        if cls.READS_MAPS and isinstance(shape, int):
            break
        shape, added = cls.measure(d, shape)
        if not isinstance(shape, int) and min(shape) < 1:
            break
        weights += added
        shapes.append(shape)
    return shapes, weights


def check_input(cls, shape):
    """Refuse a layer of kind cls over values of shape that it cannot read."""
    if cls.READS_MAPS and isinstance(shape, int):
        raise NnloopError(f"a {cls.kind} layer needs feature maps, but its input is a list of {shape} nodes: put "
                          "conv and pooling layers before the dense ones")
    if cls.READS_MAPS is False and not isinstance(shape, int):
        raise NnloopError(f"a {cls.kind} layer reads a list of nodes, but the layer below gives "
                          f"{'x'.join(map(str, shape))} feature maps: put a flatten layer between them")


def from_document(document, shape, where):
    """The layer a model file's layer object describes, reading values of the given shape; refuse a malformed one."""
    kind = document.get("type", "dense")
    if not isinstance(kind, str) or kind not in KINDS:
        raise NnloopError(f"{where}: unknown layer \"type\" {short(kind)}: use one of {', '.join(KINDS)}")
    cls = KINDS[kind]
    missing = sorted(cls.KEYS - set(cls.OPTIONAL) - set(document))
    if missing:
        raise NnloopError(f"{where}: a {kind} layer needs {missing[0]!r}")
    unknown = sorted(set(document) - cls.KEYS - {"type", "k"})
    if unknown:
        raise NnloopError(f"{where}: unknown key {unknown[0]!r} for a {kind} layer; its keys are "
                          f"{', '.join(sorted(cls.KEYS | {'type'}))}")
    try:
        check_input(cls, shape)
        return cls.from_document({**cls.OPTIONAL, **document}, shape)
    except (TypeError, IndexError, AttributeError):
        raise NnloopError(f"{where}: the {kind} layer's values are not shaped as its keys say") from None
    except NnloopError as e:
        raise NnloopError(f"{where}: {e}") from None


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
