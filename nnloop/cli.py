"""The command line: `nnloop COMMAND ...`, or `python -m nnloop COMMAND ...`.

Each command is one block below: its help text, `add_<command>` which
declares its options, and `run_<command>` which carries it out.

Bad input ends with one line, `nnloop: error: ...`, and exit status 2;
Ctrl-C with status 130; neither prints a traceback.
"""
import argparse
import math
import os
import sys

from . import __version__, command, mnist, modelfile
from .errors import NnloopError
from .evaluation import accuracy, class_accuracies, confusion_matrix, format_confusion, progress_line
from .network import NodeValues

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

The shipped example specs, by name (any spec or model file works by its path):
  {examples}

Time it, under python3 and under pypy3:

  nnloop bench --batch-size 32,128 --workers 1,2

Run `nnloop COMMAND --help` for what each option means for learning.
"""

DATA_HELP = "directory of the MNIST files (default: the bundled one)"


class Parser(argparse.ArgumentParser):
    """argparse, with errors on one line and without the usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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


def learning_rate(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, typically 0.1 to 0.001; got {text!r}")
    return value


def architecture(text):
    """An architecture string for --layers, as given once nnloop.architecture.parse has checked it."""
    from .architecture import parse
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
    from .architecture import measure, parse
    from .sizes import check_network
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


# nnloop train

TRAIN_HELP = """\
Train a network on MNIST by minibatch stochastic gradient descent.

Each epoch shuffles the training digits, and each minibatch of them runs
forward and backward one digit at a time, adding up every digit's
gradients; then every weight moves against the mean gradient:
W -= learning_rate * dW / batch_size (plain SGD, the default; --optimizer
takes momentum, Adam and others, see the optimizer options below).

The model file is rewritten after every epoch, so Ctrl-C loses at most the
epoch in progress; --resume continues from the file as if never stopped.
"""

TRAIN_EXAMPLES = """\
examples:
  nnloop train                              the default: 97.68% on the test digits
  nnloop train --limit 1000 --epochs 3 -o models/quick.json    a quick look on 1,000 digits
  nnloop train --hidden 128,64 -o models/deep.json             two hidden layers
  nnloop train --batch-size 1 --learning-rate 0.01 -o models/online.json    online learning
  nnloop train --workers 2 --batch-size 128 -o models/w2.json  two processes share each minibatch
  nnloop train --resume models/mnist.json --epochs 20     10 more epochs of the default run
  nnloop train --optimizer adam --learning-rate 0.001 --lr-schedule cosine
  nnloop train --hidden 256 --optimizer momentum --learning-rate 0.05 --lr-schedule cosine \\
      --epochs 6 -o models/momentum-256.json   98.41% on the test digits, in 72 s under PyPy
"""


def add_train(commands):
    train = commands.add_parser("train", help="train a network on MNIST", description=TRAIN_HELP,
                                epilog=TRAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    network = train.add_argument_group("the network")
    network.add_argument("--hidden", type=layer_sizes, metavar="SIZES",
                         help="nodes of each hidden layer, comma separated (default 100; '' for none)")
    network.add_argument("--layers", type=architecture, metavar="LAYERS",
                         help="the layers between the input and the 10 outputs, comma separated, instead of "
                              "--hidden: conv<kernels>x<size>[s<stride>][p<padding>], maxpool<size>[s<stride>] "
                              "(or pool<size>), avgpool<size>[s<stride>], flatten, dense<nodes>, each conv or dense "
                              "optionally :<activation>; e.g. conv8x5,maxpool2,dense100 (a flatten is put in "
                              "before the first dense layer if you leave it out)")
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
    learning.add_argument("--workers", type=positive_int, metavar="N",
                          help="processes sharing each minibatch (default 1); the same N gives the same model, "
                               "another N the same up to rounding")
    add_optimizer_options(train)
    files = train.add_argument_group("files")
    files.add_argument("--data", metavar="DIR", help="directory of the MNIST files (default: the bundled data/mnist)")
    files.add_argument("-o", "--output", metavar="MODEL",
                       help="model file to write after every epoch (default models/mnist.json)")
    files.add_argument("--resume", metavar="MODEL",
                       help="continue the run saved in MODEL (and keep saving there unless -o says otherwise)")
    files.add_argument("--force", action="store_true",
                       help="let this run replace an existing file at -o or --report (by default a run refuses "
                            "to, since the file may be another run's model)")
    files.add_argument("--reproducible", action="store_const", const=True,
                       help="leave the measured seconds out of the model file, so that the same arguments "
                            "give a byte-identical file")
    files.add_argument("--report", metavar="HTML",
                       help="when training is done, write the report of nnloop report there")
    train.set_defaults(run=run_train)


def fraction(low_included, meaning):
    """An option type: a number in [0, 1) (or (0, 1) when low_included is False), refused with what it means."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not ((0.0 <= value if low_included else 0.0 < value) and value < 1.0):
            raise argparse.ArgumentTypeError(f"{meaning}; got {text!r}")
        return value
    return parse


def add_optimizer_options(train):
    """The options of nnloop.optimizers, nnloop.schedules and nnloop.dropout (see the README's Optimizers)."""
    group = train.add_argument_group("optimizer and regularization (see the README's Optimizers section)")
    group.add_argument("--optimizer", choices=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
                       help="the update rule: sgd p -= eta*g (default); momentum and nesterov keep a velocity v "
                            "that speeds up steady descent; adagrad and rmsprop scale each parameter's step by its "
                            "gradients' size; adam does both")
    group.add_argument("--momentum", type=fraction(True, "the momentum mu must be in [0, 1), typically 0.9"),
                       metavar="MU", help="momentum, nesterov: v = MU*v - eta*g, the share of the last step kept "
                                          "(default 0.9; 0 is plain SGD; higher is faster but can overshoot)")
    group.add_argument("--beta1", type=fraction(True, "beta1 must be in [0, 1), typically 0.9"), metavar="B1",
                       help="adam: decay of m, the running mean of g (default 0.9)")
    group.add_argument("--beta2", type=fraction(True, "beta2 must be in [0, 1), typically 0.999"), metavar="B2",
                       help="adam: decay of s, the running mean of g*g that scales each step (default 0.999)")
    group.add_argument("--rho", type=fraction(True, "rho must be in [0, 1), typically 0.9"),
                       help="rmsprop: decay of h, the running mean of g*g (default 0.9; "
                            "higher remembers longer)")
    group.add_argument("--epsilon", type=fraction(False, "epsilon must be > 0 and < 1, typically 1e-8"),
                       metavar="EPS", help="adagrad, rmsprop, adam: added to sqrt(h) so that a parameter with "
                                           "tiny gradients does not take a huge step (default 1e-8)")
    group.add_argument("--weight-decay", type=fraction(True, "the weight decay lambda must be >= 0 and < 1, "
                                                              "typically 1e-4"), metavar="LAMBDA",
                       help="pull the weights (not the biases) toward 0 by LAMBDA*W each step, against "
                            "overfitting (default 0: none)")
    group.add_argument("--decay", choices=["coupled", "decoupled"],
                       help="coupled (default): L2, LAMBDA*W added to the gradient, so adaptive optimizers "
                            "rescale it; decoupled (AdamW): W shrunk by eta*LAMBDA*W beside the step")
    group.add_argument("--dropout", type=fraction(True, "dropout P must be in [0, 1), typically 0.2 to 0.5 "
                                                         "(1 would drop every node)"), metavar="P",
                       help="in training, drop each hidden node with probability P per digit and scale the "
                            "kept ones by 1/(1-P), so no node can lean on another (default 0: none)")
    group.add_argument("--lr-schedule", choices=["constant", "step", "cosine"],
                       help="how eta changes by epoch e = 0, 1, ...: constant (default); step "
                            "eta*GAMMA^floor(e/STEP); cosine eta*(1+cos(pi*e/E))/2, large steps early, small late")
    group.add_argument("--lr-step", type=positive_int, metavar="STEP",
                       help="step schedule: epochs between cuts of eta (default 10)")
    group.add_argument("--lr-gamma", type=fraction(False, "the step schedule's GAMMA must be > 0 and < 1, "
                                                           "typically 0.5"), metavar="GAMMA",
                       help="step schedule: the factor eta is multiplied by at each cut (default 0.5)")
    group.add_argument("--lr-epochs", type=positive_int, metavar="E",
                       help="cosine schedule: epochs from eta down to 0 (default: --epochs of the run)")


def run_train(args):
    from .outputs import check_not_a_model, check_other_run, check_output
    from .sizes import check_network, check_workers
    from .trainer import DEFAULTS, train_mnist
    given = {name: getattr(args, name) for name in DEFAULTS if getattr(args, name, None) is not None}
    output = args.output or args.resume or "models/mnist.json"
    # every check before the first epoch, so that a refusal leaves every file as it was
    check_output(output)
    check_other_run(output, args.force, args.resume)
    if args.workers:
        check_workers(args.workers)
    check_one_architecture(args)
    if not args.resume and args.layers:
        check_layers(args.layers, args.activation)
    if not args.resume and not args.layers:
        hidden = DEFAULTS["hidden"] if args.hidden is None else args.hidden
        check_network([784] + hidden + [mnist.CLASSES], f"--hidden {','.join(map(str, hidden))}",
                      samples=min(args.limit or 60000, 60000))
    if args.report:
        check_output(args.report, [output, args.resume], option="--report")
        check_not_a_model(args.report, "--report", args.force)
    status = train_mnist(given, output, resume=args.resume)
    if status == 0 and args.report:
        make_report(output, args.report, args.data)
    return status


# nnloop evaluate

EVALUATE_HELP = ("Classify the 10,000 MNIST test digits with a trained model and show the accuracy, per digit, "
                 "and the confusion matrix: row t, column p counts the digits t the model took for p.")


def add_evaluate(commands):
    evaluate = commands.add_parser("evaluate", help="accuracy and confusion matrix of a model on the test digits",
                                   description=EVALUATE_HELP)
    evaluate.add_argument("model", metavar="MODEL", help="a model file written by nnloop train")
    evaluate.add_argument("--data", metavar="DIR", help=DATA_HELP)
    evaluate.set_defaults(run=run_evaluate)


def run_evaluate(args):
    net = modelfile.load(args.model)
    mnist.check_model(net, args.model)
    _, test = mnist.load(args.data or mnist.BUNDLED)
    C = confusion_matrix(net, test, mnist.CLASSES, progress_line(sys.stderr, len(test), f"evaluating {args.model}"))
    right = sum(C[c][c] for c in range(mnist.CLASSES))
    print(f"{args.model}: test accuracy {100 * accuracy(C):.2f}% ({right:,} of {len(test):,} digits)")
    worst = min(range(mnist.CLASSES), key=lambda c: class_accuracies(C)[c] or 0.0)
    print(f"hardest digit: {worst}")
    print(format_confusion(C))
    return 0


# nnloop predict

PREDICT_HELP = "Draw MNIST test digits in the terminal, each with the model's probability for every class."


def add_predict(commands):
    predict = commands.add_parser("predict", help="draw test digits and what a model makes of them",
                                  description=PREDICT_HELP)
    predict.add_argument("model", metavar="MODEL", help="a model file written by nnloop train")
    predict.add_argument("indices", metavar="INDEX", type=test_index, nargs="+",
                         help="index of a test digit, 0 to 9999")
    predict.add_argument("--data", metavar="DIR", help=DATA_HELP)
    predict.set_defaults(run=run_predict)


def run_predict(args):
    net = modelfile.load(args.model)
    mnist.check_model(net, args.model)
    _, test = mnist.load(args.data or mnist.BUNDLED)
    v = NodeValues(net)
    for index in args.indices:
        if index >= len(test):
            raise NnloopError(f"there is no test digit {index}: the test set has {len(test):,}, indices 0 to {len(test) - 1}: use one of those")
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


# nnloop bench

BENCH_HELP = ("Time SGD training, and separately inference, on real MNIST digits: one warm-up epoch, then one "
              "timed epoch, per batch size and worker count. Compare ratios within one session; run it under "
              "python3 and pypy3 to compare interpreters.")


def add_bench(commands):
    bench = commands.add_parser("bench", help="time training and inference on MNIST digits", description=BENCH_HELP)
    bench.add_argument("--hidden", type=layer_sizes, metavar="SIZES",
                       help="hidden layer sizes, comma separated (default 100)")
    bench.add_argument("--layers", type=architecture, metavar="LAYERS",
                       help="time a convnet of these layers instead, as nnloop train --layers takes them, e.g. "
                            "conv8x5,maxpool2,dense100")
    bench.add_argument("--batch-size", type=positive_ints, default=[32], metavar="K[,K...]",
                       help="minibatch sizes to time, comma separated (default 32)")
    bench.add_argument("--workers", type=positive_ints, default=[1], metavar="N[,N...]",
                       help="worker process counts to time, comma separated (default 1)")
    bench.add_argument("--samples", type=positive_int, default=5000, metavar="N",
                       help="digits per timed epoch (default 5000)")
    bench.add_argument("--json", action="store_true", help="one JSON object per measurement instead of a table")
    bench.add_argument("--data", metavar="DIR", help=DATA_HELP)
    bench.set_defaults(run=run_bench)


def run_bench(args):
    from .bench import run
    from .sizes import check_network, check_workers
    for workers in args.workers:
        check_workers(workers)
    check_one_architecture(args)
    hidden = [100] if args.hidden is None else args.hidden
    if args.layers:
        check_layers(args.layers)
    else:
        check_network([784] + hidden + [mnist.CLASSES], f"--hidden {','.join(map(str, hidden))}",
                      samples=2 * args.samples * len(args.batch_size) * len(args.workers))
    run(hidden, args.batch_size, args.workers, args.samples, args.json, args.data or mnist.BUNDLED,
        layers=args.layers)
    return 0


# nnloop trace

TRACE_HELP = """\
Run one sample forward and backward through a network and take one SGD step,
printing every step in nnloop's notation (see the README) with the numbers put in:

  A[k][j] = B[k][j] + sum_i W[k][j][i]*H[k-1][i]      H[k][j] = f_k(A[k][j])
  the loss, delta[L][j] = dLoss/dA[L][j]
  dB[k][j] = delta[k][j]      dW[k][j][i] = H[k-1][i]*delta[k][j]
  back[k-1][i] = sum_j W[k][j][i]*delta[k][j]   delta[k-1][i] = f'(A[k-1][i])*back[k-1][i]
  W[k][j][i] - eta*dW[k][j][i], B[k][j] - eta*dB[k][j]

Every value is what nnloop's forward and backward computed. A spec file
brings its own input, target and learning rate; a model file is traced on an
MNIST test digit with the learning rate it was trained with, its wide sums
shortened to their largest terms.
"""

TRACE_EXAMPLES = """\
examples:
  nnloop trace worked-relu          the worked example: 11, -14, 33, loss 169
  nnloop trace xor --format markdown > models/xor.md
  nnloop trace models/mnist.json --index 8 --top 3
  nnloop trace worked-relu --html models/trace.html   a step a page, beside the diagram
"""

TRACE_TOP = 6  # a sum of up to 6 terms fits a line; wider ones show their 6 largest


def add_trace(commands):
    trace = commands.add_parser("trace", help="every step of one forward and backward pass, numbers substituted",
                                description=TRACE_HELP, epilog=TRACE_EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    trace.add_argument("file", metavar="SPEC|MODEL", help="a network spec (see data/examples/) or a model file "
                                                           "from nnloop train")
    trace.add_argument("--index", type=test_index, help="model files: the MNIST test digit to trace (default 0)")
    trace.add_argument("--top", type=positive_int, default=TRACE_TOP, metavar="N",
                       help=f"sums and lists of more than N terms show their N largest (default {TRACE_TOP})")
    trace.add_argument("--full", action="store_true", help="show every term of every sum, however wide the layer")
    trace.add_argument("--format", choices=["text", "markdown"], default="text",
                       help="text (default), or markdown: headed sections for notes")
    trace.add_argument("--data", metavar="DIR", help=DATA_HELP)
    trace.add_argument("--html", metavar="HTML",
                       help="write the trace as one page instead, a step per formula, each beside the network's "
                            "diagram with what it computes highlighted (no scripts; next/previous by links)")
    add_force(trace, "--html")
    trace.set_defaults(run=run_trace)


def run_trace(args):
    from .spec import load_subject
    from .trace import render, trace
    subject = load_subject(args.file, [args.index or 0], args.data)
    if subject.kind == "spec" and args.index is not None:
        raise NnloopError(f"--index picks an MNIST test digit for a model file; {args.file} is a spec, which "
                          "brings its own input x: drop --index")
    (x, t), = subject.samples
    sections = trace(subject.net, x, t, subject.learning_rate, None if args.full else args.top, subject.about,
                     subject.optimizer)
    if args.html:
        if args.format != "text":
            raise NnloopError("--html writes a page of its own: drop --format, or drop --html for markdown")
        from .tracepage import write_page
        from .outputs import check_not_a_model, check_output
        check_drawable(subject.net, args.file)
        check_output(args.html, [args.file], option="--html")
        check_not_a_model(args.html, "--html", args.force)
        steps = write_page(subject.net, x, t, subject.learning_rate, sections, args.html, subject.optimizer,
                           title=f"Backprop, step by step: {args.file}")
        print(f"wrote {args.html}: {steps} steps of the trace of {args.file}, each beside the diagram; "
              "open it in a browser")
        return 0
    print(render(sections, markdown=args.format == "markdown", title=f"Backprop, step by step: {args.file}"))
    return 0


# nnloop gradcheck

GRADCHECK_HELP = """\
Check backprop against central finite differences: nudge each parameter p by
eps either way and compare (Loss(p + eps) - Loss(p - eps)) / (2 eps) with the
gradient backprop computed, by relative error
|backprop - numerical| / max(|backprop|, |numerical|, 0.001).
The central difference errs too (rounding grows with the loss, about
1e-16 |Loss| / eps); that noise is printed beside each error, and a
parameter fails only where backprop is off by more than threshold + noise.

A spec has every parameter checked on its own sample; a model file a random
subset of each layer's parameters, the loss taken over a few test digits.
Per layer the worst errors are shown. Exit status 0 if every error is below
the threshold (1e-6: a correct backprop agrees to about 1e-9) plus its
noise, 1 if not.
"""

GRADCHECK_EXAMPLES = """\
examples:
  nnloop gradcheck data/examples/softmax-3-4-3.json
  nnloop gradcheck models/mnist.json --params 20 --digits 2
"""

GRADCHECK_PARAMS = 50  # per layer: enough to catch a wrong layer, quick on CPython for a 784-100-10 model
GRADCHECK_DIGITS = 3


def add_gradcheck(commands):
    gradcheck = commands.add_parser("gradcheck", help="check backprop against finite differences",
                                    description=GRADCHECK_HELP, epilog=GRADCHECK_EXAMPLES,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    gradcheck.add_argument("file", metavar="SPEC|MODEL", help="a network spec or a model file from nnloop train")
    gradcheck.add_argument("--params", type=positive_int, metavar="N",
                           help=f"model files: parameters checked per layer, drawn at random "
                                f"(default {GRADCHECK_PARAMS}); a spec has all of them checked")
    gradcheck.add_argument("--digits", type=positive_int, metavar="N",
                           help=f"model files: the loss is the mean over the first N test digits "
                                f"(default {GRADCHECK_DIGITS})")
    gradcheck.add_argument("--seed", type=int, default=0, help="model files: which parameters are drawn (default 0)")
    gradcheck.add_argument("--eps", type=positive_number, default=1e-5,
                           help="the nudge of the central difference (default 1e-5)")
    gradcheck.add_argument("--threshold", type=positive_number,
                           help="largest relative error beyond the noise that passes (default 1e-6)")
    gradcheck.add_argument("--data", metavar="DIR", help=DATA_HELP)
    gradcheck.set_defaults(run=run_gradcheck)


def run_gradcheck(args):
    from .gradcheck import THRESHOLD, report, sample_parameters
    from .rng import Random
    from .spec import load_subject
    subject = load_subject(args.file, range(args.digits or GRADCHECK_DIGITS), args.data)
    if subject.kind == "spec":
        if args.params or args.digits:
            raise NnloopError(f"{args.file} is a spec: every parameter is checked on its own sample; "
                              "--params and --digits are for model files: drop them")
        params = None
    else:
        params = sample_parameters(subject.net, args.params or GRADCHECK_PARAMS, Random(args.seed))
    print("\n".join(subject.about))
    lines, passed = report(subject.net, subject.samples, params, args.eps, args.threshold or THRESHOLD)
    print("\n".join(lines))
    return 0 if passed else 1


# nnloop vanish

VANISH_HELP = """\
Why relu: vanishing gradients. Build a deep network with
sigmoid hidden layers and the same one with relu hidden layers, run one batch
forward and backward at initialization, and print per layer the mean |dW|
and its ratio to the layer above. Sigmoid's f' is at most 0.25, so its
gradients shrink about fourfold per layer toward the input; relu's stay flat.

The batch is random standard normal inputs with random one-hot targets, drawn
from the seed: that is what He and Xavier initialization assume of a layer's
inputs, it works for any width, and it needs no data set.
"""


def add_vanish(commands):
    vanish = commands.add_parser("vanish", help="per-layer gradients of deep sigmoid and relu networks",
                                 description=VANISH_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    vanish.add_argument("--depth", type=positive_int, default=10, help="hidden layers (default 10)")
    vanish.add_argument("--width", type=positive_int, default=32, help="nodes per layer, input included (default 32)")
    vanish.add_argument("--batch-size", type=positive_int, default=32, metavar="K",
                        help="random inputs the mean |dW| is measured over (default 32)")
    vanish.add_argument("--seed", type=int, default=0, help="seed of the weights and the inputs (default 0)")
    vanish.set_defaults(run=run_vanish)


def run_vanish(args):
    from .sizes import check_network
    from .vanish import report
    check_network([args.width] * (args.depth + 1) + [10], f"--depth {args.depth} --width {args.width}",
                  samples=2 * args.batch_size)
    print("\n".join(report(args.depth, args.width, args.batch_size, args.seed)))
    return 0


# nnloop report

REPORT_HELP = ("Write one self-contained HTML page (inline SVG, no scripts) of a model trained by nnloop train: "
               "loss, accuracy and gradient magnitude per epoch, the confusion matrix on the test digits, "
               "misclassified test digits, and layer 1's weights as images.")


def add_report(commands):
    report = commands.add_parser("report", help="a trained model in pictures: one HTML page",
                                 description=REPORT_HELP)
    report.add_argument("model", metavar="MODEL", help="a model file written by nnloop train")
    report.add_argument("-o", "--output", metavar="HTML",
                        help="where to write the page (default: MODEL with .html for .json)")
    report.add_argument("--data", metavar="DIR", help="directory of the MNIST files (default: the one the model "
                                                      "was trained on, else the bundled one)")
    add_force(report)
    report.set_defaults(run=run_report)


def run_report(args):
    from .outputs import check_not_a_model, check_output
    output = args.output or os.path.splitext(args.model)[0] + ".html"
    check_output(output, [args.model])
    check_not_a_model(output, "-o", args.force)
    make_report(args.model, output, args.data)
    return 0


def make_report(model_path, html_path, data):
    from .report import write_report
    net, training = modelfile.read(model_path)
    mnist.check_model(net, model_path)
    test_accuracy = write_report(net, training, model_path, html_path, data)
    print(f"wrote {html_path}: the report of {model_path} (test accuracy {100 * test_accuracy:.2f}%); "
          "open it in a browser")


# nnloop geometry

GEOMETRY_HELP = ("Draw one layer A = W h + b, H = f(A) from 2 nodes to 2 nodes as six pictures of the plane: "
                 "the input points, then after each move of W = U S V^T (turn by V^T, stretch by S, turn by U), "
                 "after + b and after f (relu unless --activation or the spec says otherwise). W and b come from "
                 "--W and --b, from --spec, or at random from --seed.")


def add_geometry(commands):
    geometry = commands.add_parser("geometry", help="what a layer of 2 nodes does to the plane, move by move (SVG)",
                                   description=GEOMETRY_HELP,
                                   epilog="example: nnloop geometry --W 1,2,-1.5,0.5 --b 0.5,-0.25 -o models/layer.svg")
    geometry.add_argument("--W", type=numbers(4), metavar="A,B,C,D",
                          help="the weights W[j][i] row by row: W = [[A, B], [C, D]] (default: random)")
    geometry.add_argument("--b", type=numbers(2), metavar="X,Y",
                          help="the biases b[j] (default: 0,0 with --W, random with a random W)")
    geometry.add_argument("--spec", metavar="FILE",
                          help='a JSON file {"W": [[A, B], [C, D]], "b": [X, Y]}, or a network spec whose layer 1 is '
                               '2 -> 2, like the shipped xor (its activation too), instead of --W and --b')
    geometry.add_argument("--activation", choices=["relu", "tanh", "sigmoid", "identity", "softmax"],
                          help="the layer's f in H = f(A) (default relu; a network spec's own layer 1)")
    geometry.add_argument("--seed", type=int, default=0,
                          help="seed of the random W and b, and of the points of --points sample (default 0)")
    geometry.add_argument("--points", choices=["grid", "sample"], default="grid",
                          help="an 11x11 grid on [-1, 1]^2 (default), or 200 standard normal points")
    geometry.add_argument("-o", "--output", metavar="SVG", default="geometry.svg",
                          help="where to write the picture (default geometry.svg)")
    add_force(geometry)
    geometry.set_defaults(run=run_geometry)


def run_geometry(args):
    from . import geometry
    from .outputs import check_not_a_model, check_output
    check_output(args.output, [args.spec])
    check_not_a_model(args.output, "-o", args.force)
    W, b, activation = geometry.choose_layer(args.spec, args.W, args.b, args.seed, args.activation)
    points = geometry.sample_points(args.seed + 1) if args.points == "sample" else geometry.grid_points()
    geometry.draw_layer(W, b, points, args.output, activation)
    return 0


# nnloop draw

DRAW_HELP = """\
Draw a network as the textbook does, as SVG: a column of circles per layer,
an arrow per weight W[k][j][i] from node i of layer k-1 to node j of layer k,
red for > 0, blue for < 0, gray for 0, the thicker the larger. --pass writes
the engine's own numbers for the sample (the same ones nnloop trace prints):

  forward    A[k][j] and H[k][j] in the nodes, W on the edges, B under the nodes
  backward   delta[k][j] and back[k][j] in the nodes, dW[k][j][i] on the edges, dB under
  update     W[k][j][i] - eta*dW[k][j][i] on the edges, B[k][j] - eta*dB[k][j] under

A spec is drawn whole, every value written out; a model file shows the first
nodes of each wide layer and how many more there are, and is drawn for an
MNIST test digit (--index).
"""

DRAW_EXAMPLES = """\
examples:
  nnloop draw worked-relu --pass forward -o models/forward.svg
  nnloop draw softmax-3-4-3 --pass backward -o models/backward.svg
  nnloop draw models/mnist.json --pass forward --index 8
"""


def add_draw(commands):
    draw = commands.add_parser("draw", help="the network as a diagram of nodes and weights, with a pass's values (SVG)",
                               description=DRAW_HELP, epilog=DRAW_EXAMPLES,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    draw.add_argument("file", metavar="SPEC|MODEL", help="a network spec (see data/examples/) or a model file "
                                                          "from nnloop train")
    draw.add_argument("--pass", dest="pass_", choices=["forward", "backward", "update"],
                      help="write the values of this pass for the sample (default: the weights and biases only)")
    draw.add_argument("--index", type=test_index, help="model files: the MNIST test digit of --pass (default 0)")
    draw.add_argument("--data", metavar="DIR", help=DATA_HELP)
    draw.add_argument("-o", "--output", metavar="SVG", default="net.svg",
                      help="where to write the picture (default net.svg)")
    add_force(draw)
    draw.set_defaults(run=run_draw)


def run_draw(args):
    from . import draw, svg
    from .spec import load_subject
    from .trace import compute
    from .outputs import check_not_a_model, check_output
    check_output(args.output, [args.file])
    check_not_a_model(args.output, "-o", args.force)
    subject = load_subject(args.file, [args.index or 0], args.data)
    if subject.kind == "spec" and args.index is not None:
        raise NnloopError(f"--index picks an MNIST test digit for a model file; {args.file} is a spec, which "
                          "brings its own input x: drop --index")
    check_drawable(subject.net, args.file)
    (x, t), = subject.samples
    computed = compute(subject.net, x, t, subject.learning_rate, subject.optimizer) if args.pass_ else None
    title = f"{args.file}: {args.pass_ + ' pass' if args.pass_ else 'weights and biases'}"
    text = draw.picture(subject.net, computed, t, args.pass_, title)
    svg.save(args.output, text)
    print(f"wrote {args.output}: the {'-'.join(map(str, subject.net.sizes))} network of {args.file}"
          f"{', ' + args.pass_ + ' pass' if args.pass_ else ''} ({len(text.encode()):,} bytes)")
    return 0


def check_drawable(net, path):
    """Refuse a network with feature maps: the diagrams are of fully connected layers, a circle a node."""
    if not net.dense():
        raise NnloopError(f"{path} is a convnet ({net.describe()}); drawings show fully connected networks, a circle "
                          f"per node: use nnloop trace {path} for its numbers")


# nnloop compare

COMPARE_HELP = ("Overlay the training loss and test accuracy per epoch of several runs of nnloop train on one "
                "self-contained HTML page, each run named by the options that differ between them: "
                "the optimizer comparison figure, from real runs.")


def add_compare(commands):
    compare = commands.add_parser("compare", help="loss and accuracy curves of several runs on one HTML page",
                                  description=COMPARE_HELP,
                                  epilog="example: nnloop compare models/sgd.json models/adam.json -o compare.html")
    compare.add_argument("models", metavar="MODEL", nargs="+", help="model files written by nnloop train")
    compare.add_argument("-o", "--output", metavar="HTML", default="compare.html",
                         help="where to write the page (default compare.html)")
    add_force(compare)
    compare.set_defaults(run=run_compare)


def run_compare(args):
    from .compare import write_compare
    from .trainer import plural
    from .outputs import check_not_a_model, check_output
    check_output(args.output, args.models)
    check_not_a_model(args.output, "-o", args.force)
    names = write_compare(args.models, args.output)
    print(f"wrote {args.output}: {plural(len(names), 'run')} ({'; '.join(names)}); open it in a browser")
    return 0


# The commands in the order `nnloop --help` lists them.
COMMANDS = [add_train, add_evaluate, add_predict, add_bench, add_trace, add_gradcheck, add_vanish, add_report,
            add_geometry, add_draw, add_compare]


def build_parser():
    from .bundled import examples
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
