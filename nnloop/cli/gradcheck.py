"""`nnloop gradcheck`: its help text, `add_gradcheck` which declares its options,
and `run_gradcheck` which carries it out."""
import argparse

from ..errors import NnloopError
from .options import DATA_HELP, positive_int, positive_number

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
    from ..tools.gradcheck import THRESHOLD, report, sample_parameters
    from ..rng import Random
    from ..tools.spec import load_subject
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
