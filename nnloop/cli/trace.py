"""`nnloop trace`: its help text, `add_trace` which declares its options, and
`run_trace` which carries it out."""
import argparse

from ..errors import NnloopError
from .options import DATA_HELP, add_force, load_one_sample, positive_int, test_index

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
  nnloop trace conv-worked --html models/conv.html    a convnet: each cell's window and kernel highlighted
  nnloop trace conv-strided --json > models/conv-strided.json   every value, for a program
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
    trace.add_argument("--json", action="store_true",
                       help="print every value instead as one JSON document keyed by the notation (\"A[1][0]\", "
                            "\"dW[1][0][2]\", \"K[1][0][0][1][1]\"), with the network, the sample and the step: "
                            "for checking another implementation against nnloop")
    add_force(trace, "--html")
    trace.set_defaults(run=run_trace)


def run_trace(args):
    from ..tools.trace import render, trace
    subject = load_one_sample(args)
    (x, T), = subject.samples
    if args.json:
        if args.html or args.format != "text":
            raise NnloopError("--json prints the values alone, for a program: drop --html and --format")
        from ..files.modelfile import dumps
        from ..tools.values import values
        print(dumps(values(subject.net, x, T, subject.eta, subject.optimizer, subject.about)))
        return 0
    sections = trace(subject.net, x, T, subject.eta, None if args.full else args.top, subject.about,
                     subject.optimizer)
    if args.html:
        if args.format != "text":
            raise NnloopError("--html writes a page of its own: drop --format, or drop --html for markdown")
        from ..tools.tracepage import write_page
        from .outputs import check_not_a_model, check_output
        check_output(args.html, [args.file], option="--html")
        check_not_a_model(args.html, "--html", args.force)
        steps = write_page(subject.net, x, T, subject.eta, sections, args.html, subject.optimizer,
                           title=f"Backprop, step by step: {args.file}")
        print(f"wrote {args.html}: {steps} steps of the trace of {args.file}, each beside the diagram; "
              "open it in a browser")
        return 0
    print(render(sections, markdown=args.format == "markdown", title=f"Backprop, step by step: {args.file}"))
    return 0
