"""A convnet drawn: feature maps as grids of cells, kernels beside them, pooling windows and their routes.

Layers go left to right, as in draw.py; a layer of feature maps is a
column of grids, channel c of layer k the c-th from the top, cell (y, x)
of it in row y, column x. A pass writes the engine's numbers into the cells
and shades each cell by its value (svg.diverging, red > 0, blue < 0, the
same colours as the edges of draw.py):

    (no pass)  K[k][c][c'][u][v] in the kernels, B[k][c] under them
    forward    H[0] = x, A[k][c][y][x] and H[k][c][y][x] in the cells, K and B
    backward   back[k][c][y][x] and delta[k][c][y][x] in the cells,
               dK[k][c][c'][u][v] in the kernels, dB[k][c] under them
    update     K - eta*dK in the kernels, B - eta*dB under them

A convolution's kernels stand in front of its maps: kernel c is a column
of small grids, its grid for input channel c' level with channel c' of the
layer it reads, which carries the convolution's zero padding as a ring of
gray cells marked 0. A pooling layer outlines each window on the maps it
reads (when the values are written: on a model's small cells the outlines
would hide the maps); max pooling also outlines the input each output came
from (the route its delta takes back) and, when the values are written,
draws the route as a thin arrow. Flatten and dense layers are columns of circles as
in draw.py; each flattened node is named by where it came from,
i = (c*rows + y)*cols + x, and arrows join the cells to it.

Cells and kernels are named as the textbook names them, A[k][c][y][x] and
K[k][c][c'][u][v]; the engine holds each layer's maps as one list and each
kernel as one list, so cell (c, y, x) reads v.A[k][node_index(shape, c, y,
x)] and weight (c', u, v) reads K[c][layer.weight_index(c', u, v)].

Small maps (a spec's, SMALL_MAPS or fewer rows and columns) are drawn with
their values written in the cells, the first convolution's first output cell
worked out under the picture (window, kernel, the products per channel,
their sums, the bias, the result). Larger ones (MNIST's 28x28) are drawn
small, each cell's values in its <title> (a browser shows it on hover),
a layer of more than CHANNELS_WIDE channels by its first CHANNELS_SHOWN
and a count of the rest.

Every cell is a <g class="cell" id="cell-k-c-y-x">, a padding cell a
<g class="pad" id="pad-k-c-Y-X"> (Y, X counted from the padded corner),
a kernel weight a <g class="kernel" id="kernel-k-c-c'-u-v">, a bias a
<text id="bias-k-c">; nodes and edges of the flat layers are named as in
draw.py (node-k-j, edge-k-j-i). A page (tracepage.py) highlights them.

>>> from nnloop.tools import spec
>>> s = spec.read("conv-worked")
>>> layout = Layout(s.net)
>>> layout.labelled, layout.shown, layout.cell[0], layout.pad
(True, [1, 1, 1, 4, 1], 50, [0, 0, 0, 0, 0])
"""
from typing import Callable, NamedTuple, Optional
from xml.sax.saxutils import escape

from ..layers.shapes import node_index, node_place, shape_name
from . import draw, svg
from .values import factor, moved, num

CELL = 50            # pixels of a side of a cell whose values are written in it
SMALL_MAPS = 8       # maps of at most this many rows and columns have their values written in
MAP_PIXELS = 168     # a larger map is drawn about this many pixels high, its values in <title>s
CHANNELS_WIDE = 4    # a layer of more channels than this...
CHANNELS_SHOWN = 2   # ...shows its first CHANNELS_SHOWN
FLAT_WIDE = 20       # a spec's flat layer of up to this many nodes is drawn whole (a model's: draw.WIDE)
GAP = 30             # pixels between the maps of two channels (room for a channel's name)
COLUMN_GAP = 70      # pixels between two columns
PAD_FILL, INK, ROUTE = "#e8e8e8", "#222222", "#555555"
WORKED = "#7b3294"     # the outlines of the worked cell: purple, apart from the colours of values and highlights
TOP = draw.TOP


class Layout:
    """Where each part of a network with feature maps goes.

    labelled      True when every map has at most SMALL_MAPS rows and columns: values are written in
    shapes[k]     the shape of layer k's values, as net.shapes; size[k] the window side of a conv or pool layer
    kind[k]       "input" for k = 0, else the kind of layer k ("conv", "maxpool", "flatten", "dense", ...)
    drawing[k]    DRAWING[kind[k]], how that kind is drawn
    maps[k]       True if layer k holds feature maps (its shape is (C, rows, cols)), False if a list of nodes
    cell[k]       pixels of a side of a cell of map layer k; kcell[k] of a kernel weight of conv layer k
    pad[k]        rings of zero padding drawn around layer k's maps: the padding of the convolution reading them
    shown[k]      channels drawn of a map layer, nodes drawn of a flat layer: the first ones
    x[k]          the left of layer k's maps (padding included), or the centre of its column of nodes
    top[k][c]     the top of channel c's map (padding included); [] for a flat layer
    y[k][j]       the centre of node j of a flat layer; [] for a map layer
    kernel_x[k][c]  conv layer k: the left of kernel c's column of grids, one per drawn input channel c',
                  the grid of c' level with channel c' of layer k-1 (top[k-1][c'])
    r             the radius of a node of a flat layer
    worked        the first layer with kernels, whose first cell is worked out under a labelled picture; or None
    width, height of the whole picture, in pixels; notes_y the top of the lines under the picture
    """

    def __init__(self, net):
        L, shapes = net.L, net.shapes
        self.shapes = list(shapes)
        self.kind = ["input"] + [layer.kind for layer in net.layers[1:]]
        self.drawing = [DRAWING[kind] for kind in self.kind]
        self.size = [getattr(layer, "size", None) for layer in [None] + net.layers[1:]]
        self.maps = [not isinstance(shape, int) for shape in shapes]
        self.labelled = all(max(shape[1:]) <= SMALL_MAPS for shape, is_map in zip(shapes, self.maps) if is_map)
        self.pad = [0] * (L + 1)
        for k in range(1, L + 1):
            if self.drawing[k].kernels:
                self.pad[k - 1] = net.layers[k].padding
        flat_wide = FLAT_WIDE if self.labelled else draw.WIDE
        self.shown, self.cell, self.kcell = [], [None] * (L + 1), [None] * (L + 1)
        for k, shape in enumerate(shapes):
            if self.maps[k]:
                self.shown.append(shape[0] if shape[0] <= CHANNELS_WIDE else CHANNELS_SHOWN)
                side = max(shape[1:]) + 2 * self.pad[k]
                self.cell[k] = CELL if self.labelled else max(3, MAP_PIXELS // side)
            else:
                self.shown.append(shape if shape <= flat_wide else draw.SHOWN)
            if self.drawing[k].kernels:
                self.kcell[k] = CELL if self.labelled else max(8, min(20, 60 // net.layers[k].size))
        self.r = 26 if self.labelled else 22
        self.top = [[] for _ in shapes]
        self.y = [[] for _ in shapes]
        self.kernel_x = [[] for _ in shapes]
        self.x = []
        left, bottom = 30.0, TOP
        for k, shape in enumerate(shapes):
            if self.drawing[k].kernels:  # the kernels first, in front of the maps they make
                size = net.layers[k].size
                for c in range(self.shown[k]):
                    self.kernel_x[k].append(left)
                    left += max(size * self.kcell[k], 130) + 20  # room for the bias written under it
                left += COLUMN_GAP / 2
            if self.maps[k]:
                self.x.append(left)
                rows, cols = shape[1] + 2 * self.pad[k], shape[2] + 2 * self.pad[k]
                for c in range(self.shown[k]):
                    self.top[k].append(TOP + 20 + c * (rows * self.cell[k] + GAP))
                bottom = max(bottom, self.top[k][-1] + rows * self.cell[k] + 30)
                left += cols * self.cell[k] + COLUMN_GAP
            else:
                self.x.append(left + self.r + (60 if self.labelled and self.maps[k - 1] else 0))
                left = self.x[k] + self.r + (250 if self.labelled else 160)
        # a dense node has its bias written under it; a flattened node has nothing under it
        spacing = [2 * self.r + (34 if drawing.bias_under else 18) for drawing in self.drawing]
        rows = [self.shown[k] + (self.shown[k] < net.sizes[k]) for k in range(L + 1)]  # a cut layer's dots: a row
        tallest = max([bottom - TOP] + [rows[k] * spacing[k] + 20 for k in range(L + 1) if not self.maps[k]])
        for k in range(L + 1):
            if not self.maps[k]:
                first = TOP + 20 + self.r + (tallest - 20 - rows[k] * spacing[k]) / 2
                self.y[k] = [first + j * spacing[k] for j in range(rows[k])]
        self.width = int(left + 40)
        self.notes_y = TOP + tallest + 20
        with_kernels = [k for k in range(1, L + 1) if self.drawing[k].kernels]
        self.worked = with_kernels[0] if self.labelled and with_kernels else None
        notes = net.shapes[self.worked - 1][0] + 3 if self.worked else 0
        self.height = int(self.notes_y + 16 * notes + 40)  # room for worked_cell's lines

    def __repr__(self):
        return f"Layout(shown={self.shown}, labelled={self.labelled}, {self.width}x{self.height} px)"

    def cell_box(self, k, c, y, x):
        """(left, top, side) of cell (c, y, x) of map layer k; y or x outside the map is in the padding."""
        side, p = self.cell[k], self.pad[k]
        return self.x[k] + (x + p) * side, self.top[k][c] + (y + p) * side, side

    def window_box(self, k, c, y, x, size):
        """(left, top, side) of the size x size window on channel c of layer k whose top left cell is (y, x)."""
        left, top, side = self.cell_box(k, c, y, x)
        return left, top, size * side

    def kernel_box(self, k, c, c2, u, v):
        """(left, top, side) of weight (u, v) of kernel c's grid for input channel c' (c2) of conv layer k."""
        side = self.kcell[k]
        return self.kernel_x[k][c] + v * side, self.top[k - 1][c2] + u * side, side

    def edge_ends(self, k, j, i):
        """((x1, y1), (x2, y2)): the edge from node i of flat layer k-1 to node j of layer k, rim to rim."""
        return draw.Layout.edge_ends(self, k, j, i)


def picture(net, computed=None, T=None, pass_=None, title=""):
    """The whole SVG picture of net, a network with feature maps, with the values of pass_ (None, or one of
    draw.PASSES); computed is values.compute(net, x, T, eta) for the sample, which a pass needs."""
    layout = Layout(net)
    return svg.document(layout.width, layout.height, [draw.markers()] +
                        diagram(net, layout, computed, T, pass_, title))


def diagram(net, layout, computed, T, pass_, title, prefix=""):
    """The parts of the picture, without background and arrowheads; prefix goes before every id."""
    parts = [svg.text(15, 22, title, font_size=15, font_weight="bold"),
             svg.text(15, 42, explanation(pass_), font_size=12, fill="#555555")]
    for k in range(net.L + 1):
        parts.append(svg.text(heading_x(net, layout, k), 66, heading(net, k), text_anchor="middle",
                              font_weight="bold"))
        parts += layout.drawing[k].parts(net, layout, computed, T, pass_, k, prefix)
    if pass_:
        parts.append(draw.loss_text(layout, computed, pass_))
    if pass_ == "forward" and layout.worked:
        parts += worked_cell(net, layout, computed, layout.worked, prefix)
    return parts


def heading(net, k):
    """'layer 1 (conv, relu): 2x3x3' over layer k's column."""
    layer = net.layers[k] if k else None
    return f"layer {k} ({DRAWING[layer.kind if layer else 'input'].heading(layer)}): {shape_name(net.shapes[k])}"


def heading_x(net, layout, k):
    if not layout.maps[k]:
        return layout.x[k]
    cols = net.shapes[k][2] + 2 * layout.pad[k]
    return layout.x[k] + cols * layout.cell[k] / 2


def explanation(pass_):
    """The line under the title: what the numbers in the picture are."""
    if pass_ == "forward":
        return ("forward: A[k][c][y][x] = B[k][c] + sum_{c',u,v} K[k][c][c'][u][v]*H[k-1][c'][s*y+u-p][s*x+v-p], "
                "H = f(A) in the cells; pooling keeps each window's max (outlined)")
    if pass_ == "backward":
        return ("backward: back and delta in the cells, dK[k][c][c'][u][v] in the kernels, dB[k][c] under them; "
                "max pooling sends each delta back to its window's max")
    if pass_ == "update":
        return "after one SGD step: K - eta*dK in the kernels, B - eta*dB under them, W - eta*dW on the edges"
    return "K[k][c][c'][u][v] in the kernels, B[k][c] under them, W[k][j][i] on the edges"


# ---- cells of feature maps

def cell_values(layout, computed, pass_, k):
    """[(name, maps)] written in the cells of map layer k, top to bottom; the last one shades the cell.

    maps is the engine's one list of the layer's nodes, such as v.A[k]: cell (c, y, x) is maps[node_index(...)].
    """
    if computed is None:
        return []
    v = computed.v
    if pass_ == "forward":
        return ([("A", v.A[k])] if layout.drawing[k].kernels else []) + [("H", v.H[k])]
    if pass_ == "backward" and k > 0:
        return [("back", v.back[k]), ("delta", v.delta[k])]
    return []


def maps_parts(net, layout, computed, pass_, k, prefix):
    """The drawn channels of map layer k: their cells, the padding ring, and a count of the channels left out."""
    values = cell_values(layout, computed, pass_, k)
    C, rows, cols = net.shapes[k]
    shade = values[-1][1] if values else None
    # the drawn channels are the first ones: their nodes the first shown*rows*cols of the list
    reach = max([abs(h) for h in shade[:layout.shown[k] * rows * cols]] + [0.0]) if shade else 0.0
    p = layout.pad[k]
    parts = []
    for c in range(layout.shown[k]):
        left, top, _ = layout.cell_box(k, c, -p, -p)
        parts.append(svg.text(left, top - 6, f"[{k}][{c}]", font_size=11, fill="#777777", class_="name"))
        cells = [map_cell(layout, values, reach, k, c, y, x, prefix) for y in range(rows) for x in range(cols)]
        ring = [pad_cell(layout, k, c, Y, X, prefix) for Y in range(rows + 2 * p) for X in range(cols + 2 * p)
                if not (p <= Y < rows + p and p <= X < cols + p)]
        parts.append(svg.group(ring + cells, class_="map", id=f"{prefix}maps-{k}-{c}"))
    if layout.shown[k] < C:
        left, top, _ = layout.cell_box(k, layout.shown[k] - 1, rows + p, -p)
        parts.append(svg.text(left, top + 16, f"and {C - layout.shown[k]} more channels", font_size=11,
                              class_="more", data_rest=C - layout.shown[k]))
    return parts


def map_cell(layout, values, reach, k, c, y, x, prefix):
    """Cell (c, y, x) of map layer k: a square shaded by its value, the values written in it (or in its title)."""
    left, top, side = layout.cell_box(k, c, y, x)
    i = node_index(layout.shapes[k], c, y, x)
    lines = [(name, f"{name} = {num(maps[i])}") for name, maps in values]
    fill = svg.diverging(values[-1][1][i] / reach) if values and reach else "#ffffff"
    parts = [svg.rect(left, top, side, side, fill, stroke="#999999", stroke_width=0.5)]
    name = f"[{k}][{c}][{y}][{x}]"
    parts.append(svg.element("title", escape(" ".join(f"{n}{name} = {text.split(' = ')[1]}" for n, text in lines)
                                                 or name)))
    if layout.labelled:
        ink = "white" if svg.darkness(fill) > 0.5 else INK
        for n, (key, line) in enumerate(lines):
            dy = 12 * (n - (len(lines) - 1) / 2)
            parts.append(svg.text(left + side / 2, top + side / 2 + dy + 4, line, text_anchor="middle", class_=key,
                                  fill=ink, font_size=draw.fitting(line, side - 4, 10.0)))
    return svg.group(parts, class_="cell", id=f"{prefix}cell-{k}-{c}-{y}-{x}")


def pad_cell(layout, k, c, Y, X, prefix):
    """Cell (Y, X) of the zero padding around channel c of layer k, counted from the padded corner."""
    p = layout.pad[k]
    left, top, side = layout.cell_box(k, c, Y - p, X - p)
    parts = [svg.rect(left, top, side, side, PAD_FILL, stroke="#bbbbbb", stroke_width=0.5)]
    if layout.labelled:
        parts.append(svg.text(left + side / 2, top + side / 2 + 4, "0", text_anchor="middle", fill="#888888"))
    return svg.group(parts, class_="pad", id=f"{prefix}pad-{k}-{c}-{Y}-{X}")


# ---- what each kind of layer adds: the one table of the module, DRAWING at the end

def input_parts(net, layout, computed, T, pass_, k, prefix):
    """Layer 0: the input x as maps H[0][c][y][x], or as a column of nodes H[0][j] (an MLP with dropout)."""
    if layout.maps[k]:
        return maps_parts(net, layout, computed, pass_, k, prefix)
    return nodes_parts(net, layout, computed, pass_, k, prefix)


def conv_parts(net, layout, computed, T, pass_, k, prefix):
    """A convolution: its kernels (K, dK or the new K), their biases under them, then its maps."""
    return kernel_parts(net, layout, computed, pass_, k, prefix) + maps_parts(net, layout, computed, pass_, k, prefix)


def kernel_value(net, computed, pass_, k, c, c2, u, v):
    """(name, value, text) of weight (u, v) of kernel c for input channel c' (c2): K, dK or the new K."""
    i = net.layers[k].weight_index(c2, u, v)  # K[k][c][c'][u][v] is K[c][i] of the layer's lists
    K = net.layers[k].K[c][i]
    if pass_ == "backward":
        dK = computed.g.dW[k][c][i]
        return "dK", dK, num(dK)
    if pass_ == "update":
        new = computed.stepped.layers[k].K[c][i]
        return "K", new, moved(K, new)
    return "K", K, num(K)


def bias_text(net, computed, pass_, k, c):
    """(name, text) under kernel c: B[k][c], dB[k][c] or the new B[k][c]."""
    if pass_ == "backward":
        return "dB", f"dB[{k}][{c}] = {num(computed.g.dB[k][c])}"
    if pass_ == "update":
        return "B", f"B[{k}][{c}] = {moved(net.B[k][c], computed.stepped.B[k][c])}"
    return "B", f"B[{k}][{c}] = {num(net.B[k][c])}"


def kernel_parts(net, layout, computed, pass_, k, prefix):
    """Kernel c of conv layer k as a column of size x size grids, one per drawn input channel c'."""
    layer = net.layers[k]
    size, shown_in = layer.size, layout.shown[k - 1]
    index = [(c, c2, u, v) for c in range(layout.shown[k]) for c2 in range(shown_in)
             for u in range(size) for v in range(size)]
    reach = max([abs(kernel_value(net, computed, pass_, k, *at)[1]) for at in index] + [0.0])
    parts = []
    for c in range(layout.shown[k]):
        left, top, side = layout.kernel_box(k, c, 0, 0, 0)
        name = "dK" if pass_ == "backward" else "K"
        parts.append(svg.text(left, top - 6, f"{name}[{k}][{c}]", font_size=11, font_weight="bold", class_="name"))
        cells = [kernel_cell(net, layout, computed, pass_, reach, (k, c, c2, u, v), prefix)
                 for c2 in range(shown_in) for u in range(size) for v in range(size)]
        parts.append(svg.group(cells, class_="kernels", id=f"{prefix}kernel-{k}-{c}"))
        _, bottom, _ = layout.kernel_box(k, c, shown_in - 1, size, 0)
        key, text = bias_text(net, computed, pass_, k, c)
        parts.append(svg.text(left, bottom + 16, text, font_size=11, class_=key, id=f"{prefix}bias-{k}-{c}"))
        if shown_in < net.shapes[k - 1][0]:
            parts.append(svg.text(left, bottom + 30, f"and {net.shapes[k - 1][0] - shown_in} more c'", font_size=10,
                                  fill="#777777"))
    if layout.shown[k] < layer.channels:
        left, top, side = layout.kernel_box(k, layout.shown[k] - 1, 0, 0, 0)
        parts.append(svg.text(left, top - 20, f"and {layer.channels - layout.shown[k]} more kernels", font_size=11,
                              class_="more", data_rest=layer.channels - layout.shown[k]))
    return parts


def kernel_cell(net, layout, computed, pass_, reach, at, prefix):
    """Weight K[k][c][c'][u][v] (or its dK, or its new value) of at = (k, c, c', u, v), shaded by its value."""
    k, c, c2, u, v = at
    name, value, text = kernel_value(net, computed, pass_, *at)
    left, top, side = layout.kernel_box(*at)
    fill = svg.diverging(value / reach) if reach else "#ffffff"
    parts = [svg.rect(left, top, side, side, fill, stroke="#666666", stroke_width=0.8),
             svg.element("title", escape(f"{name}[{k}][{c}][{c2}][{u}][{v}] = {text}"))]
    if layout.labelled:
        parts.append(svg.text(left + side / 2, top + side / 2 + 4, text, text_anchor="middle", class_=name,
                              fill="white" if svg.darkness(fill) > 0.5 else INK,
                              font_size=draw.fitting(text, side - 4, 11.0)))
    return svg.group(parts, class_="kernel", id=f"{prefix}kernel-{k}-{c}-{c2}-{u}-{v}")


def maxpool_parts(net, layout, computed, T, pass_, k, prefix):
    return pool_parts(net, layout, computed, pass_, k, prefix, routes=computed is not None)


def avgpool_parts(net, layout, computed, T, pass_, k, prefix):
    return pool_parts(net, layout, computed, pass_, k, prefix, routes=False)


def pool_parts(net, layout, computed, pass_, k, prefix, routes):
    """A pooling layer: its maps, each window outlined on the maps it reads (values written only), and, with
    routes (max pooling), the input each output came from (memory[k][i] = j, its index in H[k-1]), the route
    its delta takes."""
    layer = net.layers[k]
    parts = maps_parts(net, layout, computed, pass_, k, prefix)
    _, rows, cols = net.shapes[k]
    windows, arrows = [], []
    for c in range(layout.shown[k]):
        for y in range(rows):
            for x in range(cols):
                left, top, side = layout.window_box(k - 1, c, layer.stride * y, layer.stride * x, layer.size)
                if layout.labelled:  # on a model's small cells, the windows would hide the maps
                    windows.append(svg.rect(left + 1.5, top + 1.5, side - 3, side - 3, "none", stroke=ROUTE,
                                            stroke_width=1.5, stroke_dasharray="5 3", class_="window",
                                            id=f"{prefix}window-{k - 1}-{c}-{layer.stride * y}-"
                                               f"{layer.stride * x}-{layer.size}"))
                if routes:
                    arrows.append(route(layout, computed, pass_, layer, k, c, y, x, prefix))
    return parts + [svg.group(windows, class_="windows"), svg.group(arrows, class_="routes")]


def route(layout, computed, pass_, layer, k, c, y, x, prefix):
    """The outline of the maximum of window (c, y, x) of max pooling layer k and, with values written,
    an arrow between it and output cell (c, y, x): forward from the maximum, backward to it."""
    _, y2, x2 = maximum(layer, computed, k, c, y, x)
    left, top, side = layout.cell_box(k - 1, c, y2, x2)
    inset, width = (3, 2.5) if layout.labelled else (1, 1)
    parts = [svg.rect(left + inset, top + inset, side - 2 * inset, side - 2 * inset, "none", stroke=INK,
                      stroke_width=width)]
    if layout.labelled and pass_ in ("forward", "backward"):
        out_left, out_top, out_side = layout.cell_box(k, c, y, x)
        start, end = (left + side - 4, top + side / 2), (out_left + 2, out_top + out_side / 2)
        if pass_ == "backward":
            start, end = (end[0], end[1] + 6), (start[0], start[1] + 6)
        parts.append(svg.line(*start, *end, ROUTE, stroke_width=1.2, opacity=0.7, marker_end="url(#arrow-zero)"))
    return svg.group(parts, class_="route", id=f"{prefix}route-{k}-{c}-{y}-{x}", data_from=f"{c}-{y2}-{x2}")


def maximum(layer, computed, k, c, y, x):
    """(c, y', x') of the input of layer k-1 that was the maximum of max pooling layer k's window (c, y, x):
    the sample's memory[k][i] = j, its index in H[k-1], placed in the maps."""
    j = computed.v.memory[k][node_index(layer.shape, c, y, x)]
    return node_place(layer.in_shape, j)


def flatten_parts(net, layout, computed, T, pass_, k, prefix):
    """Flatten: a column of nodes, node i named by the cell it came from, i = (c*rows + y)*cols + x."""
    parts = []
    for i in range(layout.shown[k]):
        c, y, x = node_place(net.shapes[k - 1], i)
        source = f"= [{k - 1}][{c}][{y}][{x}]"
        lines = [line for line in draw.node_lines(net, computed, pass_, k, i) if line[0] != "A"]  # A = H here
        parts.append(flat_node(layout, k, i, lines, None, source, prefix))
        if layout.labelled and c < layout.shown[k - 1]:
            left, top, side = layout.cell_box(k - 1, c, y, x)
            parts.insert(0, svg.line(left + side / 2, top + side / 2, layout.x[k] - layout.r - 2, layout.y[k][i],
                                     "#999999", stroke_width=0.8, opacity=0.6, class_="flatten"))
    return parts + more(net, layout, k)


def dense_parts(net, layout, computed, T, pass_, k, prefix):
    """A dense layer, as draw.py draws it: an arrow per weight from the drawn nodes of layer k-1, its nodes."""
    edges = [(j, i) for j in range(layout.shown[k]) for i in range(layout.shown[k - 1])]
    labelled = layout.labelled and len(edges) <= draw.LABELLED * draw.LABELLED and layout.shown[k - 1] <= draw.LABELLED
    reach = max([abs(draw.edge_value(net, computed, pass_, k, j, i)[0]) for j, i in edges] + [0.0])
    lines, values = [], []
    for j, i in edges:
        value, label = draw.edge_value(net, computed, pass_, k, j, i)
        start, end = layout.edge_ends(k, j, i)
        if pass_ == "backward":
            start, end = end, start
        sign = "positive" if value > 0 else "negative" if value < 0 else "zero"
        name = "dW" if pass_ == "backward" else "W"
        lines.append(svg.element("line", svg.element("title", f"{name}[{k}][{j}][{i}] = {label}"),
                                 x1=float(start[0]), y1=float(start[1]), x2=float(end[0]), y2=float(end[1]),
                                 stroke={"positive": draw.POSITIVE, "negative": draw.NEGATIVE,
                                         "zero": draw.ZERO}[sign],
                                 stroke_width=0.8 + 4.2 * abs(value) / (reach or 1.0), marker_end=f"url(#arrow-{sign})",
                                 class_="edge", id=f"{prefix}edge-{k}-{j}-{i}"))
        if labelled:
            fraction = (i + 1) / (layout.shown[k - 1] + 1)
            x = layout.x[k - 1] + fraction * (layout.x[k] - layout.x[k - 1])
            y = layout.y[k - 1][i] + fraction * (layout.y[k][j] - layout.y[k - 1][i])
            values.append(svg.text(x, y + 4, label, text_anchor="middle", font_size=11, class_="value",
                                   id=f"{prefix}value-{k}-{j}-{i}", stroke="white", stroke_width=3,
                                   paint_order="stroke"))
    parts = [svg.group(lines, class_="edges"), svg.group(values, class_="values")]
    for j in range(layout.shown[k]):
        target = f"T = {num(T[j])}" if pass_ in ("forward", "backward") and k == net.L and T is not None else None
        parts.append(flat_node(layout, k, j, draw.node_lines(net, computed, pass_, k, j),
                               draw.under_line(net, computed, pass_, k, j), target, prefix))
    return parts + more(net, layout, k)


def flat_node(layout, k, j, lines, under, side_text, prefix):
    """Node j of flat layer k: its circle, its name above, its values inside, under it its bias, beside it
    side_text (where a flattened node came from, or the target T)."""
    x, y, r = layout.x[k], layout.y[k][j], layout.r
    parts = [svg.circle(x, y, r, "white", stroke="#444444", stroke_width=1.5, class_="node"),
             svg.text(x, y - r - 5, f"[{k}][{j}]", text_anchor="middle", font_size=10, fill="#777777",
                      class_="name")]
    for n, (name, line) in enumerate(lines):
        dy = 12 * (n - (len(lines) - 1) / 2)
        parts.append(svg.text(x, y + dy + 4, line, text_anchor="middle", class_=name,
                              font_size=draw.fitting(line, 2 * r - 6, 10.0)))
    if lines and not layout.labelled:
        parts.append(svg.element("title", escape("; ".join(line for _, line in lines))))
    if under:
        parts.append(svg.text(x, y + r + 13, under[1], text_anchor="middle", font_size=10, class_=under[0]))
    if side_text:
        parts.append(svg.text(x + r + 6, y + 4, side_text, font_size=10, class_="T" if side_text[0] == "T" else
                              "source"))
    return svg.group(parts, class_="node", id=f"{prefix}node-{k}-{j}")


def more(net, layout, k):
    """Three dots under a flat layer cut short, and how many nodes are left out."""
    if layout.shown[k] == net.sizes[k]:
        return []
    x, y = layout.x[k], layout.y[k][-1]
    rest = net.sizes[k] - layout.shown[k]
    dots = [svg.circle(x, y - 12 + 12 * n, 2.5, "#444444") for n in range(3)]
    return [svg.group(dots + [svg.text(x, y + 26, f"and {rest:,} more", text_anchor="middle", font_size=11)],
                      class_="more", data_rest=rest)]


def dropout_parts(net, layout, computed, T, pass_, k, prefix):
    """Dropout: the maps or nodes of the layer below, each multiplied by its mask (0 for a dropped one, else
    1/(1-P)); an arrow joins each node to the one it masks."""
    if layout.maps[k]:
        return maps_parts(net, layout, computed, pass_, k, prefix)
    parts = []
    for j in range(min(layout.shown[k], layout.shown[k - 1])):
        start, end = (layout.x[k - 1] + layout.r + 2, layout.y[k - 1][j]), (layout.x[k] - layout.r - 2, layout.y[k][j])
        parts.append(svg.line(*start, *end, "#999999", stroke_width=0.8, opacity=0.6, class_="mask"))
    return parts + nodes_parts(net, layout, computed, pass_, k, prefix)


def nodes_parts(net, layout, computed, pass_, k, prefix):
    """The drawn nodes of flat layer k with their values, nothing under or beside them, and a count of the rest."""
    return [flat_node(layout, k, j, draw.node_lines(net, computed, pass_, k, j), None, None, prefix)
            for j in range(layout.shown[k])] + more(net, layout, k)


# ---- which drawn parts an output cell of a layer reads, for a trace page's highlights (see highlight)

def conv_window(layer, computed, k, c, y, x):
    """Its window on every input channel, and kernel c. window-k-c-Y-X-n counts Y and X from the padded corner
    (s*y - p + p)."""
    s, size = layer.stride, layer.size
    return [f"window-{k - 1}-{c2}-{s * y}-{s * x}-{size}" for c2 in range(layer.in_shape[0])] + [f"kernel-{k}-{c}"]


def maxpool_window(layer, computed, k, c, y, x):
    """Its window on channel c, and the window's maximum, where the sample's memory[k] says it was."""
    _, y2, x2 = maximum(layer, computed, k, c, y, x)
    return avgpool_window(layer, computed, k, c, y, x) + [f"cell-{k - 1}-{c}-{y2}-{x2}"]


def avgpool_window(layer, computed, k, c, y, x):
    """Its window on channel c."""
    s, size = layer.stride, layer.size
    return [f"window-{k - 1}-{c}-{s * y}-{s * x}-{size}"]


class Drawing(NamedTuple):
    """How this module draws one kind of layer (and the input, "input").

    parts(net, layout, computed, T, pass_, k, prefix)   the SVG parts of layer k
    heading(layer)   what the heading of its column says of it: 'conv, relu' in 'layer 1 (conv, relu): 2x3x3'
    kernels          True for a convolution: its kernels K and biases B stand in front of its maps, its
                     padding around the maps it reads, A and H in its cells, its first cell worked out
    bias_under       True if its nodes have their bias written under them (more room between the nodes)
    window(layer, computed, k, c, y, x)   the ids of the drawn parts output cell (c, y, x) reads; None: none
    """
    parts: Callable
    heading: Callable
    kernels: bool = False
    bias_under: bool = False
    window: Optional[Callable] = None


def input_heading(layer):
    return "input"


def conv_heading(layer):
    return f"conv, {layer.activation}"


def activation_heading(layer):
    return layer.activation


def kind_heading(layer):
    return layer.kind


# The drawing per kind of layer (nnloop.layers.KINDS), and of the input: a new kind is one row here.
DRAWING = {
    "input": Drawing(input_parts, input_heading),
    "conv": Drawing(conv_parts, conv_heading, kernels=True, window=conv_window),
    "maxpool": Drawing(maxpool_parts, kind_heading, window=maxpool_window),
    "avgpool": Drawing(avgpool_parts, kind_heading, window=avgpool_window),
    "flatten": Drawing(flatten_parts, kind_heading),
    "dense": Drawing(dense_parts, activation_heading, bias_under=True),
    "dropout": Drawing(dropout_parts, kind_heading),
}


# ---- the textbook's worked cell

def worked_cell(net, layout, computed, k, prefix):
    """Output cell (0, 0, 0) of conv layer k worked out: its window outlined on every input channel (the
    padding included), kernel 0 and the cell outlined, and under the picture the products of each
    channel's window and kernel, their sums, the bias and the result, as the engine computed it."""
    layer, v = net.layers[k], computed.v
    size, p = layer.size, layer.padding
    outline = dict(fill="none", stroke=WORKED, stroke_width=3, class_="worked")
    parts = []
    for c2 in range(layout.shown[k - 1]):
        left, top, side = layout.window_box(k - 1, c2, -p, -p, size)  # from the padded corner
        parts.append(svg.rect(left, top, side, side, **outline))
        parts.append(svg.rect(*layout.kernel_box(k, 0, c2, 0, 0)[:2], size * layout.kcell[k],
                              size * layout.kcell[k], **outline))
    left, top, side = layout.cell_box(k, 0, 0, 0)
    parts.append(svg.rect(left, top, side, side, **outline))
    H_prev, shape_prev = v.H[k - 1], net.shapes[k - 1]
    lines = [f"The cell A[{k}][0][0][0], worked out: window times kernel 0, channel by channel "
             f"(the padding reads 0), then the bias B[{k}][0]:"]
    sums = []
    for c2 in range(shape_prev[0]):
        products, total = [], 0.0
        for u in range(size):
            for w in range(size):
                y2, x2 = u - p, w - p
                inside = 0 <= y2 < shape_prev[1] and 0 <= x2 < shape_prev[2]
                h = H_prev[node_index(shape_prev, c2, y2, x2)] if inside else 0.0
                K = layer.K[0][layer.weight_index(c2, u, w)]  # K[k][0][c'][u][v]
                products.append(f"{factor(K)}*{factor(h)}")
                total += K * h
        sums.append(total)
        lines.append(f"  c' = {c2}:  sum_{{u,v}} K[{k}][0][{c2}][u][v]*H[{k - 1}][{c2}][u-{p}][v-{p}] = "
                     + " + ".join(products) + f" = {num(total)}")
    a = v.A[k][0]  # node (0, 0, 0), the first of the list
    lines.append(f"  A[{k}][0][0][0] = B[{k}][0] + " + " + ".join(f"(c' = {c2})" for c2 in range(len(sums)))
                 + f" = {num(layer.B[0])} + " + " + ".join(factor(s) for s in sums) + f" = {num(a)}")
    lines.append(f"  H[{k}][0][0][0] = {layer.activation}(A[{k}][0][0][0]) = {layer.activation}({num(a)}) = "
                 f"{num(v.H[k][0])}")
    parts += [svg.text(15 if n == 0 else 35, layout.notes_y + 16 * n, line.strip(), font_size=12,
                       font_family="monospace", class_="worked-line") for n, line in enumerate(lines)]
    return parts


# ---- a trace page's highlights

def highlight(layout, targets, prefix=""):
    """(under, over): the parts that mark targets, the first (what a step computes) ringed, the others glowing.

    targets are ids of the drawing, and windows on the maps:
        cell-k-c-y-x, maps-k-c, kernel-k-c-c'-u-v, kernel-k-c, bias-k-c, node-k-j, edge-k-j-i
        window-k-c-Y-X-n   the n x n window whose top left is (Y, X) of channel c of layer k, padding included
    Targets that are not drawn (a channel or node left out) are skipped.
    """
    under, over = [], []
    for n, target in enumerate(targets):
        colour = draw.RING if n == 0 else draw.GLOW
        part, *index = target.split("-")
        index = [int(i) for i in index]
        mark = dict(class_="highlight", data_target=prefix + target)
        if part == "edge":
            k, j, i = index
            if j < layout.shown[k] and i < layout.shown[k - 1]:
                (x1, y1), (x2, y2) = layout.edge_ends(k, j, i)
                under.append(svg.line(x1, y1, x2, y2, draw.GLOW, stroke_width=14, stroke_linecap="round", **mark))
        elif part == "node":
            k, j = index
            if j < layout.shown[k]:
                over.append(svg.circle(layout.x[k], layout.y[k][j], layout.r + 6, "none", stroke=colour,
                                       stroke_width=4, **mark))
        else:
            over += [svg.rect(left - 2, top - 2, width + 4, height + 4, "none", stroke=colour, stroke_width=4, **mark)
                     for left, top, width, height in boxes(layout, part, index)]
    return under, over


def boxes(layout, part, index):
    """[(left, top, width, height)] of the drawn parts of a target (see highlight): none if not drawn."""
    k, c = index[0], index[1]
    if c >= layout.shown[k]:
        return []
    if part == "cell":
        left, top, side = layout.cell_box(k, *index[1:])
        return [(left, top, side, side)]
    if part == "window":
        p = layout.pad[k]
        left, top, side = layout.window_box(k, c, index[2] - p, index[3] - p, index[4])
        return [(left, top, side, side)]
    if part == "maps":
        p, (_, rows, cols) = layout.pad[k], layout.shapes[k]
        left, top, side = layout.cell_box(k, c, -p, -p)
        return [(left, top, (cols + 2 * p) * side, (rows + 2 * p) * side)]
    if part == "bias":
        left, bottom, _ = layout.kernel_box(k, c, layout.shown[k - 1] - 1, layout.size[k], 0)
        return [(left - 2, bottom + 2, layout.size[k] * layout.kcell[k], 18)]
    inputs = [index[2]] if len(index) > 2 else range(layout.shown[k - 1])  # kernel-k-c: every grid of kernel c
    found = []
    for c2 in inputs:
        if c2 < layout.shown[k - 1]:
            left, top, side = layout.kernel_box(k, c, c2, *(index[3:] or [0, 0]))
            grid = side if len(index) > 2 else layout.size[k] * side
            found.append((left, top, grid, grid))
    return found
