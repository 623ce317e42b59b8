"""nnloop draw and nnloop trace --html: the drawing holds a circle per node, an arrow per weight, and the trace's values."""
import glob
import os
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, assert_refused, run_nnloop

from nnloop import cli
from nnloop.files import modelfile
from nnloop.network import Network
from nnloop.tools import spec
from nnloop.tools.trace import trace

EXAMPLES = [path for path in sorted(glob.glob(os.path.join(ROOT, "data", "examples", "*.json")))
            if not os.path.basename(path).startswith("conv-")]  # draw shows fully connected networks
WORKED = os.path.join(ROOT, "data", "examples", "worked-relu.json")
SVG = "{http://www.w3.org/2000/svg}"


def drawing(tmp_path, path, *options):
    """The parsed SVG of `nnloop draw path options`."""
    out = tmp_path / "net.svg"
    assert cli.main(["draw", path, "-o", str(out), *options]) == 0
    return ET.parse(out).getroot()


def by_id(root):
    return {element.get("id"): element for element in root.iter() if element.get("id")}


def trace_values(path):
    """{name: the text of its value} for every trace line 'name = ... = value' naming one node or parameter."""
    s = spec.read(path)
    found = {}
    for section in trace(s.net, s.x, s.T, s.eta, optimizer=s.optimizer):
        for line in (part.strip() for line in section.lines for part in line.splitlines()):  # optimizer steps: several lines
            m = re.match(r"(A|H|delta|back|dB|dW|W|B)\[(\d+)\]\[(\d+)\](?:\[(\d+)\])? = .* = (\S+)$", line)
            if m:
                name, k, j, i, value = m.groups()
                found[(name, int(k), int(j), None if i is None else int(i))] = value
    return s, found


def node_text(ids, k, j, cls):
    """The value in the text of class cls ("A = 11" -> "11") of node j of layer k."""
    texts = [t.text for t in ids[f"node-{k}-{j}"].iter(SVG + "text") if t.get("class") == cls]
    assert len(texts) == 1, (k, j, cls, texts)
    return texts[0].split(" = ")[1]


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_one_circle_per_node_and_one_edge_per_weight(tmp_path, path):
    net = spec.read(path).net
    root = drawing(tmp_path, path)
    circles = [c for c in root.iter(SVG + "circle") if c.get("class") == "node"]
    edges = [e for e in root.iter(SVG + "line") if e.get("class") == "edge"]
    assert len(circles) == sum(net.sizes)
    assert sorted(e.get("id") for e in edges) == sorted(
        f"edge-{k}-{j}-{i}" for k in range(1, net.L + 1) for j in range(net.sizes[k]) for i in range(net.sizes[k - 1]))
    ids = by_id(root)
    for k in range(1, net.L + 1):
        for j in range(net.sizes[k]):
            for i in range(net.sizes[k - 1]):
                w = net.W[k][j][i]
                edge = ids[f"edge-{k}-{j}-{i}"]
                assert edge.get("stroke") == ("#b2182b" if w > 0 else "#2166ac" if w < 0 else "#bbbbbb")
                assert float(ids[f"value-{k}-{j}-{i}"].text) == w


def test_thicker_edges_carry_larger_weights(tmp_path):
    root = drawing(tmp_path, os.path.join(ROOT, "data", "examples", "softmax-3-4-3.json"))
    edges = [(abs(float(by_id(root)["value-" + e.get("id")[5:]].text)), float(e.get("stroke-width")))
             for e in root.iter(SVG + "line") if e.get("class") == "edge"]
    edges.sort()
    assert [width for _, width in edges] == sorted(width for _, width in edges)
    assert edges[0][1] < edges[-1][1]


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_every_value_of_the_trace_is_in_the_drawing(tmp_path, path):
    s, values = trace_values(path)
    passes = {name: by_id(drawing(tmp_path, path, "--pass", name)) for name in ("forward", "backward", "update")}
    forward, backward, update = passes["forward"], passes["backward"], passes["update"]
    step_lines = [n for n in values if n[0] in ("W", "B")]
    assert len(step_lines) == sum(s.net.sizes[k] * (s.net.sizes[k - 1] + 1) for k in range(1, s.net.L + 1))
    for (name, k, j, i), value in values.items():
        if name in ("A", "H"):
            assert node_text(forward, k, j, name) == value, (name, k, j)
        elif name in ("delta", "back", "dB"):
            assert node_text(backward, k, j, name) == value, (name, k, j)
        elif name == "dW":
            assert backward[f"value-{k}-{j}-{i}"].text == value, (name, k, j, i)
        elif name == "W":
            assert update[f"value-{k}-{j}-{i}"].text == value, (name, k, j, i)
        else:
            assert node_text(update, k, j, "B") == value, (name, k, j)
    for j, x in enumerate(s.x):  # H[0] = x
        assert float(node_text(forward, 0, j, "H")) == x


def test_the_loss_and_target_are_at_the_output(tmp_path):
    ids = by_id(drawing(tmp_path, WORKED, "--pass", "forward"))
    texts = [t.text for t in drawing(tmp_path, WORKED, "--pass", "forward").iter(SVG + "text")]
    assert "loss = 169" in texts and "T = 20" in texts
    assert node_text(ids, 1, 0, "A") == "11" and node_text(ids, 1, 1, "A") == "-14"


def test_the_drawing_shows_a_broken_engine_not_a_recalculation(tmp_path, monkeypatch):
    real_backward = Network.backward

    def backward_with_a_bug(self, v, T, g):
        real_backward(self, v, T, g)
        g.dW[2][0][0] += 1.0

    monkeypatch.setattr(Network, "backward", backward_with_a_bug)
    ids = by_id(drawing(tmp_path, WORKED, "--pass", "backward"))
    assert ids["value-2-0-0"].text == "287"


def test_an_mnist_model_shows_its_first_nodes_and_a_count_of_the_rest(tmp_path, small_mnist):
    model = str(tmp_path / "model.json")
    modelfile.save(Network([784, 100, 10], ["relu", "softmax"], "cross_entropy", seed=2), model)
    out = tmp_path / "mnist.svg"
    assert cli.main(["draw", model, "--pass", "forward", "--index", "3", "--data", small_mnist, "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    circles = [c.get("id") for c in root.iter(SVG + "g") if c.get("class") == "node"]
    assert circles == [f"node-0-{j}" for j in range(8)] + [f"node-1-{j}" for j in range(8)] + \
        [f"node-2-{j}" for j in range(10)]
    assert sorted(int(g.get("data-rest")) for g in root.iter(SVG + "g") if g.get("class") == "more") == [92, 776]
    assert len([e for e in root.iter(SVG + "line") if e.get("class") == "edge"]) == 8 * 8 + 8 * 10
    assert not [t for t in root.iter(SVG + "text") if t.get("class") == "value"]  # too many to read
    assert os.path.getsize(out) < 60_000


def test_refusals_are_one_line(tmp_path):
    assert_refused(run_nnloop("draw", tmp_path / "none.json", "-o", tmp_path / "x.svg"), "none.json")
    assert_refused(run_nnloop("draw", WORKED, "--index", 3, "-o", tmp_path / "x.svg"), "--index")
    assert_refused(run_nnloop("draw", WORKED, "--pass", "sideways"), "--pass")
    (tmp_path / "afile").write_text("in the way of a directory")
    assert_refused(run_nnloop("draw", WORKED, "-o", tmp_path / "afile" / "x.svg"), "cannot create the directory")
    assert_refused(run_nnloop("trace", WORKED, "--html", tmp_path / "afile" / "x.html"), "afile is a file")
    assert_refused(run_nnloop("trace", WORKED, "--html", tmp_path / "x.html", "--format", "markdown"), "--format")
    assert not os.path.exists(tmp_path / "x.svg") and not os.path.exists(tmp_path / "x.html")


def test_the_readme_pictures_sit_beside_real_trace_lines():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = readme.split("## The network drawn", 1)[1].split("\n## ", 1)[0]
    for image in ("data/images/draw-forward.png", "data/images/draw-backward.png"):
        assert f"]({image})" in section
        assert os.path.getsize(os.path.join(ROOT, image)) < 60_000
    printed = run_nnloop("trace", "data/examples/worked-relu.json", cwd=ROOT).stdout.splitlines()
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)
    excerpts = [line for block in blocks for line in block.splitlines() if re.match(r"(A|H|delta|back|dW|loss)", line)]
    assert len(excerpts) >= 12
    for line in excerpts:
        assert "  " + line in printed, line


@pytest.mark.parametrize("layers, shape", [("dropout0.2,dense6", (1, 28, 28)), ("dense6,dropout0.5", (1, 28, 28)),
                                           ("conv2x5,dropout0.3,maxpool2,dense6", (1, 28, 28)),
                                           ("dense6,dropout0.5", 784)])  # an MLP trained with --dropout
def test_networks_with_dropout_layers_are_drawn_paged_and_reported(tmp_path, small_mnist, layers, shape):
    from nnloop import architecture
    from nnloop.files import modelfile
    model = tmp_path / "m.json"
    net = architecture.build(architecture.parse(layers), shape, 10, seed=1)
    modelfile.save(net, str(model))
    for argv in (["draw", model, "--pass", "backward", "-o", tmp_path / "d.svg"],
                 ["trace", model, "--html", tmp_path / "t.html"],
                 ["report", model, "-o", tmp_path / "r.html"]):
        result = run_nnloop(*argv, "--data", small_mnist)
        assert result.returncode == 0, (argv, result.stderr)
    k = next(k for k in range(1, net.L + 1) if net.layers[k].kind == "dropout")
    ids = [g.get("id") or "" for g in ET.parse(tmp_path / "d.svg").getroot().iter(SVG + "g")]
    assert any(i.startswith((f"node-{k}-", f"cell-{k}-")) for i in ids)  # the dropout layer's nodes or cells
    first = next(k for k in range(1, net.L + 1) if net.layers[k].WEIGHTS)
    report = (tmp_path / "r.html").read_text()
    assert f"layer {first} look for" in report  # the first weighted layer's section, past a dropout before it
    assert ('id="maps"' in report) == (shape != 784)  # a section of feature maps only where there are maps
