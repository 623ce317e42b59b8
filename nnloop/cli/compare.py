"""`nnloop compare`: its help text, `add_compare` which declares its options, and
`run_compare` which carries it out."""
from .options import add_force

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
    from ..tools.compare import write_compare
    from .trainer import plural
    from .outputs import check_not_a_model, check_output
    check_output(args.output, args.models)
    check_not_a_model(args.output, "-o", args.force)
    names = write_compare(args.models, args.output)
    print(f"wrote {args.output}: {plural(len(names), 'run')} ({'; '.join(names)}); open it in a browser")
    return 0
