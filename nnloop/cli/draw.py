"""`nnloop draw`: its help text, `add_draw` which declares its options, and
`run_draw` which carries it out."""
import argparse

from .options import DATA_HELP, add_force, load_one_sample, test_index

DRAW_HELP = """\
Draw a network as the textbook does, as SVG: a column of circles per layer,
an arrow per weight W[k][j][i] from node i of layer k-1 to node j of layer k,
red for > 0, blue for < 0, gray for 0, the thicker the larger. --pass writes
the engine's own numbers for the sample (the same ones nnloop trace prints):

  forward    A[k][j] and H[k][j] in the nodes, W on the edges, B under the nodes
  backward   delta[k][j] and back[k][j] in the nodes, dW[k][j][i] on the edges, dB under
  update     W[k][j][i] - eta*dW[k][j][i] on the edges, B[k][j] - eta*dB[k][j] under

A convnet's feature maps are grids of cells, each cell shaded by its value
(A and H forward, back and delta backward); each kernel is a small grid in
front of the maps it makes (K, dK, or K - eta*dK), the padding a ring of
cells marked 0; pooling outlines its windows and, for max pooling, the input
each output came from; flatten names where each cell goes,
i = (c*rows + y)*cols + x; dense layers after it are drawn as above.

A spec is drawn whole, every value written out; a model file shows the first
nodes (or channels) of each wide layer and how many more there are, and is
drawn for an MNIST test digit (--index).
"""

DRAW_EXAMPLES = """\
examples:
  nnloop draw worked-relu --pass forward -o models/forward.svg
  nnloop draw softmax-3-4-3 --pass backward -o models/backward.svg
  nnloop draw models/mnist.json --pass forward --index 8
  nnloop draw conv-strided --pass forward -o models/conv.svg   the textbook's strided convolution
"""


def add_draw(commands):
    draw = commands.add_parser("draw", help="the network as a diagram of nodes and weights (or feature maps and kernels), with a pass's values (SVG)",
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
    from ..tools import draw, svg
    from ..tools.values import compute
    from .outputs import check_not_a_model, check_output
    check_output(args.output, [args.file])
    check_not_a_model(args.output, "-o", args.force)
    subject = load_one_sample(args)
    (x, T), = subject.samples
    computed = compute(subject.net, x, T, subject.eta, subject.optimizer) if args.pass_ else None
    title = f"{args.file}: {args.pass_ + ' pass' if args.pass_ else 'weights and biases'}"
    text = draw.picture(subject.net, computed, T, args.pass_, title)
    svg.save(args.output, text)
    print(f"wrote {args.output}: the {subject.net.shape_name()} network of {args.file}"
          f"{', ' + args.pass_ + ' pass' if args.pass_ else ''} ({len(text.encode()):,} bytes)")
    return 0

