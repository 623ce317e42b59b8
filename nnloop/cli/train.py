"""`nnloop train`: its help text, `add_train` which declares its options, and
`run_train` which carries it out."""
import argparse

from ..files import mnist
from .options import architecture, check_layers, check_one_architecture, layer_sizes, positive_eta, positive_int
from .report import make_report

TRAIN_HELP = """\
Train a network on MNIST by minibatch stochastic gradient descent.

Each epoch shuffles the training digits, and each minibatch of them runs
forward and backward one digit at a time, adding up every digit's
gradients; then every weight moves against the mean gradient:
W -= eta * dW / batch_size (plain SGD, the default; --optimizer
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
    learning.add_argument("--learning-rate", "--lr", type=positive_eta, metavar="ETA",
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
    """The options of nnloop.learning.optimizers, nnloop.learning.schedules and nnloop.learning.dropout (see the README's Optimizers)."""
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
                            "kept ones by 1/(1-P), so no node can lean on another (default 0: none); or place "
                            "dropout layers yourself: --layers dense100,dropout0.5")
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
    from ..sizes import check_network, check_workers
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
