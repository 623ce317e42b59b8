"""`nnloop geometry`: its help text, `add_geometry` which declares its options,
and `run_geometry` which carries it out."""
from .options import add_force, numbers

GEOMETRY_HELP = ("Draw one layer A = W H[0] + B, H = f(A) from 2 nodes to 2 nodes as six pictures of the plane: "
                 "the input points H[0], then after each move of W = U S V^T (turn by V^T, stretch by S, turn by U), "
                 "after + B and after f (relu unless --activation or the spec says otherwise). W and B come from "
                 "--W and --B, from --spec, or at random from --seed.")


def add_geometry(commands):
    geometry = commands.add_parser("geometry", help="what a layer of 2 nodes does to the plane, move by move (SVG)",
                                   description=GEOMETRY_HELP,
                                   epilog="example: nnloop geometry --W 1,2,-1.5,0.5 --B 0.5,-0.25 -o models/layer.svg")
    geometry.add_argument("--W", type=numbers(4), metavar="W00,W01,W10,W11",
                          help="the weights W[j][i] row by row: W = [[W00, W01], [W10, W11]] (default: random)")
    geometry.add_argument("--B", "--b", type=numbers(2), metavar="B0,B1", dest="B",
                          help="the biases B[j] (default: 0,0 with --W, random with a random W; --b is the old name)")
    geometry.add_argument("--spec", metavar="FILE",
                          help='a JSON file {"W": [[W00, W01], [W10, W11]], "B": [B0, B1]}, or a network spec whose '
                               'layer 1 is 2 -> 2, like the shipped xor (its activation too), instead of --W and --B')
    geometry.add_argument("--activation", choices=["relu", "tanh", "sigmoid", "identity", "softmax"],
                          help="the layer's f in H = f(A) (default relu; a network spec's own layer 1)")
    geometry.add_argument("--seed", type=int, default=0,
                          help="seed of the random W and b, and of the points of --points sample (default 0)")
    geometry.add_argument("--points", choices=["grid", "sample"], default="grid",
                          help="an 11x11 grid on [-1, 1]^2 (default), or 200 standard normal points")
    geometry.add_argument("-o", "--output", metavar="SVG", default="geometry.svg",
                          help="where to write the picture (default geometry.svg)")
    add_force(geometry)
    geometry.set_defaults(run=run_geometry)


def run_geometry(args):
    from ..tools import geometry
    from .outputs import check_not_a_model, check_output
    check_output(args.output, [args.spec])
    check_not_a_model(args.output, "-o", args.force)
    W, B, activation = geometry.choose_layer(args.spec, args.W, args.B, args.seed, args.activation)
    points = geometry.sample_points(args.seed + 1) if args.points == "sample" else geometry.grid_points()
    geometry.draw_layer(W, B, points, args.output, activation)
    return 0
