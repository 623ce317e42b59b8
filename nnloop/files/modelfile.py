"""Model files: a network, and how it was made, as versioned JSON a person can read.

    {
     "format": "nnloop-model",
     "version": 2,
     "loss": "cross_entropy",
     "input": 784,                    or [channels, rows, cols] for a convnet: [1, 28, 28]
     "sizes": [784, 100, 10],         nodes per layer, input first
     "training": {...},               how it was made (optional, see nnloop.cli.trainer)
     "layers": [
      {"k": 1, "type": "dense", "activation": "relu", "B": [...], "W": [[...], ...]},   W[k][j]: a row a line
      ...
     ]
    }

Each layer object is as its layer's to_document writes it: "dense",
"conv" (with its kernels "K"), "maxpool", "avgpool" or "flatten". Files of
version 1 (nnloop 0.x before convolution) hold dense layers without a
"type" and no "input"; they load as they always did.

Files are written atomically and read with json, never pickle: loading a
model file runs no code. Anything that is not a well-formed model of this
version is refused with one line saying what is wrong.
"""
import json

from .. import architecture
from ..errors import NnloopError, short
from ..learning import optimizers
from ..network import Network
from .atomicfile import write_atomically
from .checkpoint import check_training
from .jsonfile import read_json

FORMAT = "nnloop-model"
REPAIR = "put back what nnloop train wrote, or train again"
VERSION = 2
VERSIONS = (1, 2)  # what this nnloop reads


def save(net, path, training=None):
    """Write net (and, if given, the JSON-ready dict training) to path."""
    input_shape = net.shapes[0] if isinstance(net.shapes[0], int) else list(net.shapes[0])
    document = {"format": FORMAT, "version": VERSION, "loss": net.loss, "input": input_shape, "sizes": net.sizes}
    if training is not None:
        document["training"] = training
    document["layers"] = [{"k": k, **net.layers[k].to_document()} for k in range(1, net.L + 1)]
    try:
        text = dumps(document) + "\n"
    except ValueError:
        raise NnloopError(f"cannot save {path}: the network holds a weight that is not a finite number") from None
    try:
        write_atomically(path, text)
    except OSError as e:
        raise NnloopError(f"cannot write {path}: {e.strerror}; check the directory exists and is writable") from None


def load(path):
    """The Network stored in the model file at path."""
    return read(path)[0]


def read(path):
    """(network, training) from the model file at path; training may be None."""
    document = read_json(path, "model file", missing="give the path of a file written by nnloop train",
                         invalid="was it truncated? Train or save it again")
    return from_document(document, path)


def from_document(document, path):
    """Check a parsed model file and build its network."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise NnloopError(f"{path} is not an nnloop model file (no \"format\": \"{FORMAT}\"): give a file written by "
                          "nnloop train")
    version = document.get("version")
    if version not in VERSIONS or isinstance(version, bool):
        raise NnloopError(f"{path} is an nnloop model of version {version!r}; this nnloop reads versions "
                          f"{' and '.join(map(str, VERSIONS))}: use the nnloop that wrote it, or train the model again")
    check_sections(document, path, version)
    layers, sizes, loss = document["layers"], document["sizes"], document["loss"]
    try:
        if all(layer.get("type", "dense") == "dense" for layer in layers):
            for k, layer in enumerate(layers, 1):
                unknown = sorted(set(layer) - {"k", "type", "activation", "B", "W"})
                if unknown:
                    raise NnloopError(f"layer {k} has an unknown key {unknown[0]!r}")
            net = Network.with_parameters([[]] + [layer["W"] for layer in layers],
                                          [[]] + [layer["B"] for layer in layers],
                                          [layer["activation"] for layer in layers], loss)
        else:
            net = architecture.network_from_documents(layers, document["input"], loss, "its layers")
    except (NnloopError, TypeError, IndexError) as e:
        raise NnloopError(f"{path} is a damaged nnloop model file: {e}; {REPAIR}") from None
    if version > 1 and document["input"] != (net.shapes[0] if isinstance(net.shapes[0], int) else list(net.shapes[0])):
        raise NnloopError(f"{path} is a damaged nnloop model file: \"input\" says {document['input']!r:.40}, "
                          f"the layers read {net.shapes[0]}; {REPAIR}")
    if sizes != net.sizes:
        raise NnloopError(f"{path} is a damaged nnloop model file: \"sizes\" says {sizes}, "
                          f"the weights have sizes {net.sizes}; {REPAIR}")
    training = document.get("training")
    if training is not None and not isinstance(training, dict):
        raise NnloopError(f"{path} is a damaged nnloop model file: \"training\" must be an object")
    if training is not None:
        check_training(training, path)
        if "optimizer" in training:  # its state must fit this network, and hold what its rule can use
            optimizers.from_document(training["optimizer"], net, f"{path}: \"training.optimizer\"")
    return net, training


def check_sections(document, path, version):
    """Refuse a model whose loss, sizes or layers are missing or of the wrong kind, naming the key."""
    damaged = f"{path} is a damaged nnloop model file:"
    for key in ("loss", "sizes", "layers") + (("input",) if version > 1 else ()):
        if key not in document:
            raise NnloopError(f"{damaged} it has no \"{key}\"; train or save it again")
    has_maps = isinstance(document["layers"], list) and any(
        isinstance(layer, dict) and layer.get("type", "dense") != "dense" for layer in document["layers"])
    if has_maps and "input" not in document:  # a version 1 file holds dense layers only
        raise NnloopError(f"{damaged} it has conv, pooling or flatten layers but no \"input\" (their input shape, "
                          f"like [1, 28, 28]); put it back, with \"version\": {VERSION}, or train again")
    if not isinstance(document["loss"], str):
        raise NnloopError(f"{damaged} \"loss\" must be \"mse\" or \"cross_entropy\", got {document['loss']!r:.40}; {REPAIR}")
    if not isinstance(document["sizes"], list):
        raise NnloopError(f"{damaged} \"sizes\" must be a list of layer sizes, like [784, 100, 10]; {REPAIR}")
    layers = document["layers"]
    if not isinstance(layers, list) or not layers:
        raise NnloopError(f"{damaged} \"layers\" must be a list of objects, one per layer k = 1, 2, ...; {REPAIR}")
    for k, layer in enumerate(layers, 1):
        if not isinstance(layer, dict):
            raise NnloopError(f"{damaged} layer {k} must be an object with \"activation\", \"W\" and \"B\"; {REPAIR}")
        kind = layer.get("type", "dense")
        if not isinstance(kind, str):
            raise NnloopError(f"{damaged} layer {k}: \"type\" must be a layer kind like \"conv\" or \"dense\", "
                              f"got {short(kind)}; {REPAIR}")
        if kind != "dense":
            continue  # checked by nnloop.architecture.from_document
        for key in ("activation", "W", "B"):
            if key not in layer:
                raise NnloopError(f"{damaged} layer {k} has no \"{key}\"; put it back or train again")
        if not isinstance(layer["activation"], str):
            raise NnloopError(f"{damaged} layer {k}: \"activation\" must be a name like \"relu\", "
                              f"got {layer['activation']!r:.40}; {REPAIR}")
        if not isinstance(layer["W"], list) or not isinstance(layer["B"], list):
            raise NnloopError(f"{damaged} layer {k}: \"W\" must be a list of rows and \"B\" a list of numbers; {REPAIR}")


def dumps(value, indent=""):
    """JSON text: a list of numbers (a weight row), or any value that fits in
    100 characters, on one line; larger lists and objects an item a line.

    >>> print(dumps({"loss": "mse", "sizes": [3, 2], "W": [[0.5, -1.25, 2.0], [1.0, 0.0, -0.75]],
    ...              "B": [0.125, -0.5], "activation": "tanh"}))
    {
     "loss": "mse",
     "sizes": [3, 2],
     "W": [[0.5, -1.25, 2.0], [1.0, 0.0, -0.75]],
     "B": [0.125, -0.5],
     "activation": "tanh"
    }

    A string stays one string, however long:

    >>> len(dumps({"note": "x" * 120}).splitlines())   # {, the note, }
    3
    """
    flat = json.dumps(value, allow_nan=False)
    if len(flat) <= 100 or not isinstance(value, (list, dict)) or (
            isinstance(value, list) and not any(isinstance(v, (list, dict)) for v in value)):
        return flat  # a long string or number stays whole too
    inner = indent + " "
    if isinstance(value, dict):
        lines = [f"{inner}{json.dumps(key)}: {dumps(v, inner)}" for key, v in value.items()]
        return "{\n" + ",\n".join(lines) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
