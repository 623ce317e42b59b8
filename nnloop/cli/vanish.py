"""`nnloop vanish`: its help text, `add_vanish` which declares its options, and
`run_vanish` which carries it out."""
import argparse

from .options import positive_int

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
    vanish.add_argument("--batch-size", type=positive_int, default=32,
                        help="random inputs the mean |dW| is measured over (default 32)")
    vanish.add_argument("--seed", type=int, default=0, help="seed of the weights and the inputs (default 0)")
    vanish.set_defaults(run=run_vanish)


def run_vanish(args):
    from ..sizes import check_network
    from ..tools.vanish import report
    check_network([args.width] * (args.depth + 1) + [10], f"--depth {args.depth} --width {args.width}",
                  samples=2 * args.batch_size)
    print("\n".join(report(args.depth, args.width, args.batch_size, args.seed)))
    return 0
