"""The command line: `nnloop COMMAND ...`, or `python -m nnloop COMMAND ...`.

Each command is a module of nnloop/cli/: its help text, `add_<command>` which
declares its options, and `run_<command>` which carries it out.

Bad input ends with one line, `nnloop: error: ...`, and exit status 2;
Ctrl-C with status 130; neither prints a traceback.
"""
import argparse
import sys

from .. import __version__, command
from ..errors import NnloopError
from .bench import add_bench
from .compare import add_compare
from .draw import add_draw
from .evaluate import add_evaluate
from .export import add_export
from .geometry import add_geometry
from .gradcheck import add_gradcheck
from .predict import add_predict
from .report import add_report
from .trace import add_trace
from .train import add_train
from .vanish import add_vanish

MAIN_HELP = """\
nnloop: backpropagation in plain Python lists and explicit loops, for
multilayer perceptrons and convnets (convolution and pooling layers).

Train a network on the bundled MNIST digits, see how well it does, and look
at what it predicts (each command makes the folders it writes to):

  nnloop train                        784-100-10 relu/softmax, 10 epochs, saved as models/mnist.json
  nnloop train --layers conv8x5,maxpool2,dense100 -o models/conv.json   a convnet
  nnloop evaluate models/mnist.json   accuracy and confusion matrix
  nnloop predict models/mnist.json 0 1 2
  nnloop report models/mnist.json     the run in pictures, as one HTML page
  nnloop compare models/mnist.json models/conv.json   both runs' curves on one page
  nnloop geometry --W 1,2,-1.5,0.5    what a layer of 2 nodes does to the plane (SVG)

Watch backpropagation happen, check it, and see why relu:

  nnloop trace worked-relu             every step, numbers substituted
  nnloop gradcheck xor                 backprop against finite differences
  nnloop vanish                        sigmoid's gradients fade, relu's do not
  nnloop draw worked-relu --pass backward -o models/net.svg   the diagram, deltas in the nodes
  nnloop export worked-relu -o models/worked_relu.py   the same network as numpy matrix code

The shipped example specs, by name (any spec or model file works by its path):
  {examples}

Time it, under python3 and under pypy3:

  nnloop bench --batch-size 32,128 --workers 1,2

Run `nnloop COMMAND --help` for what each option means for learning.
"""


class Parser(argparse.ArgumentParser):
    """argparse, with errors on one line and without the usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# The commands in the order `nnloop --help` lists them.
COMMANDS = [add_train, add_evaluate, add_predict, add_bench, add_trace, add_gradcheck, add_vanish, add_report,
            add_geometry, add_draw, add_compare, add_export]


def build_parser():
    from ..bundled import examples
    description = MAIN_HELP.format(examples=", ".join(sorted(examples())))
    parser = Parser(prog="nnloop", description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nnloop {__version__} on {command.interpreter()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except NnloopError as e:
        print(f"nnloop: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnloop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. nnloop evaluate MODEL | head
        sys.stderr.close()
        return 0
