"""`nnloop evaluate`: its help text, `add_evaluate` which declares its options,
and `run_evaluate` which carries it out."""
import sys

from ..files import mnist, modelfile
from ..learning.evaluation import accuracy, class_accuracies, confusion_matrix, format_confusion, progress_line
from .options import DATA_HELP

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
