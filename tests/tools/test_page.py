"""The HTML page scaffold of the report, the comparison and the trace page: XHTML a parser reads, nothing loaded."""
import xml.etree.ElementTree as ET

from nnloop.tools import svg
from nnloop.tools.page import STYLE, page, section

XHTML = "{http://www.w3.org/1999/xhtml}"


def test_a_page_is_well_formed_xhtml_with_its_title_and_style():
    picture = svg.document(40, 20, [svg.text(5, 15, "W < 0 & B > 0")])
    html = page('loss < 0.1 & "done"', svg.element("h1", "a") + picture, style="h1 { color: #222; }")
    assert html.startswith("<!DOCTYPE html>\n") and html.endswith("</html>\n")
    root = ET.fromstring(html.split("\n", 1)[1])
    assert root.tag == XHTML + "html" and root.get("lang") == "en"
    assert root.find(f"{XHTML}head/{XHTML}title").text == 'loss < 0.1 & "done"'
    assert root.find(f"{XHTML}head/{XHTML}meta").get("charset") == "utf-8"
    assert root.find(f"{XHTML}head/{XHTML}style").text == "h1 { color: #222; }"
    body = root.find(XHTML + "body")
    assert [child.tag for child in body] == [XHTML + "h1", "{http://www.w3.org/2000/svg}svg"]
    assert body[1].find("{http://www.w3.org/2000/svg}text").text == "W < 0 & B > 0"


def test_a_page_loads_nothing_and_runs_no_script():
    html = page("report", section("loss", "Loss", "falls", svg.document(10, 10, [])))
    for outside in ("<script", "src=", "href=", "@import", "url(http"):
        assert outside not in html


def test_the_default_style_lays_sections_out_in_rows():
    root = ET.fromstring(page("t", "").split("\n", 1)[1])
    assert root.find(f"{XHTML}head/{XHTML}style").text == STYLE and ".row section" in STYLE


def test_a_section_escapes_its_text_but_not_its_picture():
    markup = section("weights", "W[1][j] < 0", "red > 0, blue < 0 & gray = 0", "<svg><g/></svg>")
    element = ET.fromstring(markup)
    assert element.tag == "section" and element.get("id") == "weights"
    assert [child.tag for child in element] == ["h2", "p", "svg"]
    assert element[0].text == "W[1][j] < 0" and element[1].text == "red > 0, blue < 0 & gray = 0"
    assert element[2][0].tag == "g"
