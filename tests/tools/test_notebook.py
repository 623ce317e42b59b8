"""nnloop.tools.notebook: a Network and a Pass show as nnloop draw's diagrams in Jupyter, repr() stays text."""
import xml.etree.ElementTree as ET

import pytest

from nnloop.errors import NnloopError
from nnloop.network import Network
from nnloop.tools import spec
from nnloop.tools.notebook import Pass, html

SVG = "{http://www.w3.org/2000/svg}"


def by_id(root):
    return {element.get("id"): element for element in root.iter() if element.get("id")}


def texts(element):
    """The texts inside element, its titles included."""
    return [e.text for e in element.iter() if e.tag in (SVG + "text", SVG + "title") and e.text]


def worked_example():
    return Network.with_parameters(W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
                                   activations=["relu", "identity"], loss="mse")


@pytest.mark.parametrize("name", ["worked-relu", "conv-strided", "conv-worked"])
def test_a_network_and_a_pass_show_as_diagrams_in_a_notebook(name):
    s = spec.read(name)
    text = repr(s.net)
    svg = ET.fromstring(s.net._repr_svg_())
    assert svg.tag == SVG + "svg"
    html = ET.fromstring(s.net._repr_html_())
    assert html.tag == "div" and html[0].tag == SVG + "svg"
    assert repr(s.net) == text and "<" not in text
    p = Pass(s.net, s.x, s.T, s.eta)
    assert repr(p).startswith("forward pass of the ")
    forward = ET.fromstring(p._repr_svg_())
    backward = ET.fromstring(p.backward._repr_html_())[0]
    assert by_id(forward).keys() != by_id(backward).keys() or texts(forward) != texts(backward)
    assert f"loss = {p.loss:g}"[:12] in " ".join(texts(forward))


def test_the_worked_example_in_a_notebook_shows_its_numbers():
    net = worked_example()
    assert repr(net).startswith("Network 3-2-1 (relu, identity; mse)\n  layer 1 (relu): W[1][0] = [3, 1, 2]")
    ids = by_id(ET.fromstring(net._repr_svg_()))
    assert ids["value-1-1-0"].text == "-2"
    p = Pass(net, [2.0, 3.0, 1.0], [20.0], eta=0.001)
    forward, backward = by_id(ET.fromstring(p._repr_svg_())), by_id(ET.fromstring(p.backward._repr_svg_()))
    assert "A = 11" in texts(forward["node-1-0"]) and "delta = 78" in texts(backward["node-1-0"])



def test_a_pass_shows_another_pass_without_computing_it_again(monkeypatch):
    p = Pass(worked_example(), [2.0, 3.0, 1.0], [20.0], eta=0.001)
    import nnloop.tools.notebook as notebook
    monkeypatch.setattr(notebook, "compute", lambda *args: pytest.fail("computed again"))
    update = p.update
    assert update.computed is p.computed and update.show == "update" and p.show == "forward"
    assert repr(update) == "update pass of the 3-2-1 network: Y = [33], loss 169 before the step, 44.2574 after it"
    ids = by_id(ET.fromstring(update._repr_svg_()))
    assert ids["value-2-0-0"].text == "2.714"  # W[2][0][0] - eta*dW[2][0][0] = 3 - 0.001*286


def test_a_pass_of_a_wide_output_shows_its_first_ten_values():
    net = Network([3, 4, 12], ["relu", "softmax"], "cross_entropy", seed=1)
    p = Pass(net, [1.0, 0.0, -1.0], [0.0] * 11 + [1.0])
    assert repr(p).count(",") == 11 and ", ...]" in repr(p)  # ten values, then ...


def test_a_pass_refuses_a_pass_it_cannot_show():
    with pytest.raises(NnloopError, match="show must be one of forward, backward, update; got 'sideways'"):
        Pass(worked_example(), [2.0, 3.0, 1.0], [20.0], show="sideways")


def test_html_scrolls_a_wide_picture_sideways():
    assert html("<svg/>") == '<div style="overflow-x: auto"><svg/></div>'
