"""The network as the textbook draws it: a column of circles per layer, an arrow per weight.

Layer k is a column of circles, node j of layer k the j-th from the top;
the edge from node i of layer k-1 to node j of layer k is an arrow, red
where its value is > 0, blue where < 0, gray where 0, the thicker the
larger its |value|. A pass writes the engine's numbers into the picture:

    (no pass)  W[k][j][i] on the edges, B[k][j] under the nodes
    forward    A[k][j] and H[k][j] in the nodes (H[0] = x), W on the edges,
               B under the nodes, the target T and the loss at the output
    backward   delta[k][j] (and back[k][j] below the output layer) in the
               nodes, dW[k][j][i] on the edges, dB[k][j] under the nodes;
               the arrows point back, the way delta flows
    update     the new W[k][j][i] - eta*dW[k][j][i] on the edges and
               B[k][j] - eta*dB[k][j] under the nodes

The numbers are those of values.compute, the same NodeValues, Gradients and
SGD step that nnloop trace prints, written as the trace writes them.

A spec is drawn whole, every value written out. A wide layer (an MNIST
model's 784 inputs and 100 hidden nodes) shows its first SHOWN nodes and a
count of the rest; edges are drawn between the drawn nodes, and their values
are left off once a layer has more than LABELLED nodes.

Every node is a <g class="node" id="node-k-j"> around one <circle>, every
edge a <line class="edge" id="edge-k-j-i">, and a value written on an edge a
<text class="value" id="value-k-j-i">, so a test or a page can find them.

>>> from nnloop.network import Network
>>> net = Network.with_parameters(W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
...                               activations=["relu", "identity"], loss="mse")
>>> from nnloop.tools.values import compute
>>> computed = compute(net, [2.0, 3.0, 1.0], [20.0], eta=0.001)
>>> node_lines(net, computed, "forward", 1, 1)
[('A', 'A = -14'), ('H', 'H = 0')]
>>> edge_value(net, computed, "backward", 2, 0, 0)
(286.0, '286')
>>> edge_value(net, computed, "update", 2, 0, 0)
(2.714, '2.714')
"""
import math
from . import svg
from .values import moved, num

PASSES = ("forward", "backward", "update")
WIDE = 10        # a layer of more nodes than this is cut short...
SHOWN = 8        # ...to its first SHOWN nodes
LABELLED = 6     # values are written on the edges when no layer has more nodes than this
POSITIVE, NEGATIVE, ZERO = "#b2182b", "#2166ac", "#bbbbbb"   # the ends of svg.diverging, and gray
GLOW, RING = "#ffcc33", "#ff8800"                             # what a step of a trace page highlights
TOP = 92         # pixels above the first row of nodes: title, column headings, node names


class Layout:
    """Where the nodes go.

    sizes[k]   nodes of layer k; shown[k] of them are drawn, the first ones
    x[k]       the x of layer k's column; y[k][j] the y of its node j
    r          the radius of a node
    labelled   True if the edges carry their values
    width, height of the whole picture, in pixels
    """

    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.shown = [n if n <= WIDE else SHOWN for n in sizes]
        self.labelled = max(sizes) <= LABELLED
        self.r = 42 if self.labelled else 28
        spacing = 2 * self.r + 44
        rows = [shown + (shown < n) for shown, n in zip(self.shown, sizes)]  # a cut layer's dots take a row
        tallest = (max(rows) - 1) * spacing
        self.x = [80.0 + self.r]  # room for the heading of a wide input layer
        for k in range(1, len(sizes)):
            # an edge's value sits at its own place along the edge (see edge_place): room for all of them
            gap = max(250, 80 * (self.shown[k - 1] + 1)) if self.labelled else 220
            self.x.append(self.x[-1] + gap)
        self.y = [[TOP + self.r + (tallest - (rows[k] - 1) * spacing) / 2 + j * spacing for j in range(rows[k])]
                  for k in range(len(sizes))]
        self.width = int(self.x[-1] + self.r + 120)
        self.height = int(TOP + 2 * self.r + tallest + 40)

    def __repr__(self):
        return f"Layout(sizes={self.sizes}, shown={self.shown}, {self.width}x{self.height} px)"

    def edge_ends(self, k, j, i):
        """((x1, y1), (x2, y2)): the edge from node i of layer k-1 to node j of layer k, circle rim to rim."""
        x1, y1, x2, y2 = self.x[k - 1], self.y[k - 1][i], self.x[k], self.y[k][j]
        length = math.hypot(x2 - x1, y2 - y1)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        return (x1 + self.r * ux, y1 + self.r * uy), (x2 - (self.r + 2) * ux, y2 - (self.r + 2) * uy)

    def edge_place(self, k, j, i):
        """Where the value of the edge (k, j, i) is written: the edges out of node i at their own
        fraction (i + 1) / (n + 1) of the way, so that values of different i stand in different places."""
        fraction = (i + 1) / (self.shown[k - 1] + 1)
        x1, y1, x2, y2 = self.x[k - 1], self.y[k - 1][i], self.x[k], self.y[k][j]
        return x1 + fraction * (x2 - x1), y1 + fraction * (y2 - y1)


def picture(net, computed=None, T=None, pass_=None, title=""):
    """The whole SVG picture of net, with the values of pass_ (None, or one of PASSES).

    computed is values.compute(net, x, T, eta) for the sample; a pass needs it.
    A network with feature maps (a convnet) is drawn by mapdraw.py, a grid of cells per map.
    """
    if not net.dense():
        from . import mapdraw  # which draws its flat layers with this module's nodes and edges
        return mapdraw.picture(net, computed, T, pass_, title)
    layout = Layout(net.sizes)
    parts = [markers()] + diagram(net, layout, computed, T, pass_, title)
    return svg.document(layout.width, layout.height, parts)


def markers():
    """<defs> with the arrowheads of the three edge colours, ids arrow-positive, -negative and -zero."""
    heads = [svg.element("marker", svg.element("path", d="M0,0L10,5L0,10z", fill=colour), id=f"arrow-{name}",
                         viewBox="0 0 10 10", refX=9, refY=5, markerWidth=8, markerHeight=8,
                         markerUnits="userSpaceOnUse", orient="auto")
             for name, colour in (("positive", POSITIVE), ("negative", NEGATIVE), ("zero", ZERO))]
    return svg.element("defs", "".join(heads))


def diagram(net, layout, computed, T, pass_, title, prefix=""):
    """The parts of the picture, without background and arrowheads: title, edges, their values, nodes.

    prefix goes before every id, to keep several diagrams on one page apart.
    """
    L = net.L
    parts = [svg.text(15, 22, title, font_size=15, font_weight="bold"),
             svg.text(15, 42, explanation(pass_, computed, T), font_size=12, fill="#555555")]
    for k in range(L + 1):
        heading = "input" if k == 0 else net.activations[k]
        count = f", {net.sizes[k]:,} nodes" if layout.shown[k] < net.sizes[k] else ""
        parts.append(svg.text(layout.x[k], 66, f"layer {k} ({heading}{count})", text_anchor="middle",
                              font_weight="bold"))
    edges, values = [], []
    reach = max([abs(edge_value(net, computed, pass_, k, j, i)[0]) for k, j, i in drawn_edges(layout)] + [0.0])
    for k, j, i in drawn_edges(layout):
        value, label = edge_value(net, computed, pass_, k, j, i)
        start, end = layout.edge_ends(k, j, i)
        if pass_ == "backward":  # delta flows from layer k back to layer k-1
            start, end = end, start
        sign = "positive" if value > 0 else "negative" if value < 0 else "zero"
        edges.append(svg.line(*start, *end, {"positive": POSITIVE, "negative": NEGATIVE, "zero": ZERO}[sign],
                              stroke_width=0.8 + 4.2 * abs(value) / (reach or 1.0),
                              marker_end=f"url(#arrow-{sign})", class_="edge", id=f"{prefix}edge-{k}-{j}-{i}"))
        if layout.labelled:
            x, y = layout.edge_place(k, j, i)
            values.append(svg.text(x, y + 4, label, text_anchor="middle", font_size=11, class_="value",
                                   id=f"{prefix}value-{k}-{j}-{i}", stroke="white", stroke_width=3,
                                   paint_order="stroke"))
    parts += [svg.group(edges, class_="edges"), svg.group(values, class_="values")]
    for k in range(L + 1):
        parts += [node(net, layout, computed, T, pass_, k, j, prefix) for j in range(layout.shown[k])]
        if layout.shown[k] < net.sizes[k]:
            parts.append(more(layout, k, net.sizes[k] - layout.shown[k]))
    if pass_:
        parts.append(loss_text(layout, computed, pass_))
    return parts


def loss_text(layout, computed, pass_):
    """The sample's loss in the bottom right corner; after an update, before and after the step."""
    loss = f"loss = {num(computed.loss)}"
    if pass_ == "update":
        loss += f" before the step, {num(computed.loss_after)} after it"
    return svg.text(layout.width - 10, layout.height - 12, loss, text_anchor="end", font_weight="bold", class_="loss")


def drawn_edges(layout):
    """(k, j, i) of every edge between drawn nodes, layer by layer."""
    return [(k, j, i) for k in range(1, len(layout.sizes))
            for j in range(layout.shown[k]) for i in range(layout.shown[k - 1])]


def edge_value(net, computed, pass_, k, j, i):
    """(value, text) on the edge from node i of layer k-1 to node j of layer k: W, dW or the new W."""
    if pass_ == "backward":
        value = computed.g.dW[k][j][i]
        return value, num(value)
    if pass_ == "update":
        value = computed.stepped.W[k][j][i]
        return value, moved(net.W[k][j][i], value)
    return net.W[k][j][i], num(net.W[k][j][i])


def node_lines(net, computed, pass_, k, j):
    """[(name, text)] written in node j of layer k, top to bottom."""
    v = computed.v if computed else None
    if pass_ == "forward":
        if k == 0:
            return [("H", f"H = {num(v.H[0][j])}")]
        return [("A", f"A = {num(v.A[k][j])}"), ("H", f"H = {num(v.H[k][j])}")]
    if pass_ == "backward" and k > 0:
        back = [("back", f"back = {num(v.back[k][j])}")] if k < net.L else []
        return back + [("delta", f"delta = {num(v.delta[k][j])}")]
    return []


def under_line(net, computed, pass_, k, j):
    """(name, text) written under node j of layer k: its bias B, its dB, or its new B; None for an input."""
    if k == 0:
        return None
    if pass_ == "backward":
        return "dB", f"dB = {num(computed.g.dB[k][j])}"
    if pass_ == "update":
        return "B", f"B = {moved(net.B[k][j], computed.stepped.B[k][j])}"
    return "B", f"B = {num(net.B[k][j])}"


def node(net, layout, computed, T, pass_, k, j, prefix):
    """Node j of layer k: its circle, its name above it, its values inside, its bias below."""
    x, y, r = layout.x[k], layout.y[k][j], layout.r
    parts = [svg.circle(x, y, r, "#f2f2f2" if k == 0 else "white", stroke="#444444", stroke_width=1.5,
                        class_="node"),
             svg.text(x, y - r - 6, f"[{k}][{j}]", text_anchor="middle", font_size=10, fill="#777777",
                      class_="name")]
    lines = node_lines(net, computed, pass_, k, j)
    for n, (name, line) in enumerate(lines):
        dy = 13 * (n - (len(lines) - 1) / 2)
        parts.append(svg.text(x, y + dy + 4, line, text_anchor="middle", class_=name,
                              font_size=fitting(line, 2 * math.sqrt(r * r - (abs(dy) + 4) ** 2) - 4)))
    under = under_line(net, computed, pass_, k, j)
    if under:
        parts.append(svg.text(x, y + r + 15, under[1], text_anchor="middle", font_size=11, class_=under[0]))
    if pass_ in ("forward", "backward") and k == net.L and T is not None:
        parts.append(svg.text(x + r + 8, y + 4, f"T = {num(T[j])}", font_size=11, class_="T"))
    return svg.group(parts, class_="node", id=f"{prefix}node-{k}-{j}")


def fitting(text, width, largest=11.0):
    """The font size (pixels) at which text about fits width: a sans-serif character is about 0.54 of it wide."""
    return round(min(largest, width / (0.54 * max(len(text), 1))), 1)


def more(layout, k, rest):
    """Three dots where the nodes left out of layer k would be, and how many they are."""
    x, y = layout.x[k], layout.y[k][-1]
    dots = [svg.circle(x, y - 12 + 12 * n, 2.5, "#444444") for n in range(3)]
    return svg.group(dots + [svg.text(x, y + 30, f"and {rest:,} more", text_anchor="middle", font_size=11)],
                     class_="more", data_rest=rest)


def explanation(pass_, computed, T):
    """The line under the title: what the numbers in the picture are."""
    if pass_ == "forward":
        return "forward: A[k][j] = B[k][j] + sum_i W[k][j][i]*H[k-1][i] and H[k][j] = f_k(A[k][j]) in the nodes"
    if pass_ == "backward":
        return "backward: delta[k][j] and back[k][j] in the nodes, dW[k][j][i] = H[k-1][i]*delta[k][j] on the edges"
    if pass_ == "update":
        return "after one SGD step: W[k][j][i] - eta*dW[k][j][i] on the edges, B[k][j] - eta*dB[k][j] under the nodes"
    return "W[k][j][i] on the edge from node i of layer k-1 to node j of layer k, B[k][j] under node j"


def highlight(layout, targets, prefix=""):
    """(under, over): the parts that mark targets, ids of nodes ("node-1-0") and edges ("edge-2-0-1").

    An edge glows under the diagram, a node gets a ring over it; targets
    that are not drawn (a node left out of a wide layer) are skipped.
    """
    under, over = [], []
    for target in targets:
        part, *index = target.split("-")
        k, j = int(index[0]), int(index[1])
        if j >= layout.shown[k]:
            continue
        if part == "node":
            over.append(svg.circle(layout.x[k], layout.y[k][j], layout.r + 6, "none", stroke=RING,
                                   stroke_width=4, class_="highlight", data_target=prefix + target))
        elif int(index[2]) < layout.shown[k - 1]:
            (x1, y1), (x2, y2) = layout.edge_ends(k, j, int(index[2]))
            under.append(svg.line(x1, y1, x2, y2, GLOW, stroke_width=14, stroke_linecap="round",
                                  class_="highlight", data_target=prefix + target))
    return under, over

