"""The option types and checks the commands share: each type turns the text of
one option into its value, or says in one line what a good value looks like."""
import argparse
import math

from ..errors import NnloopError
from ..files import mnist

DATA_HELP = "directory of the MNIST files (default: the bundled one)"


# Option types: each turns the text of one option into its value, or says in
# one line what a good value looks like.

def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def positive_ints(text):
    """'32,64' -> [32, 64]."""
    return [positive_int(part) for part in text.split(",")]


def positive_number(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, like 1e-5; got {text!r}")
    return value


def positive_eta(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, typically 0.1 to 0.001; got {text!r}")
    return value


def architecture(text):
    """An architecture string for --layers, as given once nnloop.architecture.parse has checked it."""
    from ..architecture import parse
    try:
        parse(text)
        return text.replace(" ", "")
    except NnloopError as e:
        raise argparse.ArgumentTypeError(str(e).replace("--layers: ", "")) from None


def check_one_architecture(args):
    if args.layers and args.hidden is not None:
        raise NnloopError("--hidden and --layers both say what the hidden layers are: give one of them")


def check_layers(layers, activation=None):
    """Refuse a --layers network too large to be meant, before any of it is made."""
    from ..architecture import measure, parse
    from ..sizes import check_network
    shapes, weights = measure(parse(layers, activation or "relu"), (1, mnist.ROWS, mnist.COLS), mnist.CLASSES)
    option = f"--layers {layers}" if len(layers) <= 60 else f"--layers {layers[:57]}..."
    check_network(shapes, option, weights=weights)


def layer_sizes(text):
    """'128,64' -> [128, 64]; '' -> [] (no hidden layer: a linear classifier)."""
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    if not all(p.isascii() and p.isdigit() and int(p) > 0 for p in parts):  # 0-9 only, as the help writes them
        raise argparse.ArgumentTypeError(f"hidden layer sizes must be positive whole numbers separated by "
                                         f"commas, like 100 or 128,64; got {text!r}")
    return [int(p) for p in parts]


def test_index(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a test digit's index is a whole number from 0 to 9999, got {text!r}")
    return int(text)


def numbers(count):
    """An option type: count finite numbers separated by commas, as a list of floats."""
    def parse(text):
        try:
            values = [float(part) for part in text.split(",")]
        except ValueError:
            values = []
        if len(values) != count or not all(math.isfinite(v) for v in values):
            raise argparse.ArgumentTypeError(f"needs {count} numbers separated by commas, got {text!r}")
        return values
    return parse


def add_force(parser, option="-o"):
    parser.add_argument("--force", action="store_true",
                        help=f"write {option} even over an nnloop model or spec file (refused by default: it may "
                             "hold hours of training)")


def load_one_sample(args):
    """The Subject (nnloop.tools.spec) of args.file with one sample: a spec's own, or a model file's MNIST test
    digit --index (default 0)."""
    from ..tools.spec import load_subject
    subject = load_subject(args.file, [args.index or 0], args.data)
    if subject.kind == "spec" and args.index is not None:
        raise NnloopError(f"--index picks an MNIST test digit for a model file; {args.file} is a spec, which "
                          "brings its own input x: drop --index")
    return subject
