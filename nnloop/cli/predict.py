"""`nnloop predict`: its help text, `add_predict` which declares its options, and
`run_predict` which carries it out."""
from ..errors import NnloopError
from ..files import mnist, modelfile
from ..network import NodeValues
from .options import DATA_HELP, test_index

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
        x = test.inputs(index)
        Y = net.forward(x, v)
        label, guess = test.labels[index], Y.index(max(Y))
        verdict = "right" if guess == label else "WRONG"
        print(f"test digit {index}: labelled {label}, the model says {guess} ({verdict})")
        print(mnist.draw(test.pixels[index * 784:(index + 1) * 784]))
        for c in range(len(Y)):
            print(f"  {c}  {Y[c]:8.4f}  {'#' * round(40 * max(0.0, min(1.0, Y[c])))}")
        print()
    return 0
