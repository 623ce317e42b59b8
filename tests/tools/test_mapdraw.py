"""Convnets drawn (nnloop draw, trace --html, notebooks): a cell per node of a feature map, a cell per kernel
weight, pooling windows and routes, and every value the trace prints for what is drawn."""
import os
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from nnloop import architecture, cli
from nnloop.files import modelfile
from nnloop.network import NodeValues
from nnloop.tools import spec
from nnloop.tools.trace import trace

CONV_EXAMPLES = [os.path.join(ROOT, "data", "examples", name) for name in ("conv-worked.json", "conv-strided.json")]
SVG = "{http://www.w3.org/2000/svg}"
# A trace line naming one value: name[indices] = ... = value
VALUE_LINE = re.compile(r"(A|H|delta|back|dB|dW|dK|W|K|B)((?:\[\d+\])+) = .* = (\S+)$")


def drawing(tmp_path, path, *options):
    """The parsed SVG of `nnloop draw path options`."""
    out = tmp_path / "net.svg"
    assert cli.main(["draw", str(path), "-o", str(out), *options]) == 0
    return ET.parse(out).getroot()


def by_id(root):
    return {element.get("id"): element for element in root.iter() if element.get("id")}


def texts(element, cls=None):
    """The texts of class cls (any, if None) inside element, its titles included."""
    return [e.text for e in element.iter() if e.tag in (SVG + "text", SVG + "title") and e.text
            and (cls is None or e.get("class") == cls or e.tag == SVG + "title")]


def trace_values(net, x, T, eta, top=None):
    """[(name, indices, value text)] of every trace line naming one value."""
    found = []
    for section in trace(net, x, T, eta, top=top):
        for line in section.lines:
            m = VALUE_LINE.match(line)
            if m:
                found.append((m.group(1), [int(i) for i in re.findall(r"\d+", m.group(2))], m.group(3)))
    return found


def where(net, name, index):
    """(pass, id, what its text must hold) of the drawn element that shows name[index]."""
    k, rest = index[0], index[1:]
    kind = net.layers[k].kind if k else "input"
    pass_ = {"A": "forward", "H": "forward", "K": "update", "B": "update", "W": "update"}.get(name, "backward")
    written = f"{name}{''.join(f'[{i}]' for i in index)} = "
    if name in ("K", "dK") or (name in ("W", "dW") and kind == "conv"):
        return pass_, "kernel-" + "-".join(map(str, index)), "K" if name == "W" else "dK" if name == "dW" else name
    if name in ("B", "dB") and kind == "conv":
        return pass_, f"bias-{k}-{rest[0]}", written
    if name in ("W", "dW"):
        return pass_, f"edge-{k}-{rest[0]}-{rest[1]}", written
    if len(rest) == 3:
        return pass_, "cell-" + "-".join(map(str, index)), name
    return pass_, f"node-{k}-{rest[0]}", name


def assert_shows(ids, cls, value, written, element_id):
    """The element shows value: as 'cls = value' in a text of its class, or as 'name[..] = value' in its title."""
    shown = texts(ids[element_id])
    if written.endswith(" = "):  # a bias under a kernel, or an edge's title: 'dB[1][0] = -0.5625'
        assert any(s == written + value or s.endswith(written[written.index("["):] + value) for s in shown) or \
            any(s.startswith(written[:-3]) and s.endswith(" = " + value) for s in shown), (element_id, value, shown)
        return
    assert any(s in (f"{cls} = {value}", value) or s.endswith(f" = {value}") or f" = {value};" in s
               for s in shown), (element_id, cls, value, shown)


@pytest.mark.parametrize("path", CONV_EXAMPLES, ids=os.path.basename)
def test_every_value_of_the_trace_is_in_the_convnet_drawing(tmp_path, path):
    s = spec.read(path)
    passes = {name: by_id(drawing(tmp_path, path, "--pass", name)) for name in ("forward", "backward", "update")}
    values = trace_values(s.net, s.x, s.T, s.eta)
    kinds = {name for name, _, _ in values}
    assert {"A", "H", "delta", "back", "dK", "K", "dB", "B", "dW", "W"} <= kinds
    for name, index, value in values:
        pass_, element_id, written = where(s.net, name, index)
        assert element_id in passes[pass_], (name, index)
        if written in ("K", "dK"):
            assert value in texts(passes[pass_][element_id], written), (name, index, value)
        else:
            assert_shows(passes[pass_], name, value, written, element_id)
    C, rows, cols = s.net.shapes[0]
    for c in range(C):  # H[0] = x, read as maps
        for y in range(rows):
            for x in range(cols):
                assert f"H = {s.x[(c * rows + y) * cols + x]:g}" in texts(passes["forward"][f"cell-0-{c}-{y}-{x}"], "H")


@pytest.mark.parametrize("path", CONV_EXAMPLES, ids=os.path.basename)
def test_a_cell_per_node_a_cell_per_kernel_weight_and_a_ring_of_padding(tmp_path, path):
    net = spec.read(path).net
    root = drawing(tmp_path, path, "--pass", "forward")
    cells = sorted(g.get("id") for g in root.iter(SVG + "g") if g.get("class") == "cell")
    assert cells == sorted(f"cell-{k}-{c}-{y}-{x}" for k in range(net.L + 1) if not isinstance(net.shapes[k], int)
                           for c in range(net.shapes[k][0]) for y in range(net.shapes[k][1])
                           for x in range(net.shapes[k][2]))
    kernels = [g.get("id") for g in root.iter(SVG + "g") if g.get("class") == "kernel"]
    conv = net.layers[1]
    assert len(kernels) == conv.channels * conv.in_shape[0] * conv.size ** 2
    pads = [g for g in root.iter(SVG + "g") if g.get("class") == "pad"]
    C, rows, cols = net.shapes[0]
    p = conv.padding
    assert len(pads) == C * ((rows + 2 * p) * (cols + 2 * p) - rows * cols)
    assert all(texts(g) == ["0"] for g in pads)
    dense = [e for e in root.iter(SVG + "line") if e.get("class") == "edge"]
    assert len(dense) == net.sizes[net.L] * net.sizes[net.L - 1]


def test_conv_strided_is_the_textbook_figure_its_first_cell_worked_out(tmp_path):
    path = CONV_EXAMPLES[1]
    s = spec.read(path)
    root = drawing(tmp_path, path, "--pass", "forward")
    lines = [t.text for t in root.iter(SVG + "text") if t.get("class") == "worked-line"]
    layer = s.net.layers[1]
    channel_sums = []
    for c2 in range(3):  # nine products per channel, the padding's zeros among them, and their sum
        line = next(line for line in lines if line.startswith(f"c' = {c2}:"))
        products = line.split(" = ")[-2].split(" + ")
        assert len(products) == 9
        window = [[0.0] * 3] + [[0.0] + s.x[c2 * 25 + y * 5:c2 * 25 + y * 5 + 2] for y in range(2)]  # padded corner
        kernel = layer.K[0][c2 * 9:(c2 + 1) * 9]  # K[1][0][c'][u][v], i = (c'*3 + u)*3 + v: kernel 0's list, a part
        assert products == [f"{kw:g}*{h:g}".replace("-1*", "(-1)*") for kw, h in
                            zip(kernel, (h for row in window for h in row))]
        channel_sums.append(float(line.split(" = ")[-1]))
    v = NodeValues(s.net)
    s.net.forward(s.x, v)
    total = next(line for line in lines if line.startswith("A[1][0][0][0] = B[1][0]"))
    a = v.A[1][0]  # A[1][0][0][0], the first node of the list
    assert total.endswith(f" = {a:g}") and abs(layer.B[0] + sum(channel_sums) - a) < 1e-12
    outlines = [r for r in root.iter(SVG + "rect") if r.get("class") == "worked"]
    assert len(outlines) == 3 + 3 + 1  # the window on each channel, each grid of kernel 0, the output cell


def test_max_pooling_shows_its_windows_and_where_each_delta_goes_back(tmp_path):
    root = drawing(tmp_path, CONV_EXAMPLES[0], "--pass", "backward")
    windows = sorted(r.get("id") for r in root.iter(SVG + "rect") if r.get("class") == "window")
    assert windows == sorted(f"window-1-0-{y}-{x}-2" for y in (0, 2) for x in (0, 2))
    routes = {g.get("id"): g.get("data-from") for g in root.iter(SVG + "g") if g.get("class") == "route"}
    # the README's maxima: H[1][0][1][1], H[1][0][1][2], H[1][0][3][1], H[1][0][3][3]
    assert routes == {"route-2-0-0-0": "0-1-1", "route-2-0-0-1": "0-1-2", "route-2-0-1-0": "0-3-1",
                      "route-2-0-1-1": "0-3-3"}
    ids = by_id(root)
    assert "back = 0.75" in texts(ids["cell-1-0-1-2"], "back") and "back = 0" in texts(ids["cell-1-0-0-0"], "back")
    flatten = [t.text for t in ids["node-3-2"].iter(SVG + "text") if t.get("class") == "source"]
    assert flatten == ["= [2][0][1][0]"]  # i = (c*rows + y)*cols + x = (0*2 + 1)*2 + 0


def test_an_mnist_convnet_shows_its_first_channels_and_a_count_of_the_rest(tmp_path, small_mnist):
    net = architecture.build(architecture.parse("conv8x5,maxpool2,dense12"), (1, 28, 28), classes=10, seed=0)
    model = str(tmp_path / "conv.json")
    modelfile.save(net, model)
    out = tmp_path / "conv.svg"
    assert cli.main(["draw", model, "--pass", "forward", "--index", "3", "--data", small_mnist, "-o", str(out)]) == 0
    assert os.path.getsize(out) < 900_000
    root = ET.parse(out).getroot()
    ids = by_id(root)
    maps = sorted(g.get("id") for g in root.iter(SVG + "g") if g.get("class") == "map")
    assert maps == ["maps-0-0", "maps-1-0", "maps-1-1", "maps-2-0", "maps-2-1"]
    rests = sorted(int(e.get("data-rest")) for e in root.iter() if e.get("class") == "more")
    # dense12 and flatten's 1152 nodes show 8; the 8 kernels, conv maps and pooled maps show 2 each
    assert rests == [4, 6, 6, 6, 1144]
    assert not [t for t in ids["cell-1-0-0-0"].iter(SVG + "text")]  # too small to write in: the values are in titles
    s = spec.load_subject(model, [3], small_mnist)
    (x, T), = s.samples
    checked = 0
    for name, index, value in trace_values(s.net, x, T, s.eta, top=6):
        if name in ("A", "H") and len(index) == 4 and index[1] < 2:  # a drawn channel's cell: in its title
            title = next(ids[f"cell-{'-'.join(map(str, index))}"].iter(SVG + "title")).text
            assert f"{name}{''.join(f'[{i}]' for i in index)} = {value}" in title
            checked += 1
    assert checked >= 6


def test_the_drawing_table_has_a_row_for_the_input_and_every_kind_of_layer():
    from nnloop.layers import KINDS
    from nnloop.tools.mapdraw import DRAWING
    assert set(DRAWING) == set(KINDS) | {"input"}
