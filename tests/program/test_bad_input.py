"""A corpus of bad input, every case refused the same way.

Across the command line, the Python API, IDX and checksum files, model files
and spec files, each case must end in one line naming the problem (the
fragments given) and the fix (an imperative such as use, give, pass,
choose...), exit status 2 or NnloopError, no traceback, and every model file
byte-identical afterwards. Command-line cases run in-process through
nnloop.cli.main, so the corpus is fast under both interpreters; a few run as
real processes to prove the exit status.
"""
import copy
import hashlib
import json
import os
import re
import shutil

import pytest
from conftest import NAMES, assert_refused, idx_bytes, run_nnloop, write_mnist

from nnloop import Network, Recipe, architecture, check_gradients, cli, train, update_mini_batch
from nnloop.errors import NnloopError
from nnloop.layers.conv import Conv2D
from nnloop.layers.dense import Dense
from nnloop.layers.flatten import Flatten
from nnloop.network import Gradients
from nnloop.files import modelfile
from nnloop.files.mnist import Digits
from nnloop.learning import optimizers
from nnloop.rng import Random

FIX = re.compile(r"\b(use|give|pass|choose|restore|put|replace|delete|leave|drop|create|make|train|see|continue|"
                 r"write|check|fix|download|gzip|try|must|needs)\b", re.I)


def digits(n, seed):
    rng = Random(seed)
    return Digits(bytes(rng.below(256) for _ in range(784 * n)), bytes(i % 10 for i in range(n)))


def training_block():
    return {"arguments": {"hidden": [4], "activation": "relu", "output_activation": "softmax",
                          "loss": "cross_entropy", "epochs": 1, "batch_size": 8, "learning_rate": 0.1, "seed": 0,
                          "limit": None, "data": None, "workers": 1, "reproducible": True},
            "made_with": {"nnloop": "0", "python": "test"}, "epochs_done": 1,
            "order_rng": Random(1).get_state(),
            "history": [{"epoch": 1, "loss": 2.3, "train_accuracy": 0.1, "test_accuracy": 0.1,
                         "mean_abs_dW": [0.01, 0.02]}]}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A directory with a small model, a trained checkpoint, a tiny MNIST and a spec."""
    root = tmp_path_factory.mktemp("bad")
    data = write_mnist(root / "mnist", digits(40, 1), digits(20, 2))
    net = Network([784, 4, 10], ["relu", "softmax"], "cross_entropy", seed=3)
    modelfile.save(net, str(root / "model.json"))
    modelfile.save(net, str(root / "run.json"), training=training_block())
    spec = {"format": "nnloop-spec", "version": 1, "note": "n", "loss": "mse",
            "layers": [{"activation": "relu", "W": [[3, 1, 2], [-2, -3, -1]], "B": [0, 0]},
                       {"activation": "identity", "W": [[3, 2]], "B": [0]}],
            "x": [2, 3, 1], "t": [20], "learning_rate": 0.001}
    (root / "spec.json").write_text(json.dumps(spec))
    (root / "notes.txt").write_text("a file, not a directory\n")
    modelfile.save(net, str(root / "adam.json"), training=adam_training_block(net))
    convnet = architecture.build(architecture.parse("conv2x5,maxpool2"), (1, 28, 28), classes=10, seed=0)
    modelfile.save(convnet, str(root / "conv.json"))
    wide = architecture.build(architecture.parse("conv2x5,maxpool2"), (1, 14, 56), classes=10, seed=0)
    modelfile.save(wide, str(root / "wide.json"))  # 784 inputs, but not 28x28 digits
    return {"root": root, "data": data, "model": str(root / "model.json"), "run": str(root / "run.json"),
            "spec": spec, "spec_path": str(root / "spec.json"), "adam": str(root / "adam.json"),
            "conv": str(root / "conv.json"), "wide": str(root / "wide.json")}


def adam_training_block(net):
    """A checkpoint of an Adam run, with its optimizer state and dropout generator, as nnloop train writes them."""
    block = training_block()
    block["arguments"]["optimizer"] = "adam"
    block["optimizer"] = optimizers.make("adam", net).to_document(net)
    block["dropout_rng"] = Random(2).get_state()
    return block


def model_hashes(root):
    hashes = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                hashes[path] = hashlib.sha256(f.read()).hexdigest()
    return hashes


def assert_one_line(message, fragments):
    assert "\n" not in message.strip() and "Traceback" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert FIX.search(message), f"no fix named: {message}"


def refused_by_cli(capsys, argv, fragments, root):
    before = model_hashes(root)
    try:
        status = cli.main([str(a) for a in argv])
    except SystemExit as e:  # argparse refuses an option before nnloop runs
        status = e.code
    err = capsys.readouterr().err
    assert status == 2, (argv, err)
    assert err.startswith("nnloop"), err
    assert_one_line(err, fragments)
    assert model_hashes(root) == before, "a file was changed by a refused command"


# ---- the command line: options --------------------------------------------------------------------------------

CLI_CASES = [
    (["train", "--epochs", "0"], ["--epochs", "whole number >= 1"]),
    (["train", "--epochs", "x"], ["--epochs", "'x'"]),
    (["train", "--batch-size", "-3"], ["--batch-size", "whole number"]),
    (["train", "--learning-rate", "0"], ["--learning-rate", "> 0"]),
    (["train", "--lr", "nan"], ["--learning-rate", "the learning rate eta must be", "got nan"]),
    (["train", "--lr", "inf"], ["got inf"]),
    (["train", "--lr", "fast"], ["got 'fast'"]),
    (["train", "--lr", "-1"], ["> 0"]),
    (["train", "--hidden", "10,-2"], ["hidden layer sizes", "10,-2"]),
    (["train", "--hidden", "abc"], ["'abc'"]),
    (["train", "--hidden", "100000", "-o", "{root}/big.json"], ["784-100000-10", "10,000,000 weights"]),
    (["train", "--workers", "10000", "-o", "{root}/w.json"], ["--workers 10000", "per core"]),
    (["train", "--workers", "0"], ["--workers", "whole number"]),
    (["train", "--limit", "0"], ["--limit"]),
    (["train", "--seed", "abc"], ["--seed", "'abc'"]),
    (["train", "--activation", "gelu"], ["invalid choice: 'gelu'"]),
    (["train", "--loss", "hinge"], ["invalid choice: 'hinge'"]),
    (["train", "--output-activation", "softmax2"], ["invalid choice"]),
    (["train", "--report", "{root}/notes.txt/r.html", "-o", "{root}/x.json"], ["--report", "notes.txt is a file"]),
    (["train", "-o", "{root}/model.json", "--data", "{data}"], ["model.json already exists", "--force"]),
    (["train", "-o", "{root}/run.json", "--data", "{data}"], ["run.json already exists", "--resume"]),
    (["train", "-o", "{root}/notes.txt", "--data", "{data}"], ["notes.txt already exists", "-o MODEL"]),
    (["train", "-o", "{root}", "--data", "{data}"], ["is a directory"]),
    (["train", "-o", "{root}/notes.txt/m.json", "--data", "{data}"], ["cannot create the directory"]),
    (["train", "-o", "{root}/fresh.json", "--report", "{root}/fresh.json", "--data", "{data}"],
     ["--report", "choose another"]),
    (["train", "-o", "{root}/fresh.json", "--report", "{root}/model.json", "--data", "{data}"],
     ["--report", "nnloop model file"]),
    (["train", "--resume", "{root}/run.json", "--hidden", "7", "-o", "{root}/r2.json"], ["--hidden", "leave --hidden out"]),
    (["train", "--resume", "{root}/run.json", "--data", "{data}", "-o", "{root}/r3.json"],
     ["run.json has already had 1 epoch:", "--epochs N"]),
    (["train", "--resume", "{root}/run.json", "--data", "{data}", "-o", "{root}/model.json"], ["model.json already exists"]),
    (["train", "--resume", "{root}/model.json", "-o", "{root}/r4.json"], ["no training state", "nnloop train"]),
    (["train", "--resume", "{root}/missing.json"], ["no model file", "nnloop train"]),
    (["train", "--data", "{root}/nowhere", "-o", "{root}/d.json"], ["no data directory", "--data DIR"]),
    (["train", "--nonsense"], ["unrecognized arguments"]),
    (["evaluate"], ["MODEL"]),
    (["evaluate", "{root}/missing.json"], ["no model file"]),
    (["evaluate", "{root}"], ["is a directory"]),
    (["evaluate", "{root}/notes.txt"], ["not valid JSON"]),
    (["evaluate", "{spec_path}"], ["not an nnloop model file"]),
    (["predict", "{model}", "x"], ["test digit's index", "'x'"]),
    (["predict", "{model}", "-1"], ["test digit"]),
    (["predict", "{model}", "25", "--data", "{data}"], ["no test digit 25", "indices 0 to 19"]),
    (["predict", "{model}"], ["INDEX"]),
    (["report", "{model}", "-o", "{model}"], ["is the input file", "choose another -o"]),
    (["report", "{run}", "-o", "{model}"], ["nnloop model file", "choose another -o"]),
    (["report", "{model}", "-o", "{root}"], ["is a directory"]),
    (["report", "{model}", "-o", "{root}/notes.txt/deeper/r.html"], ["cannot create the directory", "is a file"]),
    (["report", "{model}", "-o", "{root}/notes.txt/r.html"], ["cannot create the directory"]),
    (["draw", "{spec_path}", "-o", "{spec_path}"], ["is the input file"]),
    (["draw", "{spec_path}", "-o", "{model}"], ["nnloop model file"]),
    (["trace", "{spec_path}", "--html", "{spec_path}"], ["is the input file"]),
    (["trace", "{spec_path}", "--html", "{model}"], ["nnloop model file"]),
    (["compare", "{model}", "{run}", "-o", "{run}"], ["is the input file"]),
    (["compare", "{run}", "-o", "{model}"], ["nnloop model file"]),
    (["bench", "--workers", "1,99"], ["--workers 99", "per core"]),
    (["bench", "--batch-size", "32,0"], ["--batch-size"]),
    (["bench", "--samples", "0"], ["--samples"]),
    (["bench", "--hidden", "5000,5000"], ["10,000,000 weights"]),
    (["vanish", "--depth", "100000", "--width", "100000"], ["(100002 layers)", "10,000,000 weights"]),
    (["vanish", "--depth", "0"], ["--depth"]),
    (["vanish", "--width", "-5"], ["--width"]),
    (["vanish", "--batch-size", "0"], ["--batch-size"]),
    (["trace", "{root}/missing.json"], ["no file"]),
    (["trace", "{spec_path}", "--index", "3"], ["--index", "drop --index"]),
    (["trace", "{spec_path}", "--top", "0"], ["--top"]),
    (["trace", "{model}", "--index", "99", "--data", "{data}"], ["no test digit 99"]),
    (["gradcheck", "{spec_path}", "--eps", "0"], ["--eps", "> 0"]),
    (["gradcheck", "{spec_path}", "--eps", "1e-30"], ["eps = 1e-30", "use 1e-7 to 1e-3"]),
    (["gradcheck", "{spec_path}", "--eps", "-1e-5"], ["--eps"]),
    (["gradcheck", "{spec_path}", "--threshold", "nan"], ["--threshold"]),
    (["gradcheck", "{spec_path}", "--params", "5"], ["is a spec", "--params and --digits are for model files"]),
    (["gradcheck", "{model}", "--digits", "50", "--data", "{data}"], ["no test digit 20"]),
    (["geometry", "--W", "1,2,3"], ["--W", "4 numbers"]),
    (["geometry", "--W", "1,2,3,nan"], ["4 numbers"]),
    (["geometry", "--B", "1"], ["--B", "2 numbers"]),
    (["geometry", "--W", "1e12,0,0,1"], ["beyond +-", "smaller numbers"]),
    (["geometry", "--W", "1,2,3,4", "--spec", "{spec_path}"], ["not both"]),
    (["geometry", "-o", "{model}"], ["nnloop model file", "choose another -o"]),
    (["geometry", "--spec", "{root}/layer.json", "-o", "{root}/layer.json"], ["is the input file"]),
    (["geometry", "-o", "{root}"], ["is a directory"]),
    (["geometry", "--points", "cloud"], ["invalid choice"]),
    (["frobnicate"], ["invalid choice: 'frobnicate'"]),
    (["train", "--layers", "conv1x5p100000,maxpool100000", "-o", "{root}/c.json"],
     ["--layers conv1x5p100000", "40,009,601,378 nodes", "GB of memory", "stops at 10,000,000 nodes"]),
    (["train", "--layers", "dense100000000", "-o", "{root}/c.json"], ["79,500,000,010 weights", "10,000,000 weights"]),
    (["train", "--layers", "conv99999x5", "-o", "{root}/c.json"], ["99999x24x24", "578,594,224 weights"]),
    (["train", "--layers", ",".join(["dense5000"] * 50), "-o", "{root}/c.json"], ["(53 layers)", "weights"]),
    (["bench", "--layers", "conv99999x5"], ["--layers conv99999x5", "10,000,000 weights"]),
    (["bench", "--layers", "conv2x5", "--hidden", "10"], ["--hidden and --layers", "give one of them"]),
    (["train", "--layers", "conv\uff18x5", "-o", "{root}/c.json"], ["cannot read 'conv\uff18x5'", "conv8x5"]),
    (["train", "--layers", "dense\u0661\u0660", "-o", "{root}/c.json"], ["cannot read", "dense"]),
    (["train", "--hidden", "\u0661\u0660", "-o", "{root}/c.json"], ["hidden layer sizes must be whole numbers >= 1"]),
    (["train", "--lr-step", "3", "-o", "{root}/s.json"],
     ["--lr-step is a setting of the step schedule", "--lr-schedule constant", "leave it out"]),
    (["train", "--lr-schedule", "step", "--lr-epochs", "3", "-o", "{root}/s.json"], ["--lr-epochs", "cosine"]),
    (["train", "--lr-schedule", "cosine", "--lr-gamma", "0.3", "-o", "{root}/s.json"], ["--lr-gamma", "step"]),
    (["train", "--decay", "decoupled", "-o", "{root}/s.json"], ["--decay", "give --weight-decay LAMBDA"]),
    (["train", "--resume", "{adam}", "--beta1", "0.5", "-o", "{root}/r5.json"],
     ["--beta1 0.5 differs", "which has the default 0.9", "leave --beta1 out"]),
    (["train", "--resume", "{run}", "--momentum", "0.5", "-o", "{root}/r5.json"],
     ["--momentum 0.5 differs", "which did not set it"]),
    (["train", "--resume", "{run}", "--learning-rate", "0.5", "-o", "{root}/r5.json"],
     ["--learning-rate 0.5 differs", "which has 0.1"]),
    (["export", "{root}/notes.txt", "-o", "{root}/e.py"], ["not valid JSON"]),
    (["export", "{model}", "-o", "{root}/notes.txt"], ["notes.txt already exists", "--force"]),
    (["export", "{spec_path}", "-o", "{spec_path}"], ["is the input file"]),
    (["export", "{spec_path}", "-o", "{model}"], ["is an nnloop model file"]),
    (["export", "{spec_path}", "--to", "tensorflow", "-o", "{root}/e.py"], ["invalid choice: 'tensorflow'"]),
    (["trace", "{spec_path}", "--json", "--html", "{root}/t.html"], ["--json", "drop --html"]),
    (["evaluate", "{wide}"], ["1x14x56 inputs", "1x28x28"]),
    (["predict", "{wide}", "0"], ["1x14x56 inputs", "1x28x28"]),
    (["trace", "{wide}"], ["1x14x56 inputs"]),
    (["report", "{wide}", "-o", "{root}/w.html"], ["1x14x56 inputs"]),
]


@pytest.mark.parametrize("argv, fragments", CLI_CASES, ids=[" ".join(c[0])[:60] for c in CLI_CASES])
def test_the_command_line_refuses(world, capsys, argv, fragments):
    (world["root"] / "layer.json").write_text('{"W": [[1, 2], [3, 4]], "B": [0, 0]}')
    fill = {"root": world["root"], "data": world["data"], "model": world["model"], "run": world["run"],
            "spec_path": world["spec_path"], "adam": world["adam"], "wide": world["wide"]}
    refused_by_cli(capsys, [a.format(**fill) for a in argv], fragments, world["root"])


# ---- model files: one section at a time ------------------------------------------------------------------------

def mutate_training(change):
    def apply(document):
        change(document["training"])
    return apply


def set_path(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


MODEL_CASES = [
    (lambda d: d.update(format="keras"), ["not an nnloop model file"]),
    (lambda d: d.update(version=7), ["version 7"]),
    (lambda d: d.pop("loss"), ["no \"loss\""]),
    (lambda d: d.update(loss=3), ["\"loss\" must be"]),
    (lambda d: d.update(loss="hinge"), ["unknown loss 'hinge'"]),
    (lambda d: d.pop("sizes"), ["no \"sizes\""]),
    (lambda d: d.update(sizes=5), ["\"sizes\" must be a list"]),
    (lambda d: d.update(sizes=[784, 5, 10]), ["\"sizes\" says [784, 5, 10]"]),
    (lambda d: d.update(layers=5), ["\"layers\" must be a list"]),
    (lambda d: d.update(layers=[]), ["\"layers\" must be a list"]),
    (lambda d: d["layers"].__setitem__(0, [1, 2]), ["layer 1 must be an object"]),
    (lambda d: d["layers"][0].pop("W"), ["layer 1 has no \"W\""]),
    (lambda d: d["layers"][1].pop("activation"), ["layer 2 has no \"activation\""]),
    (lambda d: d["layers"][0].update(activation=["relu"]), ["\"activation\" must be a name"]),
    (lambda d: d["layers"][0].update(activation="gelu"), ["unknown activation 'gelu'"]),
    (lambda d: d["layers"][0].update(W={"0": [1.0]}), ["\"W\" must be a list of rows"]),
    (lambda d: d["layers"][0].update(W=[1.0, 2.0]), ["W[1] must be a non-empty list of rows"]),
    (lambda d: d["layers"][0].update(B="zeros"), ["\"B\" a list of numbers"]),
    (lambda d: d["layers"][1]["W"][3].pop(), ["W[2][3] must hold 4 weights"]),
    (lambda d: d["layers"][1]["W"][0].__setitem__(1, "0.5"), ["W[2][0] must hold finite numbers, found '0.5'"]),
    (lambda d: d["layers"][1]["B"].append(0.0), ["B[2] has 11 biases"]),
    (lambda d: d["layers"][0]["B"].__setitem__(0, None), ["B[1] must hold finite numbers, found None"]),
    (lambda d: d["layers"][1].update(activation="softmax2"), ["unknown activation"]),
    (lambda d: d["layers"][0].update(activation="softmax"), ["softmax is for the output layer only"]),
    (lambda d: d.update(training=[1]), ["\"training\" must be an object"]),
    (mutate_training(lambda t: t.update(order_rng="abc")), ["\"training.order_rng\"", "splitmix64"]),
    (mutate_training(lambda t: t["order_rng"].update(splitmix64="xyz")), ["hexadecimal"]),
    (mutate_training(lambda t: t["order_rng"].update(spare="1")), ["\"spare\" must be null or a number"]),
    (mutate_training(lambda t: t["history"][0].pop("epoch")), ["\"training.history[0]\" has no \"epoch\""]),
    (mutate_training(lambda t: t["history"][0].update(epoch="1")), ["history[0].epoch\" must be a whole number"]),
    (mutate_training(lambda t: t["history"][0].update(loss="low")), ["history[0].loss\" must be a number"]),
    (mutate_training(lambda t: t["history"][0].update(test_accuracy=97.5)), ["is a fraction from 0 to 1"]),
    (mutate_training(lambda t: t["history"][0].pop("train_accuracy")), ["has no \"train_accuracy\""]),
    (mutate_training(lambda t: t["history"][0].update(mean_abs_dW="big")), ["mean_abs_dW\" must be a list"]),
    (mutate_training(lambda t: t["history"].__setitem__(0, 3)), ["history[0]\" must be an object"]),
    (mutate_training(lambda t: t.update(history={})), ["\"training.history\" must be a list"]),
    (mutate_training(lambda t: t.update(epochs_done=-1)), ["epochs_done\" must be a whole number >= 0"]),
    (mutate_training(lambda t: t.update(arguments=[])), ["\"training.arguments\" must be an object"]),
    (mutate_training(lambda t: t["arguments"].update(learning_rate="0.1")),
     ['"training.arguments.learning_rate": the learning rate eta must be a number > 0', "got '0.1'"]),
    (mutate_training(lambda t: t["arguments"].update(learning_rate=-0.1)), ["learning rate eta must be a number > 0"]),
    (mutate_training(lambda t: t["arguments"].update(batch_size=0)),
     ['batch_size": the batch size must be a whole number >= 1']),
    (mutate_training(lambda t: t["arguments"].update(epochs=2.5)), ['epochs": epochs must be a whole number']),
    (mutate_training(lambda t: t["arguments"].update(seed="x")), ['seed": the seed must be a whole number']),
    (mutate_training(lambda t: t["arguments"].update(hidden=100)), ['hidden": the hidden layer sizes must be whole numbers >= 1', "got 100"]),
    (mutate_training(lambda t: t["arguments"].update(workers=True)), ['workers": workers must be a whole number']),
    (mutate_training(lambda t: t["arguments"].update(reproducible="yes")), ["reproducible must be true or false"]),
    (mutate_training(lambda t: t["arguments"].update(optimizer="adam", momentum=0.5)),
     ['"training.arguments": --momentum is a setting of momentum and nesterov, which --optimizer adam does not']),
    (mutate_training(lambda t: t.update(made_with="pypy")), ["made_with\" must be an object"]),
]
COMMANDS = [["evaluate", "{path}", "--data", "{data}"], ["report", "{path}", "-o", "{root}/out.html", "--data", "{data}"],
            ["train", "--resume", "{path}", "--epochs", "2", "--data", "{data}"], ["trace", "{path}", "--data", "{data}"]]


@pytest.mark.parametrize("n", range(len(MODEL_CASES)))
def test_a_damaged_model_file_is_refused_naming_the_key(world, capsys, n):
    change, fragments = MODEL_CASES[n]
    document = json.loads(open(world["run"]).read())
    change(document)
    path = world["root"] / f"damaged-{n}.json"
    path.write_text(json.dumps(document))
    command = COMMANDS[n % len(COMMANDS)]  # every command reads every kind of damage somewhere in the corpus
    fill = {"path": path, "data": world["data"], "root": world["root"]}
    refused_by_cli(capsys, [a.format(**fill) for a in command], [str(path)] + fragments, world["root"])
    with pytest.raises(NnloopError) as e:
        modelfile.read(str(path))
    assert_one_line(str(e.value), fragments)


DEEP = "<900 nested lists>"  # written into the file as text: PyPy's json cannot even write 900 levels


def set_adam_second_moment(t):
    t["optimizer"]["state"]["s"]["B"][1][0] = -1.0


# (file, change, fragments): files nnloop itself writes, edited by hand the way a person might
EDITED_CASES = [
    ("adam", lambda d: d["training"]["optimizer"].update(name=["sgd"]), ['"training.optimizer" must be', "adam"]),
    ("adam", lambda d: d["training"]["arguments"].update(optimizer=["sgd"]),
     ['"training.arguments.optimizer": the optimizer must be one of', "['sgd']"]),
    ("adam", lambda d: d["training"]["arguments"].update(optimizer="sgd"),
     ['"training.arguments.optimizer" says \'sgd\'', "the state of 'adam'", "damaged"]),
    ("adam", lambda d: d["training"]["arguments"].update(beta1=0.5), ['arguments.beta1" says 0.5', '"b1" is 0.9']),
    ("adam", lambda d: d["training"]["arguments"].update(weight_decay=0.01), ['arguments.weight_decay" says 0.01']),
    ("adam", lambda d: d["training"].update(dropout_rng={"splitmix64": "zz", "spare": None}),
     ['"training.dropout_rng"', "hexadecimal"]),
    ("adam", lambda d: d["training"].update(dropout_rng="abc"), ['"training.dropout_rng" must be', "splitmix64"]),
    ("adam", lambda d: set_adam_second_moment(d["training"]), ["optimizer state 's'", "numbers >= 0", "-1.0"]),
    ("adam", lambda d: d["training"]["optimizer"].update(b1=2), ["beta1", "[0, 1)", "got 2"]),
    ("adam", lambda d: d["training"]["arguments"].update(lr_schedule="exp"), ['lr_schedule": the learning-rate schedule must be one of']),
    ("adam", lambda d: d["training"]["arguments"].update(dropout=1.5), ['arguments.dropout"', "[0, 1)"]),
    ("adam", lambda d: d["training"]["arguments"].update(lr_step=0), ['arguments.lr_step": the step schedule\'s STEP (epochs between cuts) must be a whole number']),
    ("adam", lambda d: d["training"]["arguments"].update(epsilon="tiny"), ['arguments.epsilon"', "epsilon"]),
    ("adam", lambda d: d["training"]["arguments"].update(unknown=DEEP), ["nests lists or objects too deeply"]),
    ("conv", lambda d: (d.update(version=1), d.pop("input")), ['no "input"', "[1, 28, 28]"]),
    ("conv", lambda d: d["layers"][0].update(type=["conv"]), ['layer 1: "type" must be a layer kind', "['conv']"]),
    ("conv", lambda d: d["layers"][0].update(padding=100000), ["feature maps of a conv layer", "10,000,000 nodes"]),
]


@pytest.mark.parametrize("n", range(len(EDITED_CASES)))
def test_an_edited_file_is_refused_by_every_command_naming_the_field(world, capsys, n):
    name, change, fragments = EDITED_CASES[n]
    document = json.loads(open(world[name]).read())
    change(document)
    path = world["root"] / f"edited-{n}.json"
    path.write_text(json.dumps(document).replace(json.dumps(DEEP), "[" * 900 + "]" * 900))
    fill = {"path": path, "data": world["data"], "root": world["root"]}
    for command in COMMANDS + [["gradcheck", "{path}", "--data", "{data}"], ["draw", "{path}", "--data", "{data}",
                                                                             "-o", "{root}/e.svg"]]:
        refused_by_cli(capsys, [a.format(**fill) for a in command], [str(path)] + fragments, world["root"])


def test_the_adam_checkpoint_those_cases_edit_resumes_as_it_is(world, capsys):
    out = world["root"] / "adam-resumed.json"
    argv = ["train", "--resume", world["adam"], "--epochs", "2", "--data", world["data"], "-o", out]
    assert cli.main([str(a) for a in argv]) == 0
    assert json.loads(out.read_text())["training"]["optimizer"]["name"] == "adam"


def resaved(path, destination):
    """The model at path as another JSON tool might save it: "training" first, indented."""
    document = json.loads(open(path).read())
    document = {"training": document.pop("training"), **document}
    destination.write_text(json.dumps(document, indent=2))
    assert b'"nnloop-model"' not in destination.read_bytes()[:200]  # where nnloop once looked for it
    return destination


@pytest.mark.parametrize("argv", [
    ["draw", "{spec_path}", "-o", "{other}"],
    ["report", "{run}", "-o", "{other}", "--data", "{data}"],
    ["compare", "{run}", "-o", "{other}"],
    ["trace", "{spec_path}", "--html", "{other}"],
    ["geometry", "-o", "{other}"],
    ["train", "-o", "{fresh}", "--report", "{other}", "--data", "{data}"],
])
def test_an_output_never_replaces_a_model_file_in_any_key_order_unless_forced(world, capsys, argv):
    other = resaved(world["run"], world["root"] / "other.json")
    fill = {"other": other, "spec_path": world["spec_path"], "run": world["run"], "data": world["data"],
            "fresh": world["root"] / "fresh-run.json"}
    argv = [a.format(**fill) for a in argv]
    refused_by_cli(capsys, argv, [f"{other} is an nnloop model file", "choose another", "--force"], world["root"])
    if argv[0] != "train":
        assert cli.main(argv + ["--force"]) == 0
        assert b"nnloop-model" not in other.read_bytes()  # replaced, as asked


def test_a_spec_and_a_cut_short_model_are_kept_too(world, capsys):
    spec_copy = world["root"] / "spec-copy.json"
    spec_copy.write_text(json.dumps(world["spec"]))
    refused_by_cli(capsys, ["draw", world["spec_path"], "-o", spec_copy], ["is an nnloop network spec", "--force"],
                   world["root"])
    cut = world["root"] / "cut.json"
    cut.write_bytes(open(world["run"], "rb").read()[:-40])  # no longer parses, but says what it was
    refused_by_cli(capsys, ["draw", world["spec_path"], "-o", cut], ["is an nnloop model file"], world["root"])


def test_deeply_nested_json_is_refused_in_every_kind_of_file(world, capsys):
    path = world["root"] / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    for argv in (["evaluate", path], ["gradcheck", path], ["trace", path], ["geometry", "--spec", path,
                                                                            "-o", world["root"] / "g.svg"]):
        refused_by_cli(capsys, argv, ["nests lists or objects too deeply"], world["root"])


def test_a_file_that_is_not_utf8_is_refused(world, capsys):
    path = world["root"] / "latin1.json"
    path.write_bytes(b'{"format": "nnloop-model", "note": "caf\xe9"}')
    refused_by_cli(capsys, ["evaluate", path], ["is not UTF-8 text"], world["root"])
    refused_by_cli(capsys, ["trace", path], ["is not UTF-8 text"], world["root"])


# ---- spec files ---------------------------------------------------------------------------------------------------

SPEC_CASES = [
    (lambda s: s.update(layers=5), ["\"layers\" must be a list of objects"]),
    (lambda s: s.update(layers=[]), ["\"layers\" must be a list of objects"]),
    (lambda s: s.pop("x"), ["missing 'x'"]),
    (lambda s: s.update(colour="red"), ["unknown key 'colour'"]),
    (lambda s: s.update(x=[1, 2]), ["\"x\" must be a list of 3 numbers"]),
    (lambda s: s.update(x=[1, "2", 3]), ["\"x\" must hold finite numbers"]),
    (lambda s: s.update(t=[1, 2]), ["\"t\" must be a list of 1 numbers"]),
    (lambda s: s.update(learning_rate="fast"), ["\"learning_rate\": the learning rate eta must be a number > 0",
                                                "got 'fast'"]),
    (lambda s: s.update(learning_rate=0), ["\"learning_rate\": the learning rate eta must be a number > 0"]),
    (lambda s: s.update(version=3), ["version 3"]),
    (lambda s: s.update(loss="l1"), ["unknown loss 'l1'"]),
    (lambda s: s["layers"][0].update(activation=["relu"]), ["unknown activation ['relu']"]),
    (lambda s: s["layers"][0].update(W={"a": 1}), ["W[1] must be a non-empty list of rows"]),
    (lambda s: s["layers"][0].update(W=[[1, 2], [3, 4]]), ["\"x\" must be a list of 2 numbers"]),
    (lambda s: s["layers"][1].update(B=[0, 0]), ["B[2] has 2 biases"]),
    (lambda s: s["layers"][0].update(k=2), ["says \"k\": 2"]),
    (lambda s: s.update(sizes=[3, 3, 1]), ["\"sizes\" says [3, 3, 1]"]),
    (lambda s: s.update(note=5), ["\"note\" must be a string"]),
    (lambda s: s["layers"][0]["W"].__setitem__(0, [1e12, 1, 2]), ["eps = 1e-05 vanishes next to W[1][0][0]"]),
    (lambda s: s.update(optimizer={"name": ["adam"]}), ['"optimizer": unknown optimizer [\'adam\']', "use one of"]),
]


@pytest.mark.parametrize("n", range(len(SPEC_CASES)))
def test_a_bad_spec_is_refused(world, capsys, n):
    change, fragments = SPEC_CASES[n]
    spec = copy.deepcopy(world["spec"])
    change(spec)
    path = world["root"] / f"spec-{n}.json"
    path.write_text(json.dumps(spec))
    refused_by_cli(capsys, ["gradcheck", path], fragments, world["root"])


# ---- MNIST files: IDX and SHA256SUMS ---------------------------------------------------------------------------

def break_sums(text):
    def apply(directory):
        (directory / "SHA256SUMS").write_bytes(text)
    return apply


def replace_file(name, content):
    def apply(directory):
        for suffix in ("", ".gz"):
            if (directory / (name + suffix)).exists():
                os.unlink(directory / (name + suffix))
        (directory / name).write_bytes(content)
        os.unlink(directory / "SHA256SUMS")
    return apply


def make_directory(name):
    def apply(directory):
        os.unlink(directory / (name + ".gz"))
        os.mkdir(directory / (name + ".gz"))
    return apply


IMAGES, LABELS = NAMES["test", "images"], NAMES["test", "labels"]
DATA_CASES = [
    (break_sums(b"not a checksum line\n"), ["SHA256SUMS line 1 is not", "delete it to skip the check"]),
    (break_sums(b"abc  t10k-images-idx3-ubyte.gz\n"), ["SHA256SUMS line 1"]),
    (break_sums(b"\xff\xfe\x00garbage"), ["SHA256SUMS is not UTF-8 text"]),
    (break_sums(b"0" * 64 + b"  t10k-images-idx3-ubyte.gz\n"), ["is damaged: its SHA-256"]),
    (lambda d: (os.unlink(d / "SHA256SUMS"), os.mkdir(d / "SHA256SUMS")), ["SHA256SUMS is a directory"]),
    (make_directory(IMAGES), ["is a directory, not an MNIST file"]),
    (make_directory(LABELS), ["is a directory, not an MNIST file"]),
    (replace_file(IMAGES, idx_bytes([0, 28, 28], b"")), ["holds 0 images"]),
    (replace_file(IMAGES, idx_bytes([20, 14, 14], bytes(20 * 196))), ["14 x 14 pixels"]),
    (replace_file(IMAGES, idx_bytes([20, 28, 28], bytes(100))), ["is truncated"]),
    (replace_file(IMAGES, b"\x01\x02\x03\x04"), ["not an IDX file"]),
    (replace_file(IMAGES, idx_bytes([19, 28, 28], bytes(19 * 784))), ["19 images but", "20 labels"]),
    (replace_file(LABELS, idx_bytes([20], bytes([12] * 20))), ["the label 12"]),
    (replace_file(LABELS + ".gz", b"plain bytes"), ["not gzip data"]),
    (lambda d: os.unlink(d / (LABELS + ".gz")), ["missing file"]),
]


@pytest.mark.parametrize("n", range(len(DATA_CASES)))
def test_bad_mnist_files_are_refused(world, capsys, n):
    change, fragments = DATA_CASES[n]
    directory = world["root"] / f"mnist-{n}"
    shutil.copytree(world["data"], directory)
    change(directory)
    refused_by_cli(capsys, ["evaluate", world["model"], "--data", directory], fragments, world["root"])


# ---- the Python API --------------------------------------------------------------------------------------------

def small():
    return Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=1)


SAMPLES = [([0.5, -1.0], [1.0, 0.0])]
API_CASES = [
    (lambda: Network([2, 2], ["relu"], "mse", seed="abc"), ["seed must be a whole number"]),
    (lambda: Network([2, 2], ["relu"], "mse", seed=1.5), ["seed must be a whole number"]),
    (lambda: Network([2, 2], [["relu"]], "mse"), ["unknown activation ['relu']"]),
    (lambda: Network([2, 2], "relu", "mse"), ["activations must be a list"]),
    (lambda: Network(5, ["relu"], "mse"), ["sizes must be a list"]),
    (lambda: Network([2, 0], ["relu"], "mse"), ["sizes must be 2 or more positive integers"]),
    (lambda: Network([2, 2], ["relu"], ["mse"]), ["unknown loss ['mse']"]),
    (lambda: Network([2, 2], ["relu", "relu"], "mse"), ["need 1 activations"]),
    (lambda: small().forward(["a", "b"]), ["input must be a list of 2 numbers"]),
    (lambda: small().forward([1.0]), ["input has 1 values", "layer 0 has 2"]),
    (lambda: small().forward([1.0, float("nan")]), ["input must hold finite numbers, found nan"]),
    (lambda: small().forward([1.0, float("inf")]), ["found inf"]),
    (lambda: small().forward(5), ["input must be a list of 2 numbers"]),
    (lambda: small().gradients([]), ["samples must be a non-empty list"]),
    (lambda: small().gradients([([0.5, -1.0], [1.0])]), ["target has 1 values", "output layer has 2"]),
    (lambda: small().gradients([([0.5, -1.0], [1.0, 0.0, 0.0])]), ["target has 3 values"]),
    (lambda: small().gradients([([0.5, -1.0], [1.0, "0"])]), ["target must be a list of 2 numbers"]),
    (lambda: small().gradients([([0.5, -1.0],)]), ["sample 0 must be a pair (x, T)"]),
    (lambda: small().gradients("xy"), ["samples must be a non-empty list"]),
    (lambda: small().mean_loss([]), ["samples must be a non-empty list"]),
    (lambda: small().mean_loss([([0.5, -1.0], [float("nan"), 1.0])]), ["target must hold finite numbers"]),
    (lambda: small().sample_loss([0.5], [1.0, 0.0]), ["output has 1 values"]),
    (lambda: small().sample_loss(["a", "b"], [1.0, 0.0]), ["output must be a list of 2 numbers"]),
    (lambda: small().sample_loss(None, [1.0, 0.0]), ["output must be a list of 2 numbers"]),
    (lambda: small().backward(None, [1.0], None), ["target has 1 values"]),
    (lambda: update_mini_batch(small(), SAMPLES, float("nan")), ["learning rate eta must be a number > 0"]),
    (lambda: update_mini_batch(small(), SAMPLES, -0.1), ["learning rate eta must be a number > 0"]),
    (lambda: update_mini_batch(small(), SAMPLES, 0), ["learning rate eta must be a number > 0"]),
    (lambda: update_mini_batch(small(), [], 0.1), ["samples must be a non-empty list"]),
    (lambda: train(small(), [], 1, 1, 0.1), ["samples must be a non-empty list"]),
    (lambda: train(small(), SAMPLES, 0, 1, 0.1), ["epochs must be a whole number >= 1"]),
    (lambda: train(small(), SAMPLES, 1, 0, 0.1), ["batch size must be a whole number >= 1"]),
    (lambda: train(small(), SAMPLES, 1, 1, float("inf")), ["learning rate eta must be a number > 0"]),
    (lambda: train(small(), SAMPLES, 1, 1, 0.1, seed="s"), ["seed must be a whole number"]),
    (lambda: check_gradients(small(), SAMPLES, eps=0), ["eps must be a number > 0"]),
    (lambda: check_gradients(small(), SAMPLES, eps=float("nan")), ["eps must be a number > 0"]),
    (lambda: check_gradients(small(), SAMPLES, eps=1e-30), ["eps = 1e-30 is so small"]),
    (lambda: check_gradients(small(), [], eps=1e-5), ["samples must be a non-empty list"]),
    (lambda: check_gradients(small(), SAMPLES, params=[(5, 0, 0)]), ["params must be (k, j, i) tuples"]),
    (lambda: check_gradients(small(), SAMPLES, params=[(1, 0, 9)]), ["params must be (k, j, i) tuples"]),
    (lambda: Network.with_parameters([[], {"0": [1.0]}], [[], [0.0]], ["identity"], "mse"),
     ["W[1] must be a non-empty list of rows"]),
    (lambda: Network.with_parameters([[], [[1.0, 2.0]]], [[], [0.0, 1.0]], ["identity"], "mse"), ["B[1] has 2 biases"]),
    (lambda: optimizers.make("momentum", small(), mu=0.5, mass=2.0), ["momentum has no hyperparameter 'mass'"]),
    (lambda: optimizers.make("sgd", small(), b1=0.8), ["sgd has no hyperparameter 'b1'"]),
    (lambda: optimizers.make("momentum", small(), momentum=0.5), ["momentum has no hyperparameter 'momentum'",
                                                                   "it has mu"]),  # the option's name is the recipe's
    (lambda: optimizers.Adam(small()).step(Network([2, 5, 2], ["tanh", "softmax"], "cross_entropy"),
                                            Gradients(Network([2, 5, 2], ["tanh", "softmax"], "cross_entropy")), 0.1,
                                            1), ["made for a 2-3-2 network, not this 2-5-2 one"]),
    (lambda: optimizers.SGD(Network([2, 3, 3, 2], ["tanh", "tanh", "softmax"], "cross_entropy")).step(
        small(), Gradients(small()), 0.1, 1), ["made for a 2-3-3-2 network", "make one for it"]),
    (lambda: update_mini_batch(small(), SAMPLES, 0.1, dropout=1.5), ["dropout P", "must be in [0, 1)", "got 1.5"]),
    (lambda: train(small(), SAMPLES, 2, 1, 0.1, schedule=lambda e: -1.0), ["the schedule's eta of epoch 0",
                                                                           "learning rate eta must be a number > 0"]),
    (lambda: train(small(), SAMPLES, 3, 1, 0.1, schedule=lambda e: 0.1 if e < 2 else float("nan")),
     ["eta of epoch 2"]),
    (lambda: Recipe(lr_schedule="step", lr_step=2, lr_gamma=1.0), ["GAMMA", "must be > 0 and < 1"]),
    (lambda: Recipe(eta=-1), ["the learning rate eta must be a number > 0", "typically 0.1 to 0.001"]),
    (lambda: Recipe(lr=0.1), ["a recipe has no setting 'lr'", "use one of hidden"]),
    (lambda: Dense(3, 2, "relu", None), ["rng must be an nnloop.rng.Random", "Dense.with_parameters"]),
    (lambda: Dense(3, 2, "rleu", Random(0)), ["unknown activation 'rleu'", "use one of"]),
    (lambda: Dense(3, 0, "relu", Random(0)), ["number of nodes", "whole number >= 1"]),
    (lambda: Dense.with_parameters([[1.0, 2.0]], [0.0, 0.5], "relu"), ["B must hold 1 biases"]),
    (lambda: Dense.with_parameters([[1.0, 2.0], [1.0]], [0.0, 0.0], "relu"), ["rows W[j] of equal length"]),
    (lambda: Dense.with_parameters([[1.0, float("nan")]], [0.0], "relu"), ["W[0] must hold finite numbers"]),
    (lambda: Dense.with_parameters([[1.0, 2.0]], [0.0], "rleu"), ["unknown activation 'rleu'"]),
    (lambda: Conv2D.with_parameters((1, 4, 4), [[[[1.0, 2.0], [3.0]]]], [0.0]),
     ["K[0][0] must be a 2x2 grid", "read from the 2 rows of K[0][0]"]),
    (lambda: modelfile.save(Network.with_parameters([[], [[1.0]]], [[], [0.0]], ["identity"], "mse"),
                            os.path.join(__file__, "m.json")),  # a file where its directory would be
     ["cannot write", "m.json"]),
]


@pytest.mark.parametrize("n", range(len(API_CASES)))
def test_the_python_api_refuses(n):
    call, fragments = API_CASES[n]
    with pytest.raises(NnloopError) as e:
        call()
    assert_one_line(str(e.value), fragments)


def test_a_refused_eta_leaves_every_weight_as_it_was():
    net = small()
    W = copy.deepcopy(net.W)
    with pytest.raises(NnloopError):
        update_mini_batch(net, SAMPLES, float("nan"))
    assert net.W == W


def test_the_corpus_has_more_than_100_cases():
    total = len(CLI_CASES) + len(MODEL_CASES) + len(SPEC_CASES) + len(DATA_CASES) + len(API_CASES) + 2
    assert total >= 100, total


# ---- a few real processes: the exit status and stderr a shell sees ---------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["report", "{model}", "-o", "{model}"], "is the input file"),
    (["train", "--resume", "{run}", "--hidden", "7", "-o", "{model}"], "already exists"),
    (["gradcheck", "{spec_path}", "--eps", "1e-30"], "so small"),
])
def test_refusals_are_real_exit_status_2_without_traceback(world, argv, fragment):
    fill = {"model": world["model"], "run": world["run"], "spec_path": world["spec_path"]}
    before = model_hashes(world["root"])
    assert_refused(run_nnloop(*[a.format(**fill) for a in argv]), fragment)
    assert model_hashes(world["root"]) == before


def test_a_resumed_run_needs_every_setting_every_run_records(world, capsys):
    document = json.loads(open(world["run"]).read())
    del document["training"]["arguments"]["batch_size"]  # a run of --batch-size 16 would go on at 32
    path = world["root"] / "no-batch-size.json"
    path.write_text(json.dumps(document))
    refused_by_cli(capsys, ["train", "--resume", path, "--epochs", "2", "--data", world["data"]],
                   ['"training.arguments" has no "batch_size"', "which every run records"], world["root"])


def test_a_second_run_to_the_same_model_file_stops_until_forced(world, capsys):
    path = world["root"] / "twice.json"
    argv = ["train", "--hidden", "4", "--epochs", "1", "--data", world["data"], "-o", path, "--reproducible"]
    assert cli.main([str(a) for a in argv]) == 0
    first = path.read_bytes()
    capsys.readouterr()
    refused_by_cli(capsys, argv, ["twice.json already exists", "--resume", "--force"], world["root"])
    assert cli.main([str(a) for a in argv + ["--seed", "5", "--force"]]) == 0
    assert path.read_bytes() != first  # --force let the new run (another seed) replace it


def test_a_large_network_is_announced_with_its_memory_and_time_per_epoch():
    import io

    from nnloop.sizes import check_network
    out = io.StringIO()
    check_network([784, 100, 10], "--hidden 100", samples=60000, out=out)
    assert out.getvalue() == ""
    check_network([784, 2000, 10], "--hidden 2000", samples=60000, out=out)
    assert re.match(r"note: 784-2000-10 is a large network: 1,590,010 weights, about 153 MB, some .+ per epoch here\n$",
                    out.getvalue()), out.getvalue()


def test_a_minibatch_step_with_dropout_needs_no_generator_of_its_own():
    net = Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=1)
    loss = update_mini_batch(net, SAMPLES, 0.1, dropout=0.5)  # was AttributeError: 'NoneType' ... 'uniform'
    assert 0 < loss < 10 and net.W != Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=1).W


def test_all_zero_weights_are_made_only_by_name():
    with pytest.raises(NnloopError, match="made by name: Dense.zeros"):
        Dense(3, 2, "relu")
    with pytest.raises(NnloopError, match="made by name: Conv2D.zeros"):
        Conv2D((1, 4, 4), 2, 2)
    assert Dense.zeros(3, 2).W == [[0.0] * 3] * 2 and Conv2D.zeros((1, 4, 4), 2, 2).K == [[0.0] * 4] * 2
    assert Dense(3, 2, "relu", Random(0)).in_shape == 3  # one order for every layer: what it reads, what it
    assert Conv2D((1, 4, 4), 2, 2, 1, 0, "relu", Random(0)).in_shape == (1, 4, 4)  # makes, f, the generator


def test_a_convnet_takes_its_input_as_maps_or_flat_and_says_which_when_neither():
    conv = Network.from_layers([Conv2D((1, 4, 4), 1, 2, rng=Random(0)), Flatten((1, 3, 3)),
                                Dense(9, 2, "softmax", Random(1))], "cross_entropy")
    x = [[[0.1 * i + 0.01 * j for j in range(4)] for i in range(4)]]
    assert conv.forward(x) == conv.forward([value for channel in x for row in channel for value in row])
    with pytest.raises(NnloopError) as e:
        conv.forward([[[1.0] * 3] * 4])
    assert_one_line(str(e.value), ["input maps must be shaped 1x4x4", "i = (c*rows + y)*cols + x"])
