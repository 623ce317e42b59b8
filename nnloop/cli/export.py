"""`nnloop export`: its help text, `add_export` which declares its options, and
`run_export` which carries it out."""
import argparse
import os

from ..errors import NnloopError
from .options import DATA_HELP, add_force, load_one_sample, test_index

EXPORT_HELP = """\
Write the network of a spec or a model file as one standalone Python file.

--to numpy: the same forward pass, backward pass and SGD step with numpy
matrices: A = W @ H + B, dW = outer(delta, H), back = W.T @ delta, and
im2col for convolutions, a line per formula of the README's notation, with
nnloop's names and its parameters. Run it with numpy installed: it prints
the output Y, the loss and the gradients of the sample it was exported with
(a spec's own, or an MNIST test digit).

--to pytorch: the same layers as an nn.Sequential in float64 that reads W,
K and B from the nnloop file with json, with the run's optimizer and
learning-rate schedule, and a train() that goes on training on MNIST: for a
network that outgrows pure Python.

nnloop itself needs neither numpy nor torch: it writes the file as text.
"""

EXPORT_EXAMPLES = """\
examples:
  nnloop export worked-relu -o models/worked_relu_numpy.py && python3 models/worked_relu_numpy.py
  nnloop export models/mnist.json --index 8 -o models/mnist_numpy.py
  nnloop export models/mnist.json --to pytorch -o models/mnist_torch.py && python3 models/mnist_torch.py
"""


def add_export(commands):
    export = commands.add_parser("export", help="the network as numpy matrix code or a PyTorch module, one Python file",
                                 description=EXPORT_HELP, epilog=EXPORT_EXAMPLES,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("file", metavar="SPEC|MODEL", help="a network spec or a model file from nnloop train")
    export.add_argument("--to", choices=["numpy", "pytorch"], default="numpy",
                        help="numpy (default): forward, backward and the SGD step as matrix operations; pytorch: "
                             "an nn.Sequential of the same layers in float64 that reads the weights from the file, "
                             "with the run's optimizer and schedule, ready to train on")
    export.add_argument("--index", type=test_index, help="model files: the MNIST test digit of the sample (default 0)")
    export.add_argument("--data", metavar="DIR", help=DATA_HELP)
    export.add_argument("-o", "--output", metavar="FILE.py", required=True, help="the Python file to write")
    add_force(export)
    export.set_defaults(run=run_export)


def run_export(args):
    from ..files import modelfile
    from ..tools.export import check_exportable, numpy_source, torch_source
    from ..tools.spec import locate
    from ..tools.svg import save
    from .outputs import check_not_a_model, check_output
    check_output(args.output, [args.file])
    check_not_a_model(args.output, "-o", args.force)
    if os.path.exists(args.output) and not args.force:  # it may be a program of the user's own
        raise NnloopError(f"-o {args.output} already exists: choose another -o, or pass --force to replace it")
    subject = load_one_sample(args)
    check_exportable(subject.net, args.file)
    (x, T), = subject.samples
    about = "; ".join(subject.about)
    if args.to == "numpy":
        save(args.output, numpy_source(subject.net, about, x, T))
    else:
        path = os.path.abspath(locate(args.file))
        training = modelfile.read(path)[1] if subject.kind == "model" else None
        arguments = (training or {}).get("arguments") or {}
        save(args.output, torch_source(subject.net, about, path, subject.optimizer, subject.eta,
                                       arguments))
    print(f"wrote {args.output}: the {subject.net.shape_name()} network of {args.file} as {args.to} code; "
          f"run it with: python3 {args.output}")
    return 0
