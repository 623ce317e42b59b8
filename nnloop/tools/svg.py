"""Pictures as SVG text: the few drawing primitives nnloop's pictures need.

Every function returns a string of SVG markup, so a picture is built by
joining strings and a page can hold it inline. Positions are in pixels,
x to the right and y down; a Scale turns data values into positions.

    element("circle", cx=1, cy=2, r=3)      any element (class_ for class)
    rect, line, polyline, circle, text      the shapes
    group(parts, **attributes)              a <g> around parts
    document(width, height, parts)          a whole <svg> picture
    Scale(lo, hi, start, end, log=False)    data value -> pixel position
    axes(xs, ys, ...)                       frame, grid lines, tick labels
    scatter(xs, ys, points, colours)        a dot per point
    chart(series, ...)                      curves with a dot per point
    heat_map(M, fills, cell)                a matrix of coloured cells
    pixel_image(values, cols, colour, ...)  an image, e.g. a 28x28 digit
    gray, diverging, plane, blend           colour scales

>>> element("circle", cx=1.0, cy=2.456, r=3, class_="point")
'<circle cx="1" cy="2.46" r="3" class="point"/>'
>>> text(0, 10, "W < 0 & b")
'<text x="0" y="10">W &lt; 0 &amp; b</text>'
"""
import math
from xml.sax.saxutils import escape, quoteattr

from ..errors import NnloopError
from ..files.atomicfile import write_atomically

NAMESPACE = "http://www.w3.org/2000/svg"
FONT = "font-family: sans-serif; font-size: 12px"
AXIS, GRID, INK = "#444444", "#e4e4e4", "#222222"
# Colours of a chart's curves, in order: distinguishable, also in gray print.
CURVES = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def number(x):
    """A coordinate as short text: at most 2 decimals, no trailing zeros.

    >>> number(12.0), number(-0.004), number(3.14159)
    ('12', '0', '3.14')
    """
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def element(tag, content=None, **attributes):
    """<tag ...>content</tag>, or <tag .../> when content is None.

    content is markup (already escaped); attribute names lose a trailing _
    and turn _ into -, so class_="a" and font_size=12 give class and font-size.
    """
    attrs = "".join(f" {name.rstrip('_').replace('_', '-')}={quoteattr(value_text(value))}"
                    for name, value in attributes.items() if value is not None)
    if content is None:
        return f"<{tag}{attrs}/>"
    return f"<{tag}{attrs}>{content}</{tag}>"


def value_text(value):
    return number(value) if isinstance(value, float) else str(value)


def group(parts, **attributes):
    return element("g", "".join(parts), **attributes)


def document(width, height, parts, **attributes):
    """A whole SVG picture of width x height pixels, on white."""
    return element("svg", rect(0, 0, width, height, "white") + "".join(parts), xmlns=NAMESPACE,
                   width=width, height=height, viewBox=f"0 0 {width} {height}", style=FONT, **attributes)


def rect(x, y, width, height, fill, **attributes):
    return element("rect", x=float(x), y=float(y), width=float(width), height=float(height), fill=fill,
                   **attributes)


def line(x1, y1, x2, y2, stroke=AXIS, **attributes):
    return element("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=stroke, **attributes)


def polyline(points, stroke, **attributes):
    """A line through the (x, y) pixel positions in points."""
    return element("polyline", points=" ".join(f"{number(x)},{number(y)}" for x, y in points),
                   fill="none", stroke=stroke, stroke_width=2, **attributes)


def circle(x, y, r, fill, **attributes):
    return element("circle", cx=float(x), cy=float(y), r=float(r), fill=fill, **attributes)


def text(x, y, content, **attributes):
    """The string content at (x, y): its left end, or its middle with text_anchor="middle"."""
    return element("text", escape(content), x=float(x), y=float(y), **attributes)


class Scale:
    """Maps data values lo..hi to pixel positions start..end, linearly or by log10.

    >>> xs = Scale(0, 10, 50, 150)
    >>> xs(0), xs(5), xs(10)
    (50.0, 100.0, 150.0)
    >>> Scale(1e-3, 1e-1, 200, 0, log=True)(1e-2)
    100.0
    """

    def __init__(self, lo, hi, start, end, log=False, whole=False):
        self.lo, self.hi, self.start, self.end, self.log = lo, hi, start, end, log
        self.whole = whole  # ticks at whole numbers only, as for epochs

    def __call__(self, value):
        lo, hi, value = (math.log10(v) for v in (self.lo, self.hi, value)) if self.log else (self.lo, self.hi, value)
        return self.start + (value - lo) / (hi - lo) * (self.end - self.start)

    def step(self):
        """The distance between ticks: 1, 2 or 5 times a power of ten, some 5 ticks in all."""
        rough = (self.hi - self.lo) / 5
        power = 10.0 ** math.floor(math.log10(rough))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
        return max(step, 1.0) if self.whole else step

    def ticks(self):
        """Round values to mark on the axis (powers of ten on a log scale)."""
        if self.log:
            return [10.0 ** e for e in range(math.ceil(math.log10(self.lo) - 1e-9),
                                             math.floor(math.log10(self.hi) + 1e-9) + 1)]
        step = self.step()
        first = math.ceil(self.lo / step - 1e-9)
        return [n * step for n in range(first, math.floor(self.hi / step + 1e-9) + 1)]


def axes(xs, ys, x_label="", y_label="", through_origin=False):
    """A frame around the plot area of xs and ys, grid lines and labels at the ticks.

    through_origin also draws the axes x = 0 and y = 0 themselves, as the
    plane pictures of a layer need.
    """
    left, right, bottom, top = xs.start, xs.end, ys.start, ys.end
    parts = []
    for x in xs.ticks():
        parts.append(line(xs(x), bottom, xs(x), top, GRID))
        parts.append(text(xs(x), bottom + 15, f"{x:g}", text_anchor="middle"))
    for y in ys.ticks():
        parts.append(line(left, ys(y), right, ys(y), GRID))
        parts.append(text(left - 5, ys(y) + 4, f"{y:g}", text_anchor="end"))
    if through_origin:
        parts.append(line(xs(0), bottom, xs(0), top, AXIS, stroke_width=1.5))
        parts.append(line(left, ys(0), right, ys(0), AXIS, stroke_width=1.5))
    parts.append(rect(left, top, right - left, bottom - top, "none", stroke=AXIS))
    if x_label:
        parts.append(text((left + right) / 2, bottom + 32, x_label, text_anchor="middle"))
    if y_label:
        parts.append(text(left - 45, (top + bottom) / 2, y_label, text_anchor="middle",
                          transform=f"rotate(-90 {number(left - 45)} {number((top + bottom) / 2)})"))
    return group(parts, class_="axes")


def scatter(xs, ys, points, colours, r=3):
    """A dot of colours[n] at each (x, y) data point points[n]."""
    return group([circle(xs(x), ys(y), r, colour, class_="point", fill_opacity=0.85)
                  for (x, y), colour in zip(points, colours)], class_="scatter")


def chart(series, width, height, x_label, y_label, log_y=False, y_range=None, legend=120):
    """Curves through data points, each point a dot, with axes and a legend.

    series is a list of (name, points), points a list of (x, y) pairs;
    the x axis starts at 0, the y axis spans y_range (lo, hi) or the data;
    the legend takes the rightmost legend pixels.
    Returns a whole SVG picture; each curve is a <g class="series">.
    """
    xs_data = [x for _, points in series for x, _ in points]
    ys_data = [y for _, points in series for _, y in points]
    if y_range is None:
        y_range = span(ys_data, log_y)
    xs = Scale(0, max(xs_data + [1]), 70, width - legend - 10, whole=True)
    ys = Scale(y_range[0], y_range[1], height - 45, 15, log=log_y)
    parts = [axes(xs, ys, x_label, y_label)]
    for n, (name, points) in enumerate(series):
        colour = CURVES[n % len(CURVES)]
        pixels = [(xs(x), ys(y)) for x, y in points]
        dots = [circle(x, y, 3.5, colour, class_="point") for x, y in pixels]
        key = [line(width - legend, 25 + 18 * n, width - legend + 20, 25 + 18 * n, colour, stroke_width=2),
               text(width - legend + 25, 29 + 18 * n, name)]
        parts.append(group([polyline(pixels, colour)] + dots + key, class_="series"))
    return document(width, height, parts)


def span(values, log):
    """(lo, hi) around values at round numbers; whole decades on a log scale.

    >>> span([0.23, 0.9], False), span([92.5, 97.1], False), span([0.003, 0.04], True)
    ((0.2, 1.0), (92.0, 98.0), (0.001, 0.1))
    """
    if log:
        values = [v for v in values if v > 0] or [1.0]
        lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        return 10.0 ** lo, 10.0 ** max(hi, lo + 1)
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        hi = lo + 1.0
    step = Scale(lo, hi, 0, 1).step()
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def heat_map(M, fills, cell, x=0, y=0):
    """Matrix M as rows of square cells, cell pixels wide: cell (r, c) is
    filled with the colour fills[r][c] and shows the number M[r][c]."""
    parts = []
    for r, row in enumerate(M):
        for c, value in enumerate(row):
            fill = fills[r][c]
            parts.append(rect(x + c * cell, y + r * cell, cell, cell, fill, class_="cell", stroke="white"))
            parts.append(text(x + (c + 0.5) * cell, y + (r + 0.5) * cell + 4, f"{value:g}", text_anchor="middle",
                              fill="white" if darkness(fill) > 0.5 else INK, font_size=11))
    return group(parts, class_="heat-map")


def pixel_image(values, cols, colour, x=0, y=0, size=1):
    """An image of len(values) // cols rows of cols pixels, size pixels wide each.

    values[r * cols + c] is the pixel in row r, column c, drawn in the colour
    colour(value); white pixels are left out. Pixels of one colour that touch
    in a row are one stroke ("M c r.5 h n": from column c, n pixels right),
    and each colour one path, which keeps a 28x28 digit to a few hundred bytes.
    """
    fills = [colour(value) for value in values]
    strokes = {}  # colour -> its strokes
    for r in range(len(values) // cols):
        c = 0
        while c < cols:
            fill, n = fills[r * cols + c], 1
            while c + n < cols and fills[r * cols + c + n] == fill:
                n += 1
            if fill != "#ffffff":
                strokes.setdefault(fill, []).append(f"M{c} {r}.5h{n}")
            c += n
    paths = [element("path", d="".join(d), stroke=fill) for fill, d in strokes.items()]
    return group([rect(0, 0, cols, len(values) // cols, "white")] + paths, shape_rendering="crispEdges",
                 transform=f"translate({number(x)} {number(y)}) scale({number(size)})")


def hex_colour(red, green, blue):
    return "#%02x%02x%02x" % (round(red), round(green), round(blue))


def blend(fraction, towards):
    """The colour fraction of the way from white to the (r, g, b) towards."""
    return hex_colour(*(255 + fraction * (c - 255) for c in towards))


def gray(fraction):
    """White (0) to black (1), in 16 steps: 16 inks are plenty for a digit.

    >>> gray(0.0), gray(1.0), gray(0.5)
    ('#ffffff', '#000000', '#808080')
    """
    return blend(round(16 * min(max(fraction, 0.0), 1.0)) / 16, (0, 0, 0))


def diverging(value):
    """Blue (-1) through white (0) to red (+1), in 8 steps each way.

    >>> diverging(-1.0), diverging(0.0), diverging(1.0)
    ('#2166ac', '#ffffff', '#b2182b')
    """
    step = round(8 * min(max(value, -1.0), 1.0)) / 8
    return blend(abs(step), (178, 24, 43) if step > 0 else (33, 102, 172))


def plane(u, v):
    """A colour for the point (u, v) of the unit square, blended from its corners:
    blue at (0, 0), orange at (1, 0), green at (0, 1), purple at (1, 1)."""
    corners = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189))
    weights = ((1 - u) * (1 - v), u * (1 - v), (1 - u) * v, u * v)
    return hex_colour(*(sum(w * corner[n] for w, corner in zip(weights, corners)) for n in range(3)))


def darkness(colour):
    """0 for white to 1 for black: how dark the colour "#rrggbb" looks."""
    red, green, blue = (int(colour[n:n + 2], 16) for n in (1, 3, 5))
    return 1.0 - (0.299 * red + 0.587 * green + 0.114 * blue) / 255


def save(path, text):
    """Write a picture or page to path atomically; refuse with one line if it cannot be."""
    try:
        write_atomically(path, text)
    except OSError as e:
        raise NnloopError(f"cannot write {path}: {e.strerror}; check the directory exists and is writable") from None
