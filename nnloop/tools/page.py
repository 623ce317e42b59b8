"""HTML pages that hold SVG pictures: the report, a comparison of runs, the trace page.

A page is XHTML: a browser reads it as HTML, and, being well-formed XML,
a test reads it with a parser. It is self-contained: the pictures are
inline SVG (nnloop.tools.svg), the style is in the page, nothing is loaded
and no script runs, so it can be mailed, archived or opened offline.

>>> print(section("loss", "Loss per epoch", "It falls, then levels off.", "<svg/>"))
<section id="loss"><h2>Loss per epoch</h2><p>It falls, then levels off.</p><svg/></section>
>>> print(page("W < 0", "<p/>", style="p {}").replace("><", ">\\n<"))
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<title>W &lt; 0</title>
<style>p {}</style>
</head>
<body>
<p/>
</body>
</html>
<BLANKLINE>
"""
from xml.sax.saxutils import escape

from . import svg

# The style of a page of sections (the report, a comparison): two pictures a row where the page is wide enough.
STYLE = """
body { font-family: sans-serif; color: #222; max-width: 1000px; margin: 20px auto; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-bottom: 4px; }
p { line-height: 1.35; margin: 6px 0 10px 0; } .missing { color: #a33; } svg { display: block; }
.row { display: flex; flex-wrap: wrap; gap: 0 40px; } .row section { flex: 1 1 440px; }
section { margin-bottom: 24px; }
"""


def page(title, body, style=STYLE):
    """A whole XHTML page of body (markup) under title: HTML to a browser, well-formed XML to a parser."""
    head = (svg.element("meta", charset="utf-8") + svg.element("title", escape(title)) +
            svg.element("style", style))
    return ("<!DOCTYPE html>\n" +
            svg.element("html", svg.element("head", head) + svg.element("body", body),
                        xmlns="http://www.w3.org/1999/xhtml", lang="en") + "\n")


def section(key, heading, explanation, picture):
    """<section id=key>: a heading, a paragraph saying what the picture shows, the picture (markup)."""
    return svg.element("section", svg.element("h2", escape(heading)) + svg.element("p", escape(explanation)) +
                       picture, id=key)
