"""`nnloop report`: its help text, `add_report` which declares its options, and
`run_report` which carries it out."""
import os

from ..files import mnist, modelfile
from .options import add_force

REPORT_HELP = ("Write one self-contained HTML page (inline SVG, no scripts) of a model trained by nnloop train: "
               "loss, accuracy and gradient magnitude per epoch, the confusion matrix on the test digits, "
               "misclassified test digits, and layer 1's weights as images; for a convnet, layer 1's kernels and the "
               "feature maps of one test digit through every convolution and pooling layer.")


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
    from ..tools.report import write_report
    net, training = modelfile.read(model_path)
    mnist.check_model(net, model_path)
    test_accuracy = write_report(net, training, model_path, html_path, data)
    print(f"wrote {html_path}: the report of {model_path} (test accuracy {100 * test_accuracy:.2f}%); "
          "open it in a browser")
