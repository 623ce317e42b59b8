"""A trace as one page: a step per formula, each beside the diagram with what it computes highlighted.

The page is XHTML without a script: one <section class="step" id="step-N">
per step with links to #step-(N-1) and #step-(N+1): CSS shows the step the
URL's fragment names (:target), the first without one, so that next and
previous work offline in any browser, without a script. The diagrams of nnloop draw for the three passes are
drawn once, in a hidden <svg>; each step shows one of them by <use> and adds
its highlight: a ring around the nodes, a glow under the edges, it computes.

A step is one line of the trace (a wide sum's lines make one step). What it
highlights follows from the name it computes, in the trace's notation:

    A[k][j], H[k][j], delta[k][j], back[k][j], B[k][j], dB[k][j]   node j of layer k
    W[k][j][i], dW[k][j][i]                                           the edge from i to j
    an index j or i instead of a number                               all of them
    dY[j], Y, T, loss, and s of the output delta                      the output layer
    m and S of a softmax, H[0] = x                                    the layer's nodes

>>> targets("Forward, layer 1 (relu)", "A[1][0] = B[1][0] + W[1][0][0]*H[0][0] = 0 + 3*2 = 6", [3, 2, 1])
['node-1-0']
>>> targets("Backward, layer 2 (identity)", "dW[2][0][i] = H[1][i]*delta[2][0] = 0 for all 2 i", [3, 2, 1])
['edge-2-0-0', 'edge-2-0-1']
>>> targets("Loss", "loss = (1/N) sum_n (T[n] - Y[n])^2 = ((20 - 33)^2) / 1 = 169", [3, 2, 1])
['node-2-0']
"""
import re
from typing import List, NamedTuple
from xml.sax.saxutils import escape

from . import draw, mapdraw, svg
from .page import page
from .values import compute

STYLE = """
body { font-family: sans-serif; color: #222; margin: 0 auto; padding: 0 16px; max-width: 1500px; }
h1 { font-size: 20px; margin: 14px 0 6px 0; } p { line-height: 1.35; margin: 6px 0; }
section.step { display: none; padding: 14px 0; border-top: 1px solid #ddd;
  flex-wrap: wrap; gap: 16px 28px; align-items: flex-start; }
section.step:target, body:not(:has(section.step:target)) section#step-1 { display: flex; }
.text { flex: 1 1 380px; max-width: 560px; } .picture { flex: 0 1 auto; }
.where { color: #666; font-size: 14px; } .heading { font-weight: bold; font-size: 17px; }
pre { white-space: pre-wrap; font-size: 14px; line-height: 1.5; margin: 8px 0; }
pre.formula { background: #fff4cc; padding: 8px 10px; border-left: 4px solid #ff8800; }
pre.context { color: #555; } nav a { margin-right: 18px; font-size: 15px; }
.defs { position: absolute; width: 0; height: 0; overflow: hidden; }
ol.contents { columns: 2; font-size: 14px; }
"""
XLINK = "http://www.w3.org/1999/xlink"  # the namespace of <use xlink:href>, which every SVG viewer knows
NAME = re.compile(r"(A|H|delta|back|B|dB|W|dW|dY)((?:\[(?:\d+|[ij])\])+) = ")


class Step(NamedTuple):
    """One step of the page: which section of the trace, the line(s) it shows, the diagram, the highlight.

    section   the title of the trace's section ("Forward, layer 1 (relu)")
    heading   the section's first line, the formula it applies (or "")
    lines     the trace lines of this step
    pass_     the diagram it is drawn beside: forward, backward or update
    targets   ids of the nodes and edges it computes ("node-1-0", "edge-2-0-1")
    """
    section: str
    heading: str
    lines: List[str]
    pass_: str
    targets: List[str]


def steps(sections, sizes, aim=None):
    """The Steps of a trace, a list of trace.Section, of a network of these sizes.

    aim(title, line) gives the targets of a line (default: targets(title, line, sizes), for an MLP).
    """
    aim = aim or (lambda title, line: targets(title, line, sizes))
    found = []
    for section in sections:
        pass_ = diagram_of(section.title)
        heading = section.lines[0] if is_general(section.lines[0]) else ""
        for line in section.lines:
            if found and found[-1].section == section.title and (line.startswith((" ", "..."))):
                found[-1].lines.append(line)  # the rest of a wide sum, or the count of a cut list
                found[-1].targets.extend(target for target in aim(section.title, line)
                                         if target not in found[-1].targets)  # the terms a wide sum shows
            else:
                found.append(Step(section.title, heading, [line], pass_, aim(section.title, line)))
    return found


def diagram_of(title):
    """The pass whose diagram a section of the trace is drawn beside."""
    if title.startswith(("The network", "Forward", "Loss")):
        return "forward"
    return "backward" if title.startswith("Backward") else "update"


def is_general(line):
    """True for a line that states a formula for every j or i ("A[1][j] = ...;  H[1][j] = ..."), not one value."""
    m = NAME.match(line)
    return bool(m) and ";" in line and ("[j]" in m.group(2) or "[i]" in m.group(2))


def targets(title, line, sizes):
    """The ids of the nodes and edges that the trace line of the section title computes."""
    L = len(sizes) - 1
    layer = re.search(r"layer (\d+)", title)
    k_section = int(layer.group(1)) if layer else L
    m = NAME.match(line)
    if m:
        name = m.group(1)
        index = re.findall(r"\[(\d+|[ij])\]", m.group(2))
        if name == "dY":
            return nodes(L, index[0], sizes)
        k = int(index[0])
        if len(index) == 1:  # H[0] = x: the whole layer
            return nodes(k, "j", sizes)
        if name in ("W", "dW"):
            return [f"edge-{k}-{j}-{i}" for j in spread(index[1], sizes[k]) for i in spread(index[2], sizes[k - 1])]
        return nodes(k, index[1], sizes)
    if line.startswith(("Y = ", "T = ", "loss = (", "loss = -", "s = ")):
        return nodes(L, "j", sizes)
    if line.startswith(("m = ", "S = ")):
        return nodes(k_section, "j", sizes)
    return []


# A name of the trace of a network with feature maps, and its indices: A[1][0][2][3], K[1][0][0][1][1], H[0][c'][..]
MAP_NAME = re.compile(r"\b(A|H|delta|back|B|dB|W|dW|K|dK)((?:\[(?:\d+|[a-z]'?)\])+)")


def map_targets(net, computed, title, line):
    """The ids of what a trace line of a network with feature maps names (mapdraw.highlight's targets).

    The first name is what the line computes; the others are what it reads. A cell
    of a convolution (A, H or delta) also highlights its window on the padded
    input and its kernel; a cell of a pooling layer its window and, for max
    pooling, the window's maximum. A line naming nothing (Y, T, the loss) is
    about the output layer, as for an MLP.
    """
    found = []
    for n, m in enumerate(MAP_NAME.finditer(line)):
        name, index = m.group(1), re.findall(r"\[([^\]]+)\]", m.group(2))
        ids = name_targets(net, name, index)
        if n == 0 and name in ("A", "H", "delta") and len(index) == 4 and all(i.isdigit() for i in index):
            ids += window_targets(net, computed, *map(int, index))
        found += [target for target in ids if target not in found]
    return found or targets(title, line, net.sizes)


def name_targets(net, name, index):
    """The ids of name[index...]: one cell, kernel weight, bias, node or edge, or all of them for a letter."""
    k, rest = int(index[0]), index[1:]
    kernels = mapdraw.DRAWING[net.layers[k].kind if k > 0 else "input"].kernels
    if name in ("K", "dK") or (name in ("W", "dW") and kernels):
        if len(rest) == 4 and all(i.isdigit() for i in rest):
            return ["kernel-" + "-".join(index)]
        return [f"kernel-{k}-{c}" for c in every(rest[0] if rest else "c", len(net.B[k]))]
    if name in ("B", "dB") and kernels:
        return [f"bias-{k}-{c}" for c in every(rest[0] if rest else "c", len(net.B[k]))]
    if name in ("W", "dW"):
        rest = rest + ["j", "i"][len(rest):]
        return [f"edge-{k}-{j}-{i}" for j in every(rest[0], net.sizes[k]) for i in every(rest[1], net.sizes[k - 1])]
    if isinstance(net.shapes[k], tuple):
        if len(rest) == 3 and all(i.isdigit() for i in rest):
            return ["cell-" + "-".join(index)]
        return [f"maps-{k}-{c}" for c in every(rest[0] if rest else "c", net.shapes[k][0])]
    return [f"node-{k}-{j}" for j in every(rest[0] if rest else "j", net.sizes[k])]


def window_targets(net, computed, k, c, y, x):
    """The window cell (c, y, x) of layer k reads, as mapdraw's table says: on every input channel and the
    kernel c, for a convolution; on channel c and the maximum, for max pooling. None for other layers."""
    window = mapdraw.DRAWING[net.layers[k].kind].window if k > 0 else None
    return window(net.layers[k], computed, k, c, y, x) if window else []


def every(index, n):
    """An index of a name: one number, or every number 0..n-1 for a letter."""
    return [int(index)] if index.isdigit() else range(n)


def nodes(k, j, sizes):
    return [f"node-{k}-{j}" for j in spread(j, sizes[k])]


def spread(index, n):
    """An index of a name: one number, or every number 0..n-1 for a letter."""
    return range(n) if index in ("i", "j") else [int(index)]


def write_page(net, x, T, eta, sections, path, optimizer, title):
    """Write the page of the trace sections of (x, T) through net to path; return how many steps it has.

    optimizer takes the step of the update diagram, as in the trace (None: plain SGD).
    """
    computed = compute(net, x, T, eta, optimizer)
    if net.dense():
        drawing, layout = draw, draw.Layout(net.sizes)
        found = steps(sections, net.sizes)
    else:  # feature maps: cells, kernels and windows to highlight
        drawing, layout = mapdraw, mapdraw.Layout(net)
        found = steps(sections, net.sizes, lambda section, line: map_targets(net, computed, section, line))
    names = {"forward": "the forward pass", "backward": "the backward pass", "update": "after the SGD step"}
    defs = [draw.markers()] + [svg.group(drawing.diagram(net, layout, computed, T, pass_, f"{title}: {names[pass_]}",
                                                         prefix=f"{pass_}-"), id=f"diagram-{pass_}")
                               for pass_ in draw.PASSES]
    hidden = svg.element("svg", svg.element("defs", "".join(defs)), xmlns=svg.NAMESPACE, width=0, height=0,
                         class_="defs", style=svg.FONT)
    body = [svg.element("h1", escape(title), id="top"),
            svg.element("p", escape(f"{len(found)} steps: one formula of the trace at a time, beside the network "
                                    "with what it computes ringed (nodes) or glowing (edges). Follow next and "
                                    "previous.")),
            contents(found), hidden]
    body += [step_section(n, step, len(found), layout, drawing) for n, step in enumerate(found, start=1)]
    svg.save(path, page(title, "".join(body), STYLE))
    return len(found)


def contents(found):
    """Links to the first step of every section of the trace."""
    items, seen = [], set()
    for n, step in enumerate(found, start=1):
        if step.section not in seen:
            seen.add(step.section)
            items.append(svg.element("li", svg.element("a", escape(step.section), href=f"#step-{n}")))
    return svg.element("ol", "".join(items), class_="contents")


def step_section(n, step, count, layout, drawing=draw):
    """Step n of count: where it is, the formula it applies, its line(s), the links, the diagram."""
    links = [svg.element("a", "previous", href=f"#step-{n - 1}") if n > 1 else "",
             svg.element("a", "next", href=f"#step-{n + 1}") if n < count else "",
             svg.element("a", "contents", href="#top")]
    text = [svg.element("p", escape(f"step {n} of {count}"), class_="where"),
            svg.element("p", escape(step.section), class_="heading")]
    if step.heading and step.heading not in step.lines:
        text.append(svg.element("pre", escape(step.heading), class_="context"))
    text += [svg.element("pre", escape("\n".join(aligned(line) for line in step.lines)), class_="formula"),
             svg.element("nav", "".join(links))]
    under, over = drawing.highlight(layout, step.targets, prefix=f"{step.pass_}-")
    use = svg.element("use", **{"xlink:href": f"#diagram-{step.pass_}"})
    picture = svg.document(layout.width, layout.height, under + [use] + over, **{"xmlns:xlink": XLINK})
    return svg.element("section", svg.element("div", "".join(text), class_="text") +
                       svg.element("div", picture, class_="picture"), class_="step", id=f"step-{n}",
                       data_pass=step.pass_)


def aligned(line):
    """The line with each ' = ' starting a new line under the first, as a derivation is written on paper.

    >>> print(aligned("H[1][0] = relu(A[1][0]) = relu(11) = 11"))
    H[1][0] = relu(A[1][0])
            = relu(11)
            = 11
    """
    if line.startswith(" ") or ";" in line:
        return line
    first, *rest = line.split(" = ")
    return first + "".join("\n" + " " * len(first) + " = " + part if n else " = " + part
                           for n, part in enumerate(rest))
