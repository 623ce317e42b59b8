"""What one layer does to the plane, move by move.

A layer of 2 nodes fed by 2 nodes takes each input H[0], a point of the
plane, to A = W H[0] + B and then to H = f(A), f its activation (the layer
is layer 1 of a network: W, B, A and H stand for W[1], B[1], A[1], H[1]).
The singular value decomposition

    W = U S V^T

splits the matrix into three moves anyone can picture: V^T turns the plane
(a rotation, or a reflection: det V^T = -1), S stretches it along the axes
by the singular values s1 >= s2 >= 0 (s2 = 0 flattens the plane onto a
line), and U turns it again. Then + B shifts every point, and f moves it
into f's range: relu puts each point with a negative coordinate onto an
axis, so that all that is left is the first quadrant; tanh squashes the
plane into the square (-1, 1)^2, sigmoid into (0, 1)^2; softmax puts every
point on the segment where its two coordinates sum to 1; identity leaves it
where it is.

W is a list of rows, as in the network: W[j][i] (W[1][j][i] of a one-layer
network) is the weight from input node i to node j.

>>> U, s, VT = svd2([[1.0, 1.0], [0.0, 1.0]])   # a shear
>>> [round(x, 4) for x in s]                   # the golden ratio and its inverse
[1.618, 0.618]
>>> turn_text(VT), turn_text(U)
('rotation by -58.28 degrees', 'rotation by 31.72 degrees')
>>> for stage in stages([[1.0, 1.0], [0.0, 1.0]], [0.5, -2.0], [[1.0, 1.0]]):
...     print(f"{stage.title:22} {[round(c, 4) for c in stage.points[0]]}")
the input H[0]         [1.0, 1.0]
V^T H[0]               [1.3764, -0.3249]
S V^T H[0]             [2.227, -0.2008]
U S V^T H[0] = W H[0]  [2.0, 1.0]
A = W H[0] + B         [2.5, -1.0]
H = relu(A)            [2.5, 0.0]
>>> stages([[1.0, 1.0], [0.0, 1.0]], [0.5, -2.0], [[1.0, 1.0]], "tanh")[-1].points   # tanh(2.5), tanh(-1)
[[0.9866142981514303, -0.7615941559557649]]
"""
import math
import sys
from typing import List, NamedTuple

from ..errors import NnloopError
from ..files.jsonfile import read_json
from ..layers.activations import ACTIVATIONS
from ..rng import Random
from . import spec as network_spec
from . import svg

PANEL, PLOT, HEADER = 300, 210, 50  # pixels: a panel's width, its square plot's side, the title above all
LARGEST = 1e6  # |W[j][i]| and |B[j]| drawn at most; far beyond, the stages' coordinates overflow


def svd2(W):
    """(U, s, VT) with W = U diag(s) VT, for a 2x2 matrix W, in closed form.

    U and VT are orthogonal (rotations, or U a reflection when det W < 0),
    s = [s1, s2] with s1 >= s2 >= 0. Write W = p I + q R + r P + u J, a sum
    of the four matrices I = [[1,0],[0,1]], R = [[1,0],[0,-1]], P = [[0,1],[1,0]]
    and J = [[0,-1],[1,0]]: (p, u) is the part that rotates and scales alike
    in every direction, (q, r) the part that stretches one direction and
    squeezes the other. Their lengths give the singular values, their
    angles the two rotations.
    """
    (w00, w01), (w10, w11) = W
    p, q, r, u = (w00 + w11) / 2, (w00 - w11) / 2, (w10 + w01) / 2, (w10 - w01) / 2
    alike, across = math.hypot(p, u), math.hypot(q, r)
    stretch_angle, turn_angle = math.atan2(r, q), math.atan2(u, p)
    U, VT = rotation((turn_angle + stretch_angle) / 2), rotation((turn_angle - stretch_angle) / 2)
    s1, s2 = alike + across, alike - across
    if s2 < 0:  # det W < 0: turn the sign of s2 into a reflection, U's second column flipped
        s2 = -s2
        U = [[U[0][0], -U[0][1]], [U[1][0], -U[1][1]]]
    return U, [s1, s2], VT


def rotation(angle):
    """The matrix that turns the plane by angle radians, counterclockwise."""
    c, s = math.cos(angle), math.sin(angle)
    return [[c, -s], [s, c]]


def times(M, point):
    """The 2x2 matrix M times the point.

    >>> times([[0.0, -1.0], [1.0, 0.0]], [2.0, 3.0])
    [-3.0, 2.0]
    """
    return [M[0][0] * point[0] + M[0][1] * point[1], M[1][0] * point[0] + M[1][1] * point[1]]


def turn_text(M):
    """What the orthogonal 2x2 matrix M (U or V^T) does, as text: a rotation or a reflection, and its angle.

    >>> turn_text([[0.0, 1.0], [1.0, 0.0]])
    'reflection in the line at 45.00 degrees'
    """
    angle = math.degrees(math.atan2(M[1][0], M[0][0]))
    if M[0][0] * M[1][1] - M[0][1] * M[1][0] > 0:
        return f"rotation by {angle:.2f} degrees"
    return f"reflection in the line at {angle / 2:.2f} degrees"


class Stage(NamedTuple):
    """The points after one move of the layer.

    key     short name, the id of its panel: input, VT, S, U, B, H
    title   what the points are, e.g. "S V^T H[0]"
    label   lines saying what the move was, e.g. the matrix
    points  [[first coordinate, second], ...], one per input point, in the same order
    """
    key: str
    title: str
    label: List[str]
    points: list


# What each activation does to the plane: the label of its stage, and its range (lo, hi) per coordinate, shaded
# in every panel (None: the whole plane).
EFFECTS = {
    "relu": (["negative coordinates become 0", "only the first quadrant is left"], (0.0, math.inf)),
    "tanh": (["each coordinate squashed into (-1, 1)", "large ones all end near +-1"], (-1.0, 1.0)),
    "sigmoid": (["each coordinate squashed into (0, 1)", "large ones all end near 0 or 1"], (0.0, 1.0)),
    "softmax": (["two probabilities that sum to 1", "the plane folds onto a segment"], (0.0, 1.0)),
    "identity": (["nothing: H = A", "the layer stays linear"], None),
}


def stages(W, B, points, activation="relu"):
    """The six stages of points on their way through the layer W, B and its activation f:
    input H[0], after V^T, after S, after U (= W H[0]), after + B (= A), after f (= H)."""
    U, s, VT = svd2(W)
    turned = [times(VT, point) for point in points]
    stretched = [[s[0] * x, s[1] * y] for x, y in turned]
    mapped = [times(U, p) for p in stretched]
    A = [[x + B[0], y + B[1]] for x, y in mapped]
    H = [activate(activation, a) for a in A]
    return [
        Stage("input", "the input H[0]", [f"{len(points)} points"], points),
        Stage("VT", "V^T H[0]", [f"V^T = {matrix_text(VT)}", turn_text(VT)], turned),
        Stage("S", "S V^T H[0]", [f"S = diag({s[0]:.2f}, {s[1]:.2f})", "stretch along the axes"], stretched),
        Stage("U", "U S V^T H[0] = W H[0]", [f"U = {matrix_text(U)}", turn_text(U)], mapped),
        Stage("B", "A = W H[0] + B", [f"B = {vector_text(B)}", "shift"], A),
        Stage("H", f"H = {activation}(A)", EFFECTS[activation][0], H),
    ]


def activate(activation, a):
    """The point a through the network's own activation of that name."""
    H = [0.0, 0.0]
    ACTIVATIONS[activation].forward(a, H)
    return H


def matrix_text(M):
    """W as text, rows in brackets.

    >>> matrix_text([[1.0, -0.0], [0.25, -2.0]])
    '[[1.00, 0.00], [0.25, -2.00]]'
    """
    return f"[{vector_text(M[0])}, {vector_text(M[1])}]"


def vector_text(v):
    """Numbers with 2 decimals, without the sign of a -0.00."""
    return "[" + ", ".join(f"{x:.2f}".replace("-0.00", "0.00") for x in v) + "]"


def grid_points(n=11):
    """An n x n grid of points on the square [-1, 1] x [-1, 1]."""
    return [[-1.0 + 2.0 * c / (n - 1), -1.0 + 2.0 * r / (n - 1)] for r in range(n) for c in range(n)]


def sample_points(seed, n=200):
    """n points with standard normal coordinates, drawn from Random(seed)."""
    rng = Random(seed)
    return [[rng.gauss(), rng.gauss()] for _ in range(n)]


def random_layer(seed):
    """(W, B) drawn from Random(seed): standard normal weights, biases half that."""
    rng = Random(seed)
    W = [[rng.gauss(), rng.gauss()], [rng.gauss(), rng.gauss()]]
    return W, [0.5 * rng.gauss(), 0.5 * rng.gauss()]


def choose_layer(spec, W, B, seed, activation=None):
    """(W, B, activation) of the layer to draw: from the JSON file spec, or W
    (4 numbers, row by row) and B (2 numbers, default zeros), or random from
    seed. B given with a random W replaces the random biases. Numbers beyond
    +-LARGEST are refused. activation (default relu) is the spec's own when
    it names one."""
    if spec:
        if W or B:
            raise NnloopError("give the layer either by --spec FILE or by --W and --B, not both")
        W, B, own = read_spec(spec)
        if own and activation and own != activation:
            raise NnloopError(f"{spec} says layer 1 is {own}, not {activation}: drop --activation, or edit the file")
        activation = own or activation
    elif W:
        W, B = [W[:2], W[2:]], B or [0.0, 0.0]
    else:
        W, random_B = random_layer(seed)
        B = B or random_B
    if max(abs(x) for x in W[0] + W[1] + B) > LARGEST:
        raise NnloopError(f"a weight or bias beyond +-{LARGEST:g} would overflow the picture's scale: "
                          "give smaller numbers (a layer's picture looks the same scaled down)")
    return W, B, activation or "relu"


def read_spec(path):
    """(W, B, activation) of a layer from 2 nodes to 2, from a JSON file.

    Either {"W": [[W00, W01], [W10, W11]], "B": [B0, B1]} (B may be left out:
    zeros; activation is None; files written before nnloop said B may call it
    "b"), or a network spec of nnloop trace (a shipped one by name, like xor)
    whose layer 1 goes from 2 nodes to 2: then W = W[1], B = B[1] and the
    activation is layer 1's.
    """
    example = 'write it like {"W": [[1, 2], [3, 4]], "B": [0.5, -1]}, or name a shipped spec like xor'
    path = network_spec.locate(path)
    spec = read_json(path, "layer file", missing=example, invalid=example)
    if isinstance(spec, dict) and spec.get("format") == network_spec.FORMAT:
        net = network_spec.from_document(spec, path).net
        if net.sizes[:2] != [2, 2]:
            raise NnloopError(f"{path} is a {'-'.join(map(str, net.sizes))} network: the picture needs its "
                              "layer 1 to go from 2 nodes to 2")
        return net.W[1], net.B[1], net.activations[1]
    W = spec.get("W") if isinstance(spec, dict) else None
    B = spec.get("B", spec.get("b", [0.0, 0.0])) if isinstance(spec, dict) else None
    if not (is_numbers(W, 2, rows=2) and is_numbers(B, 2)):
        raise NnloopError(f'{path} must hold {{"W": [[W00, W01], [W10, W11]], "B": [B0, B1]}} with finite numbers: '
                          "a 2x2 weight matrix, rows W[j], and 2 biases (or be a network spec)")
    return [[float(w) for w in row] for row in W], [float(x) for x in B], None


def is_numbers(value, n, rows=None):
    """True if value is a list of n finite numbers (or of rows such lists)."""
    if rows is not None:
        return isinstance(value, list) and len(value) == rows and all(is_numbers(row, n) for row in value)
    return isinstance(value, list) and len(value) == n and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in value)


def picture(W, B, all_stages, activation="relu"):
    """The stages as one SVG: a panel per stage, three in a row, on common axes.

    Each panel shades the activation's range (relu's first quadrant), draws
    the axes through the origin and colours every point by where it
    started, so that it can be followed from panel to panel.
    """
    reach = max([1.0] + [abs(c) for stage in all_stages for p in stage.points for c in p])
    step = svg.Scale(-reach, reach, 0, 1).step()
    limit = math.ceil(1.05 * reach / step) * step
    start = all_stages[0].points
    spread = max([abs(c) for p in start for c in p] + [1e-12])
    colours = [svg.plane((x / spread + 1) / 2, (y / spread + 1) / 2) for x, y in start]
    rows = (len(all_stages) + 2) // 3
    width, height = 3 * PANEL, HEADER + rows * (PLOT + 110)
    parts = [svg.text(15, 22, "One layer, move by move: A = W H[0] + B = U S V^T H[0] + B, "
                              f"then H = {activation}(A)", font_size=15, font_weight="bold"),
             svg.text(15, 40, f"W = {matrix_text(W)}    B = {vector_text(B)}", font_family="monospace")]
    for n, stage in enumerate(all_stages):
        x, y = (n % 3) * PANEL, HEADER + (n // 3) * (PLOT + 110)
        parts.append(panel(stage, limit, colours, x, y, EFFECTS[activation][1]))
    return svg.document(width, height, parts)


def panel(stage, limit, colours, x, y, shaded):
    """One stage's panel at (x, y): title, label lines, then the plane, the range shaded (lo, hi) and the points."""
    top, left = y + 62, x + 55
    xs = svg.Scale(-limit, limit, left, left + PLOT)
    ys = svg.Scale(-limit, limit, top + PLOT, top)
    parts = [svg.text(x + 15, y + 18, stage.title, font_weight="bold", class_="title")]
    parts += [svg.text(x + 15, y + 34 + 14 * n, line, font_family="monospace", font_size=11, class_="label")
              for n, line in enumerate(stage.label)]
    if shaded:
        lo, hi = max(shaded[0], -limit), min(shaded[1], limit)
        parts.append(svg.rect(xs(lo), ys(hi), xs(hi) - xs(lo), ys(lo) - ys(hi), "#fdf1c9", class_="range"))
    parts.append(svg.axes(xs, ys, through_origin=True))
    parts.append(svg.scatter(xs, ys, stage.points, colours))
    return svg.group(parts, id=f"stage-{stage.key}", class_="panel")


def draw_layer(W, B, points, path, activation="relu", out=None):
    """Write the picture of the layer W, B, activation acting on points to path; explain it on out (sys.stdout as
    it is at the call if None)."""
    out = out or sys.stdout
    all_stages = stages(W, B, points, activation)
    svg.save(path, picture(W, B, all_stages, activation))
    U, s, VT = svd2(W)
    print(f"W = {matrix_text(W)} = U S V^T:", file=out)
    print(f"  V^T = {matrix_text(VT)}   {turn_text(VT)}", file=out)
    print(f"  S   = diag({s[0]:.4f}, {s[1]:.4f})   stretch along the axes", file=out)
    print(f"  U   = {matrix_text(U)}   {turn_text(U)}", file=out)
    print(f"B = {vector_text(B)}, then {activation}", file=out)
    print(f"wrote {path}: {len(points)} points through {len(all_stages)} stages "
          f"({', '.join(stage.title for stage in all_stages)})", file=out)
