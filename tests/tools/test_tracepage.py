"""nnloop.tools.tracepage: the trace as one page, a step per formula beside the diagram, what it computes
highlighted; the MLP's diagram from draw.py, a convnet's from mapdraw.py."""
import glob
import os
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from nnloop import architecture, cli
from nnloop.files import modelfile
from nnloop.network import Network
from nnloop.tools import spec
from nnloop.tools.trace import Section, render, trace
from nnloop.tools.tracepage import aligned, diagram_of, is_general, map_targets, steps, targets
from nnloop.tools.values import compute

EXAMPLES = [path for path in sorted(glob.glob(os.path.join(ROOT, "data", "examples", "*.json")))
            if not os.path.basename(path).startswith("conv-")]  # fully connected: drawn by draw.py
CONV_EXAMPLES = [os.path.join(ROOT, "data", "examples", name) for name in ("conv-worked.json", "conv-strided.json")]
WORKED = os.path.join(ROOT, "data", "examples", "worked-relu.json")
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def by_id(root):
    return {element.get("id"): element for element in root.iter() if element.get("id")}


def trace_page(tmp_path, path, *options):
    out = tmp_path / "trace.html"
    assert cli.main(["trace", str(path), "--html", str(out), *options]) == 0
    return ET.parse(out).getroot()


def highlighted(root, line_start):
    """The pass and targets (what the step computes first) highlighted in the step whose formula starts so."""
    for section in root.iter(XHTML + "section"):
        formula = next((e for e in section.iter(XHTML + "pre") if e.get("class") == "formula"), None)
        if formula is not None and formula.text.startswith(line_start):
            return section.get("data-pass"), [e.get("data-target") for e in section.iter()
                                               if e.get("class") == "highlight"]
    raise AssertionError(line_start)


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_the_page_has_a_step_per_trace_line_each_beside_its_diagram(tmp_path, path):
    s = spec.load_subject(path)
    (x, T), = s.samples
    lines = [line for section in trace(s.net, x, T, s.eta, about=s.about, optimizer=s.optimizer) for line in section.lines]
    root = trace_page(tmp_path, path)
    assert not list(root.iter(XHTML + "script"))
    sections = [e for e in root.iter(XHTML + "section") if e.get("class") == "step"]
    assert [e.get("id") for e in sections] == [f"step-{n}" for n in range(1, len(lines) + 1)]
    ids = by_id(root)
    for pass_ in ("forward", "backward", "update"):  # each diagram is drawn once, whole
        diagram = ids[f"diagram-{pass_}"]
        assert len([c for c in diagram.iter(SVG + "circle") if c.get("class") == "node"]) == sum(s.net.sizes)
        assert len([e for e in diagram.iter(SVG + "line") if e.get("class") == "edge"]) == sum(
            s.net.sizes[k] * s.net.sizes[k - 1] for k in range(1, s.net.L + 1))
    for n, (section, line) in enumerate(zip(sections, lines), start=1):
        formula = next(e for e in section.iter(XHTML + "pre") if e.get("class") == "formula")
        assert re.sub(r"\s+", " ", formula.text) == re.sub(r"\s+", " ", line)
        links = {a.text: a.get("href") for a in section.iter(XHTML + "a")}
        assert links.get("previous") == (f"#step-{n - 1}" if n > 1 else None)
        assert links.get("next") == (f"#step-{n + 1}" if n < len(lines) else None)
        use, = section.iter(SVG + "use")
        assert use.get("{http://www.w3.org/1999/xlink}href") == f"#diagram-{section.get('data-pass')}"
        for mark in section.iter():
            if mark.get("class") == "highlight":
                assert mark.get("data-target") in ids  # it marks a node or edge of the diagram


def test_each_step_highlights_what_it_computes(tmp_path):
    root = trace_page(tmp_path, WORKED)
    assert highlighted(root, "A[1][1] = B[1][1]") == ("forward", ["forward-node-1-1"])
    assert highlighted(root, "H[1][0] = relu") == ("forward", ["forward-node-1-0"])
    assert highlighted(root, "loss = ") == ("forward", ["forward-node-2-0"])
    assert highlighted(root, "delta[1][1] = relu'") == ("backward", ["backward-node-1-1"])
    assert highlighted(root, "dW[2][0][1] = ") == ("backward", ["backward-edge-2-0-1"])
    assert highlighted(root, "W[1][1][2] = W[1][1][2] - eta") == ("update", ["update-edge-1-1-2"])
    assert highlighted(root, "A[1][j] = ") == ("forward", ["forward-node-1-0", "forward-node-1-1"])


def test_the_page_of_an_mnist_model_joins_each_wide_sum_into_one_step(tmp_path, small_mnist):
    model = str(tmp_path / "model.json")
    modelfile.save(Network([784, 12, 10], ["relu", "softmax"], "cross_entropy", seed=2), model)
    out = tmp_path / "mnist.html"
    assert cli.main(["trace", model, "--data", small_mnist, "--top", "3", "--html", str(out)]) == 0
    root = ET.parse(out).getroot()
    pass_, marks = highlighted(root, "A[1][0] = B[1][0] + sum_i")
    assert (pass_, marks) == ("forward", ["forward-node-1-0"])
    formula = next(e.text for e in root.iter(XHTML + "pre") if e.text.startswith("A[1][0] = B[1][0] + sum_i"))
    assert "784 terms" in formula and "zero terms" in formula
    assert highlighted(root, "A[1][9] = B[1][9]")[1] == []  # node 9 of 12 is not drawn


def test_the_convnet_page_has_a_step_per_formula_and_every_value_of_the_trace(tmp_path):
    path = CONV_EXAMPLES[0]
    root = trace_page(tmp_path, path)
    assert not list(root.iter(XHTML + "script"))
    s = spec.load_subject(path)
    (x, T), = s.samples
    sections = trace(s.net, x, T, s.eta, top=6, about=s.about)
    steps = [e for e in root.iter(XHTML + "section") if e.get("class") == "step"]
    formulas = [re.sub(r"\s+", " ", next(e for e in step.iter(XHTML + "pre") if e.get("class") == "formula").text)
                for step in steps]
    assert [step.get("id") for step in steps] == [f"step-{n}" for n in range(1, len(steps) + 1)]
    page_text = " ".join(formulas)
    printed = render(sections)
    for line in printed.splitlines()[1:]:
        if line.startswith("  "):  # every line of `nnloop trace conv-worked` is on the page, in a step
            assert re.sub(r"\s+", " ", line.strip()) in page_text, line
    ids = by_id(root)
    for step in steps:
        for mark in step.iter():
            target = mark.get("data-target")
            if mark.get("class") == "highlight" and not target.split("-", 1)[1].startswith("window-"):
                assert target in ids, target  # it marks a cell, kernel, bias, node or edge of the diagram


def test_each_convnet_step_highlights_its_cell_window_and_kernel(tmp_path):
    root = trace_page(tmp_path, CONV_EXAMPLES[0])
    pass_, marks = highlighted(root, "A[1][0][0][1] = B[1][0]")
    assert pass_ == "forward" and marks[0] == "forward-cell-1-0-0-1"  # what it computes, ringed
    assert {"forward-window-0-0-0-1-2", "forward-kernel-1-0", "forward-bias-1-0", "forward-kernel-1-0-0-1-0",
            "forward-cell-0-0-1-1"} <= set(marks)
    pass_, marks = highlighted(root, "H[2][0][0][0] = max(")
    assert marks[:3] == ["forward-cell-2-0-0-0", "forward-window-1-0-0-0-2", "forward-cell-1-0-1-1"]  # its max
    pass_, marks = highlighted(root, "delta[1][0][1][1] = relu'")
    assert pass_ == "backward" and marks == ["backward-cell-1-0-1-1", "backward-window-0-0-1-1-2",
                                             "backward-kernel-1-0"]  # the window it scatters into, its kernel
    pass_, marks = highlighted(root, "dK[1][0][0][0][0] = ")
    assert marks[0] == "backward-kernel-1-0-0-0-0"  # a wide sum: its shown terms' inputs and deltas glow
    assert {"backward-cell-0-0-1-1", "backward-cell-1-0-1-1"} <= set(marks)


def test_the_strided_page_windows_reach_into_the_padding(tmp_path):
    root = trace_page(tmp_path, CONV_EXAMPLES[1], "--full")
    _, marks = highlighted(root, "A[1][1][0][0] = B[1][1]")
    assert [m for m in marks if "window" in m] == [f"forward-window-0-{c}-0-0-3" for c in range(3)]
    rects = [e for e in root.iter(SVG + "rect") if e.get("data-target") == "forward-window-0-0-0-0-3"]
    pad = by_id(root)["forward-pad-0-0-0-0"]  # the padded corner the window starts at
    corner = next(pad.iter(SVG + "rect"))
    assert abs(float(rects[0].get("x")) + 2 - float(corner.get("x"))) < 1e-6


def test_a_step_takes_the_rest_of_a_wide_sum_and_the_count_of_a_cut_list():
    sections = [Section("Forward, layer 1 (relu)", [
        "A[1][j] = B[1][j] + sum_i W[1][j][i]*H[0][i];  H[1][j] = relu(A[1][j])",
        "A[1][0] = B[1][0] + sum_i W[1][0][i]*H[0][i]   (784 terms; the 2 largest shown)",
        "        = B[1][0] + W[1][0][5]*H[0][5] + W[1][0][9]*H[0][9]",
        "        = 0.5",
        "H[1][0] = relu(A[1][0]) = relu(0.5) = 0.5"]),
        Section("SGD step, layer 1", ["W[1][0][i] = W[1][0][i] - eta*dW[1][0][i]: 3 of them, the 2 largest shown",
                                      "... and 1 more: 1 do not move, 0 smaller than these"])]
    found = steps(sections, [784, 2, 1])
    assert [len(step.lines) for step in found] == [1, 3, 1, 2]
    assert [step.pass_ for step in found] == ["forward"] * 3 + ["update"]
    assert found[1].heading == sections[0].lines[0] and found[3].heading == ""
    assert found[1].targets == ["node-1-0"] and found[2].targets == ["node-1-0"]
    assert found[3].lines == sections[1].lines and found[3].targets == [f"edge-1-0-{i}" for i in range(784)]


@pytest.mark.parametrize("title, pass_", [("The network and the sample", "forward"), ("Loss", "forward"),
                                          ("Forward, layer 2 (maxpool)", "forward"), ("Backward, layer 1 (relu)",
                                                                                      "backward"),
                                          ("SGD step, layer 1", "update"), ("adam step, layer 3", "update"),
                                          ("After the step", "update")])
def test_each_section_is_drawn_beside_the_diagram_of_its_pass(title, pass_):
    assert diagram_of(title) == pass_


def test_a_general_formula_is_told_from_one_value_and_aligned_as_on_paper():
    assert is_general("A[1][j] = B[1][j] + sum_i W[1][j][i]*H[0][i];  H[1][j] = relu(A[1][j])")
    assert not is_general("A[1][0] = B[1][0] + W[1][0][0]*H[0][0] = 0 + 3*2 = 6")
    assert not is_general("loss = (1/N) sum_n (T[n] - Y[n])^2; 169")
    assert aligned("dW[1][0][1] = H[0][1]*delta[1][0] = 3*78 = 234").splitlines() == [
        "dW[1][0][1] = H[0][1]*delta[1][0]", "            = 3*78", "            = 234"]
    assert aligned("A[1][j] = x;  H[1][j] = y") == "A[1][j] = x;  H[1][j] = y"  # two formulas: left as written


def test_average_pooling_highlights_its_window_and_no_maximum():
    net = architecture.build(architecture.parse("conv1x3,avgpool2"), (1, 6, 6), classes=2, seed=5)
    computed = compute(net, [0.1 * i for i in range(36)], [1.0, 0.0], 0.1)
    assert map_targets(net, computed, "Forward, layer 2 (average pooling)", "H[2][0][1][0] = mean(...) = 0.5") == [
        "cell-2-0-1-0", "window-1-0-2-0-2"]
    net = architecture.build(architecture.parse("conv1x3,maxpool2"), (1, 6, 6), classes=2, seed=5)
    computed = compute(net, [0.1 * i for i in range(36)], [1.0, 0.0], 0.1)
    found = map_targets(net, computed, "Forward, layer 2 (max pooling)", "H[2][0][1][0] = max(...) = 0.5")
    assert found[:2] == ["cell-2-0-1-0", "window-1-0-2-0-2"] and found[2].startswith("cell-1-0-")  # the maximum
    assert targets("Loss", "loss = -sum_i T[i]*log(Y[i]) = 0.69", net.sizes) == ["node-4-0", "node-4-1"]  # output
