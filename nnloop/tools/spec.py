"""Network spec files: a small network, written out by hand, with one sample to study.

A spec is versioned JSON, like a model file, but made to be written and read
by a person: every weight and bias, the activations and the loss, one input x
with its target T, and the learning rate eta of the one SGD step a trace shows.

    {
     "format": "nnloop-spec",
     "version": 1,
     "note": "the worked example",                          optional
     "loss": "mse",
     "layers": [                                             layer k = 1, 2, ...
      {"activation": "relu", "W": [[3, 1, 2], [-2, -3, -1]], "B": [0, 0]},
      {"activation": "identity", "W": [[3, 2]], "B": [0]}
     ],
     "x": [2, 3, 1],
     "t": [20],
     "learning_rate": 0.001,                                 optional, default 0.1
     "optimizer": {"name": "momentum", "mu": 0.9}            optional, default plain SGD
    }

"optimizer" names an update rule of nnloop.learning.optimizers and, optionally, its
hyperparameters (the others take their defaults); trace shows its step.

W of layer k holds one row W[k][j] per node j of layer k, each with one
weight per node of layer k-1, so the layer sizes follow from the weights (an
optional "sizes" is checked against them).

A spec of version 2 may also hold convolution, pooling and flatten layers,
each an object with its "type" as model files write them (see
nnloop.architecture), and then says the shape of its input, "input":
[channels, rows, cols]; x may be written as those feature maps, x[c][y][col],
or flat, i = (c*rows + y)*cols + col. Anything malformed is refused
with one line saying what is wrong and how to fix it.

>>> spec = from_document({"format": "nnloop-spec", "version": 1, "loss": "mse",
...     "layers": [{"activation": "relu", "W": [[3, 1, 2], [-2, -3, -1]], "B": [0, 0]},
...                {"activation": "identity", "W": [[3, 2]], "B": [0]}],
...     "x": [2, 3, 1], "t": [20]}, "example.json")
>>> spec.net.sizes, spec.x, spec.T, spec.eta
([3, 2, 1], [2.0, 3.0, 1.0], [20.0], 0.1)
"""
import os
from typing import List, NamedTuple

from .. import architecture, bundled
from ..errors import NnloopError, check_numbers
from ..files import jsonfile, mnist, modelfile
from ..layers.shapes import flattened
from ..learning import optimizers
from ..learning.recipe import SETTINGS
from ..network import Network

FORMAT = "nnloop-spec"
VERSION = 2
VERSIONS = (1, 2)  # 1: dense layers only; 2: any layers, and "input"
KEYS = {"format", "version", "note", "loss", "input", "sizes", "layers", "x", "t", "learning_rate", "optimizer"}
LAYER_KEYS = {"k", "activation", "W", "B"}


class Spec(NamedTuple):
    """What a spec file describes.

    net            the Network, with the spec's W[k][j][i] and B[k][j]
    x, T           the input H[0] and its target, lists of floats ("x" and "t" in the file)
    eta            the learning rate of the SGD step W -= eta * dW ("learning_rate" in the file)
    note           what the example is about ("" if the file says nothing)
    optimizer      the optimizer of the step (nnloop.learning.optimizers), fresh: step count t = 0
    """
    net: Network
    x: List[float]
    T: List[float]
    eta: float
    note: str
    optimizer: object = None


class Subject(NamedTuple):
    """A network to study and the samples to study it on.

    kind           "spec" or "model": which kind of file it came from
    net            the Network
    samples        (x, T) pairs: a spec's one sample, or MNIST test digits
    eta            the learning rate of an SGD step: the spec's, or the model's training run's
    about          lines saying what the network and samples are
    optimizer      the optimizer of the next step: the spec's, or the training run's with its state
    """
    kind: str
    net: Network
    samples: list
    eta: float
    about: List[str]
    optimizer: object = None


def read(path):
    """The Spec in the spec file at path, or in the shipped example called path ('xor')."""
    path = locate(path)
    return from_document(read_document(path), path)


def locate(path):
    """path, or the shipped example of that name if there is no file path: 'xor' is data/examples/xor.json."""
    if not os.path.exists(path) and bundled.example(path):
        return bundled.example(path)
    return path


def load_subject(path, indices=(0,), data=None):
    """The Subject in the file at path: a spec file, or a model file with MNIST test digits.

    A spec brings its own sample; a model file (nnloop train's) is studied on
    the MNIST test digits of the given indices, read from data (default the
    bundled copy), with the learning rate it was trained with. path may
    also name a shipped example: 'worked-relu'.
    """
    name, path = path, locate(path)
    document = read_document(path)
    if isinstance(document, dict) and document.get("format") == FORMAT:
        spec = from_document(document, path)
        about = [f"{name}: {spec.note}" if spec.note else name]
        return Subject("spec", spec.net, [(spec.x, spec.T)], spec.eta, about, spec.optimizer)
    if not isinstance(document, dict) or document.get("format") != modelfile.FORMAT:
        raise NnloopError(f"{path} is neither a network spec (\"format\": \"{FORMAT}\") nor a model file "
                          f"(\"format\": \"{modelfile.FORMAT}\"): see data/examples/ for specs")
    net, training = modelfile.from_document(document, path)
    mnist.check_model(net, path)
    _, test = mnist.load(data or mnist.BUNDLED)
    for index in indices:
        if not 0 <= index < len(test):
            raise NnloopError(f"there is no test digit {index}: the test set has {len(test):,}, "
                              f"indices 0 to {len(test) - 1}: use one of those")
    arguments = (training or {}).get("arguments") or {}
    eta = arguments.get(SETTINGS["eta"].key, SETTINGS["eta"].default)
    about = [f"{path}: MNIST test digit {index}, labelled {test.labels[index]}" for index in indices]
    saved = (training or {}).get("optimizer")
    optimizer = optimizers.from_document(saved, net, path) if saved else optimizers.SGD(net)
    return Subject("model", net, [test[index] for index in indices], eta, about, optimizer)


def read_document(path):
    """The parsed JSON document in the file at path: a spec or a model file, which the caller tells apart."""
    shipped = ", ".join(sorted(bundled.examples()))
    return jsonfile.read_json(path, "file", missing=f"give a network spec, a model file, or a shipped example "
                                                    f"by name ({shipped})",
                              invalid="fix it, or start from a file in data/examples/")


def from_document(document, path):
    """Check a parsed spec file and build its Spec; refuse anything malformed."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise NnloopError(f"{path} is not a network spec: it needs \"format\": \"{FORMAT}\"")
    version = document.get("version")
    if version not in VERSIONS or isinstance(version, bool):
        raise NnloopError(f"{path} is a spec of version {version!r}; this nnloop reads \"version\": 1 or 2: "
                          "use a spec like those in data/examples/")
    check_keys(document, KEYS if version > 1 else KEYS - {"input"}, {"loss", "layers", "x", "t"}, path)
    layers = document["layers"]
    if not isinstance(layers, list) or not layers or not all(isinstance(layer, dict) for layer in layers):
        raise NnloopError(f"{path}: \"layers\" must be a list of objects, one per layer k = 1, 2, ..., "
                          "each with \"activation\", \"W\" and \"B\"")
    for k, layer in enumerate(layers, start=1):
        if layer.get("k", k) != k:
            raise NnloopError(f"{path}: layer {k} says \"k\": {layer['k']!r}; layers are listed in order "
                              "k = 1, 2, ...: fix or drop \"k\"")
    if version > 1 and "input" in document:
        net = architecture.network_from_documents(layers, document["input"], document["loss"], path)
    else:
        for k, layer in enumerate(layers, start=1):
            check_keys(layer, LAYER_KEYS, {"activation", "W", "B"}, f"{path}: layer {k}")
        try:
            net = Network.with_parameters([[]] + [layer["W"] for layer in layers],
                                          [[]] + [layer["B"] for layer in layers],
                                          [layer["activation"] for layer in layers], document["loss"])
        except (NnloopError, TypeError, IndexError) as e:
            raise NnloopError(f"{path}: {e}") from None
    if "sizes" in document and document["sizes"] != net.sizes:
        raise NnloopError(f"{path}: \"sizes\" says {document['sizes']}, but the weights make the sizes "
                          f"{net.sizes}: fix one of them, or drop \"sizes\"")
    x = numbers(flattened(document["x"], net.shapes[0]), net.sizes[0], "x", "the input, one value per node of "
                "layer 0", path)
    T = numbers(document["t"], net.sizes[-1], "t", f"the target, one value per node of layer {net.L}", path)
    if net.loss == "cross_entropy" and (min(T) < 0 or abs(sum(T) - 1.0) > 1e-9):
        raise NnloopError(f"{path}: with cross_entropy, \"t\" must be probabilities that sum to 1 "
                          f"(e.g. one-hot, [0, 1, 0]), got {document['t']}")
    try:
        eta = SETTINGS["eta"].check(document.get("learning_rate", SETTINGS["eta"].default))
    except NnloopError as e:
        raise NnloopError(f"{path}: \"learning_rate\": {e}") from None
    note = document.get("note", "")
    if not isinstance(note, str):
        raise NnloopError(f"{path}: \"note\" must be a string saying what the example is about")
    chosen = document.get("optimizer", {"name": "sgd"})
    if not isinstance(chosen, dict) or "name" not in chosen:
        raise NnloopError(f"{path}: \"optimizer\" must be an object like {{\"name\": \"momentum\", \"mu\": 0.9}}")
    settings = {key: value for key, value in chosen.items() if key != "name"}
    try:
        optimizer = optimizers.make(chosen["name"], net, **settings)
        unknown = set(settings) - set(type(optimizer).HYPERPARAMETERS)
        if unknown:
            raise NnloopError(f"{chosen['name']} has no hyperparameter {sorted(unknown)[0]!r}: it has "
                              f"{', '.join(type(optimizer).HYPERPARAMETERS) or 'none'}")
    except NnloopError as e:
        raise NnloopError(f"{path}: \"optimizer\": {e}") from None
    return Spec(net, x, T, float(eta), note, optimizer)


def check_keys(document, allowed, required, where):
    """Refuse unknown keys (a typo would otherwise be silently ignored) and missing ones."""
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise NnloopError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(sorted(allowed))}: fix its spelling or drop it")
    missing = sorted(required - set(document))
    if missing:
        raise NnloopError(f"{where}: missing {missing[0]!r}; see the spec format in the README")


def numbers(values, n, key, meaning, path):
    """values as a list of n floats, or a refusal naming the key."""
    if not isinstance(values, list) or len(values) != n:
        raise NnloopError(f"{path}: \"{key}\" must be a list of {n} numbers, {meaning}")
    try:
        check_numbers(values, f"\"{key}\"")
    except NnloopError as e:
        raise NnloopError(f"{path}: {e}") from None
    return [float(value) for value in values]
