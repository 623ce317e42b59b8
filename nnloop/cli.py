"""The command line: `nnloop COMMAND ...`, or `python -m nnloop COMMAND ...`.

Bad input ends with one line, `nnloop: error: ...`, and exit status 2;
Ctrl-C with status 130; neither prints a traceback.
"""
import argparse
import math
import os
import sys

from . import mnist, modelfile
from .errors import NnloopError
from .evaluation import accuracy, class_accuracies, confusion_matrix, format_confusion
from .network import NodeValues

MAIN_HELP = """\
nnloop: a multilayer perceptron in plain Python lists and explicit loops.

Train one on the bundled MNIST digits, see how well it does, and look at
what it predicts:

  nnloop train                        784-100-10 relu/softmax, 10 epochs
  nnloop evaluate models/mnist.json   accuracy and confusion matrix
  nnloop predict models/mnist.json 0 1 2
  nnloop report models/mnist.json     the run in pictures, as one HTML page
  nnloop geometry --W 1,2,-1.5,0.5    what a layer of 2 nodes does to the plane (SVG)

Run `nnloop COMMAND --help` for what each option means for learning.
"""

TRAIN_HELP = """\
Train a network on MNIST by minibatch stochastic gradient descent.

Each epoch shuffles the training digits, and each minibatch of them runs
forward and backward one digit at a time, adding up every digit's
gradients; then every weight moves against the mean gradient:
W -= learning_rate * dW / batch_size.

The model file is rewritten after every epoch, so Ctrl-C loses at most the
epoch in progress; --resume continues from the file as if never stopped.
"""

TRAIN_EXAMPLES = """\
examples:
  nnloop train                              the default: reaches about 97.8%
  nnloop train --limit 1000 --epochs 3      a quick look on 1,000 digits
  nnloop train --hidden 128,64 -o deep.json two hidden layers
  nnloop train --batch-size 1 --learning-rate 0.01    online learning
  nnloop train --resume models/mnist.json --epochs 20 train 10 more epochs
"""


class Parser(argparse.ArgumentParser):
    """argparse, with errors on one line and without the usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def learning_rate(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, typically 0.1 to 0.001; got {text!r}")
    return value


def layer_sizes(text):
    """'128,64' -> [128, 64]; '' -> [] (no hidden layer: a linear classifier)."""
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"hidden layer sizes must be positive whole numbers separated by "
                                         f"commas, like 100 or 128,64; got {text!r}")
    return [int(p) for p in parts]


def test_index(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a test digit's index is a whole number from 0 to 9999, got {text!r}")
    return int(text)


def build_parser():
    parser = Parser(prog="nnloop", description=MAIN_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    train = commands.add_parser("train", help="train a network on MNIST", description=TRAIN_HELP,
                                epilog=TRAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    network = train.add_argument_group("the network")
    network.add_argument("--hidden", type=layer_sizes, metavar="SIZES",
                         help="nodes of each hidden layer, comma separated (default 100; '' for none)")
    network.add_argument("--activation", choices=["relu", "sigmoid", "tanh", "identity"],
                         help="activation of the hidden layers (default relu: its gradient does not fade)")
    network.add_argument("--output-activation", choices=["softmax", "sigmoid", "identity", "relu", "tanh"],
                         help="activation of the 10 output nodes (default softmax: probabilities)")
    network.add_argument("--loss", choices=["cross_entropy", "mse"],
                         help="cross_entropy (default; needs softmax) or mse, mean squared error")
    network.add_argument("--seed", type=int, help="seed of the initial weights and the shuffling (default 0)")
    learning = train.add_argument_group("learning")
    learning.add_argument("--epochs", type=positive_int, help="passes over the training digits (default 10)")
    learning.add_argument("--batch-size", type=positive_int, metavar="K",
                          help="digits per minibatch (default 32); 1 is online learning")
    learning.add_argument("--learning-rate", "--lr", type=learning_rate, metavar="ETA",
                          help="step size eta of W -= eta * dW / K (default 0.1)")
    learning.add_argument("--limit", type=positive_int, metavar="N",
                          help="train on the first N training digits only (default all 60,000)")
    files = train.add_argument_group("files")
    files.add_argument("--data", metavar="DIR", help="directory of the MNIST files (default: the bundled data/mnist)")
    files.add_argument("-o", "--output", metavar="MODEL",
                       help="model file to write after every epoch (default models/mnist.json)")
    files.add_argument("--resume", metavar="MODEL",
                       help="continue the run saved in MODEL (and keep saving there unless -o says otherwise)")
    files.add_argument("--reproducible", action="store_const", const=True,
                       help="leave the measured seconds out of the model file, so that the same arguments "
                            "give a byte-identical file")
    files.add_argument("--report", metavar="HTML", type=output_file,
                       help="when training is done, write the report of nnloop report there")
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser("evaluate", help="accuracy and confusion matrix of a model on the test digits",
                                   description="Classify the 10,000 MNIST test digits with a trained model and show "
                                               "the accuracy, per digit, and the confusion matrix: row t, column p "
                                               "counts the digits t the model took for p.")
    evaluate.add_argument("model", metavar="MODEL", help="a model file written by nnloop train")
    evaluate.add_argument("--data", metavar="DIR", help="directory of the MNIST files (default: the bundled one)")
    evaluate.set_defaults(run=run_evaluate)

    predict = commands.add_parser("predict", help="draw test digits and what a model makes of them",
                                  description="Draw MNIST test digits in the terminal, each with the model's "
                                              "probability for every class.")
    predict.add_argument("model", metavar="MODEL", help="a model file written by nnloop train")
    predict.add_argument("indices", metavar="INDEX", type=test_index, nargs="+",
                         help="index of a test digit, 0 to 9999")
    predict.add_argument("--data", metavar="DIR", help="directory of the MNIST files (default: the bundled one)")
    predict.set_defaults(run=run_predict)

    report = commands.add_parser("report", help="a trained model in pictures: one HTML page",
                                 description="Write one self-contained HTML page (inline SVG, no scripts) of a "
                                             "model trained by nnloop train: loss, accuracy and gradient "
                                             "magnitude per epoch, the confusion matrix on the test digits, "
                                             "misclassified test digits, and layer 1's weights as images.")
    report.add_argument("model", metavar="MODEL", help="a model file written by nnloop train")
    report.add_argument("-o", "--output", metavar="HTML", type=output_file,
                        help="where to write the page (default: MODEL with .html for .json)")
    report.add_argument("--data", metavar="DIR", help="directory of the MNIST files (default: the one the model "
                                                      "was trained on, else the bundled one)")
    report.set_defaults(run=run_report)

    geometry = commands.add_parser(
        "geometry", help="what a layer of 2 nodes does to the plane, move by move (SVG)",
        description="Draw one layer A = W h + b, H = relu(A) from 2 nodes to 2 nodes as six pictures of "
                    "the plane: the input points, then after each move of W = U S V^T (turn by V^T, "
                    "stretch by S, turn by U), after + b and after relu. W and b come from --W and --b, "
                    "from --spec, or at random from --seed.",
        epilog="example: nnloop geometry --W 1,2,-1.5,0.5 --b 0.5,-0.25 -o layer.svg")
    geometry.add_argument("--W", type=numbers(4), metavar="A,B,C,D",
                          help="the weights W[j][i] row by row: W = [[A, B], [C, D]] (default: random)")
    geometry.add_argument("--b", type=numbers(2), metavar="X,Y",
                          help="the biases b[j] (default: 0,0 with --W, random with a random W)")
    geometry.add_argument("--spec", metavar="FILE",
                          help='a JSON file {"W": [[A, B], [C, D]], "b": [X, Y]} instead of --W and --b')
    geometry.add_argument("--seed", type=int, default=0,
                          help="seed of the random W and b, and of the points of --points sample (default 0)")
    geometry.add_argument("--points", choices=["grid", "sample"], default="grid",
                          help="an 11x11 grid on [-1, 1]^2 (default), or 200 standard normal points")
    geometry.add_argument("-o", "--output", metavar="SVG", type=output_file, default="geometry.svg",
                          help="where to write the picture (default geometry.svg)")
    geometry.set_defaults(run=run_geometry)
    return parser


def run_train(args):
    from .trainer import DEFAULTS, train_mnist
    given = {name: getattr(args, name) for name in DEFAULTS if getattr(args, name, None) is not None}
    if args.resume:
        output = args.output or args.resume
        if output != args.resume:
            copy_model(args.resume, output)
        status = train_mnist(given, output, resume=True)
    else:
        output = args.output or "models/mnist.json"
        status = train_mnist(given, output)
    if status == 0 and args.report:
        make_report(output, args.report, args.data)
    return status


def copy_model(source, target):
    net, training = modelfile.read(source)
    modelfile.save(net, target, training=training)


def run_evaluate(args):
    net = modelfile.load(args.model)
    check_mnist_model(net, args.model)
    _, test = mnist.load(args.data or mnist.BUNDLED)
    C = confusion_matrix(net, test, mnist.CLASSES)
    right = sum(C[c][c] for c in range(mnist.CLASSES))
    print(f"{args.model}: test accuracy {100 * accuracy(C):.2f}% ({right:,} of {len(test):,} digits)")
    worst = min(range(mnist.CLASSES), key=lambda c: class_accuracies(C)[c] or 0.0)
    print(f"hardest digit: {worst}")
    print(format_confusion(C))
    return 0


def run_predict(args):
    net = modelfile.load(args.model)
    check_mnist_model(net, args.model)
    _, test = mnist.load(args.data or mnist.BUNDLED)
    v = NodeValues(net.sizes)
    for index in args.indices:
        if index >= len(test):
            raise NnloopError(f"there is no test digit {index}: the test set has {len(test):,}, indices 0 to {len(test) - 1}")
        x, t = test[index]
        Y = net.forward(x, v)
        label, guess = test.labels[index], Y.index(max(Y))
        verdict = "right" if guess == label else "WRONG"
        print(f"test digit {index}: labelled {label}, the model says {guess} ({verdict})")
        print(mnist.draw(test.pixels[index * 784:(index + 1) * 784]))
        for c in range(len(Y)):
            print(f"  {c}  {Y[c]:8.4f}  {'#' * round(40 * max(0.0, min(1.0, Y[c])))}")
        print()
    return 0


def run_report(args):
    make_report(args.model, args.output or os.path.splitext(args.model)[0] + ".html", args.data)
    return 0


def make_report(model_path, html_path, data):
    from .report import write_report
    net, training = modelfile.read(model_path)
    check_mnist_model(net, model_path)
    test_accuracy = write_report(net, training, model_path, html_path, data)
    print(f"wrote {html_path}: the report of {model_path} (test accuracy {100 * test_accuracy:.2f}%); "
          "open it in a browser")


def run_geometry(args):
    from . import geometry
    W, b = geometry.choose_layer(args.spec, args.W, args.b, args.seed)
    points = geometry.sample_points(args.seed + 1) if args.points == "sample" else geometry.grid_points()
    geometry.draw_layer(W, b, points, args.output)
    return 0


def numbers(count):
    """An argparse type: count finite numbers separated by commas, as a list of floats."""
    def parse(text):
        try:
            values = [float(part) for part in text.split(",")]
        except ValueError:
            values = []
        if len(values) != count or not all(math.isfinite(v) for v in values):
            raise argparse.ArgumentTypeError(f"needs {count} numbers separated by commas, got {text!r}")
        return values
    return parse


def output_file(path):
    """An argparse type: a file to write, in a directory that exists."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise argparse.ArgumentTypeError(f"cannot write {path}: there is no directory {directory}; create it first")
    return path


def check_mnist_model(net, path):
    if net.sizes[0] != 784 or net.sizes[-1] != mnist.CLASSES:
        raise NnloopError(f"{path} is a {'-'.join(map(str, net.sizes))} network; MNIST needs 784 inputs and "
                          "10 outputs: use a model from nnloop train")


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
