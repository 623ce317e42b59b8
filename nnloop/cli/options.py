"""The option types and checks the commands share: each type turns the text of
one option into its value, or says in one line what a good value looks like."""
import argparse
import math

from ..errors import NnloopError
from ..files import mnist
from ..learning.recipe import SETTINGS

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


def option_type(setting):
    """The option type of a setting of the run (nnloop.learning.recipe.SETTINGS): its text read by the setting's
    parse, the value checked by the setting's rule, which words the refusal."""
    def read(text):
        try:
            value = setting.parse(text)
        except NnloopError as e:  # a reader with its own words (--layers)
            raise argparse.ArgumentTypeError(str(e).replace(f"{setting.option}: ", "")) from None
        except ValueError:
            value = text  # not even of the setting's type: the rule refuses the text as typed
        try:
            return setting.check(value)
        except NnloopError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return read


architecture = option_type(SETTINGS["layers"])  # --layers, as train and bench read it
layer_sizes = option_type(SETTINGS["hidden"])    # --hidden: '128,64' -> [128, 64]; '' -> [] (a linear classifier)


def check_layers(layers, activation=None):
    """Refuse a --layers network too large to be meant, before any of it is made."""
    from ..architecture import measure, parse
    from ..sizes import check_network
    shapes, weights = measure(parse(layers, activation or "relu"), (1, mnist.ROWS, mnist.COLS), mnist.CLASSES)
    option = f"--layers {layers}" if len(layers) <= 60 else f"--layers {layers[:57]}..."
    check_network(shapes, option, weights=weights)


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
