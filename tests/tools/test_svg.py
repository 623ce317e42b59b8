"""nnloop.tools.svg: the drawing primitives every picture is made of, checked as the XML a browser reads."""
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, strategies as st

from nnloop.errors import NnloopError
from nnloop.tools import svg

SVG = "{http://www.w3.org/2000/svg}"


def test_attributes_are_escaped_named_and_rounded_and_none_is_left_out():
    markup = svg.element("text", "a &lt; b", x=1.005, y=-0.004, class_="value", font_size=11, data_k=None,
                         title='say "W < 0"')
    element = ET.fromstring(markup)
    assert element.attrib == {"x": "1", "y": "0", "class": "value", "font-size": "11", "title": 'say "W < 0"'}
    assert element.text == "a < b"


def test_a_document_is_a_white_picture_of_its_size_holding_its_parts():
    root = ET.fromstring(svg.document(300, 120, [svg.circle(10, 20, 5, "red"), svg.line(0, 0, 3, 4)]))
    assert root.tag == SVG + "svg" and (root.get("width"), root.get("viewBox")) == ("300", "0 0 300 120")
    background, circle, line = list(root)
    assert background.tag == SVG + "rect" and background.get("fill") == "white" and background.get("width") == "300"
    assert (circle.get("cx"), circle.get("r"), line.get("x2"), line.get("stroke")) == ("10", "5", "3", svg.AXIS)


@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6), st.floats(-1e3, 1e3), st.floats(1, 1e3))
def test_a_scale_takes_its_ends_to_its_ends_and_is_linear_between(lo, width, start, length):
    scale = svg.Scale(lo, lo + width, start, start + length)
    assert scale(lo) == pytest.approx(start, abs=1e-6 * length)
    assert scale(lo + width) == pytest.approx(start + length, abs=1e-6 * length)
    assert scale(lo + width / 2) == pytest.approx(start + length / 2, abs=1e-6 * length)


@pytest.mark.parametrize("lo, hi, step", [(0, 1, 0.2), (0, 10, 2), (0, 97, 20), (0.23, 0.9, 0.2), (0, 3, 1)])
def test_ticks_are_1_2_or_5_times_a_power_of_ten_and_stay_inside(lo, hi, step):
    scale = svg.Scale(lo, hi, 0, 100)
    assert scale.step() == pytest.approx(step)
    ticks = scale.ticks()
    assert 3 <= len(ticks) <= 11 and all(lo - 1e-9 <= t <= hi + 1e-9 for t in ticks)
    assert svg.Scale(0, 3, 0, 100, whole=True).step() == 1.0  # epochs: no tick at 0.5
    assert svg.Scale(1e-4, 1e-1, 0, 100, log=True).ticks() == [1e-4, 1e-3, 1e-2, 1e-1]


def test_a_chart_draws_a_curve_and_a_dot_per_point_of_every_series():
    root = ET.fromstring(svg.chart([("train", [(1, 0.5), (2, 0.25), (3, 0.2)]), ("test", [(1, 0.6), (2, 0.4)])],
                                   460, 250, "epoch", "loss"))
    series = [g for g in root.iter(SVG + "g") if g.get("class") == "series"]
    assert len(series) == 2
    assert [len(list(g.iter(SVG + "circle"))) for g in series] == [3, 2]
    texts = [t.text for t in root.iter(SVG + "text")]
    assert {"train", "test", "epoch", "loss"} <= set(texts)


def test_a_heat_map_writes_each_number_in_its_cell_ink_readable_on_its_fill():
    root = ET.fromstring(svg.document(80, 80, [svg.heat_map([[980, 0], [3, 1000]],
                                                            [["#08306b", "#ffffff"], ["#fbe3e3", "#08306b"]], 40)]))
    cells = [r for r in root.iter(SVG + "rect") if r.get("class") == "cell"]
    assert [(r.get("x"), r.get("y"), r.get("fill")) for r in cells] == [
        ("0", "0", "#08306b"), ("40", "0", "#ffffff"), ("0", "40", "#fbe3e3"), ("40", "40", "#08306b")]
    assert [(t.text, t.get("fill")) for t in root.iter(SVG + "text")] == [
        ("980", "white"), ("0", svg.INK), ("3", svg.INK), ("1000", "white")]


def test_a_pixel_image_joins_runs_of_one_colour_and_leaves_white_out():
    values = [0.0, 1.0, 1.0, 0.0,
              1.0, 1.0, 1.0, 1.0]
    root = ET.fromstring(svg.document(30, 30, [svg.pixel_image(values, 4, svg.gray, x=10, y=20, size=3)])).find(SVG + "g")
    paths = list(root.iter(SVG + "path"))
    assert len(paths) == 1 and paths[0].get("stroke") == "#000000"
    assert paths[0].get("d") == "M1 0.5h2M0 1.5h4"  # row 0: columns 1-2; row 1: all four
    assert root.get("transform") == "translate(10 20) scale(3)"


@given(st.floats(-2, 2))
def test_diverging_is_red_above_zero_blue_below_and_darker_further_out(value):
    colour = svg.diverging(value)
    red, _, blue = (int(colour[n:n + 2], 16) for n in (1, 3, 5))
    if value >= 1 / 16:
        assert red > blue
    elif value <= -1 / 16:
        assert blue > red
    assert svg.darkness(colour) <= svg.darkness(svg.diverging(2 * value if abs(value) < 1 else value)) + 1e-12


def test_darkness_runs_from_white_to_black_and_gray_steps_between():
    assert svg.darkness("#ffffff") == 0.0 and svg.darkness("#000000") == 1.0
    shades = [svg.darkness(svg.gray(n / 16)) for n in range(17)]
    assert shades == sorted(shades) and len(set(shades)) == 17
    assert svg.plane(0, 0) == "#1f77b4" and svg.plane(1, 1) == "#9467bd"  # the corners' colours


def test_save_writes_the_text_or_refuses_in_one_line(tmp_path):
    svg.save(tmp_path / "a.svg", "<svg/>")
    assert (tmp_path / "a.svg").read_text() == "<svg/>"
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(NnloopError) as caught:
        svg.save(tmp_path / "file" / "b.svg", "<svg/>")
    assert str(caught.value).startswith(f"cannot write {tmp_path / 'file' / 'b.svg'}: ") and "\n" not in str(caught.value)
