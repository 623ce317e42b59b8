"""A real browser draws the pictures: headless Chromium renders the geometry SVG,
the report, the network diagram and steps of the trace page to PNG, and the PNGs must show them, not a blank or an error page.

Needs Debian's chromium (.ci/run installs it); without it these tests are skipped.
"""
import shutil
import struct
import subprocess
import zlib

import pytest

from nnloop.cli import main

from conftest import ROOT, run_nnloop

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

QUADRANT = (0xfd, 0xf1, 0xc9)  # the geometry picture's shaded first quadrant
CURVE = (0x1f, 0x77, 0xb4)     # the colour of the report's first curve: the loss per epoch


def screenshot(tmp_path, page, width, height):
    """Render the file page in headless Chromium at width x height; return the PNG's bytes."""
    return screenshot_url(tmp_path, page.as_uri(), page.name, width, height)


def screenshot_url(tmp_path, url, name, width, height):
    """Render url in headless Chromium at width x height into name.png; return the PNG's bytes."""
    png = tmp_path / (name + ".png")
    profile = tmp_path / "chromium-profile"  # a fresh one, so no earlier run leaks in
    profile.mkdir(exist_ok=True)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={width},{height}",
                    url], capture_output=True, timeout=180, check=True)
    return png.read_bytes()


def decode_png(data):
    """(width, height, rows) of an 8-bit RGB or RGBA PNG; rows[y] is a list of (r, g, b) pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
        elif kind == b"IDAT":
            idat.append(body)
        position += 12 + length
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    previous, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        row = unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), previous, channels)
        rows.append([tuple(row[x:x + 3]) for x in range(0, stride, channels)])
        previous = row
    return width, height, rows


def unfilter(kind, row, above, bpp):
    """Undo PNG filter kind (0 none, 1 sub, 2 up, 3 average, 4 Paeth) on one row of bytes."""
    if kind == 2:
        return bytearray((r + a) & 255 for r, a in zip(row, above))
    for n in range(len(row)):
        left = row[n - bpp] if n >= bpp else 0
        upper_left = above[n - bpp] if n >= bpp else 0
        if kind == 1:
            row[n] = (row[n] + left) & 255
        elif kind == 3:
            row[n] = (row[n] + (left + above[n]) // 2) & 255
        elif kind == 4:
            p = left + above[n] - upper_left
            pa, pb, pc = abs(p - left), abs(p - above[n]), abs(p - upper_left)
            predictor = left if pa <= pb and pa <= pc else above[n] if pb <= pc else upper_left
            row[n] = (row[n] + predictor) & 255
        elif kind != 0:
            raise ValueError(f"PNG filter {kind}")
    return row


def assert_drawn(data, width, height, colour):
    """The PNG has the window's size, is far from one flat colour, and shows colour somewhere."""
    w, h, rows = decode_png(data)
    assert (w, h) == (width, height)
    counts = {}
    for row in rows:
        for pixel in row:
            counts[pixel] = counts.get(pixel, 0) + 1
    background = max(counts.values())
    assert len(counts) > 20, f"only {len(counts)} colours: a blank page"
    assert background < 0.97 * w * h, "almost every pixel has the background's colour: a blank page"
    assert any(max(abs(a - b) for a, b in zip(pixel, colour)) <= 2 for pixel in counts), \
        f"no pixel of the colour {colour}: the picture was not drawn"


def test_chromium_draws_the_geometry_picture(tmp_path):
    picture = tmp_path / "layer.svg"
    assert run_nnloop("geometry", "--W", "1,2,-1.5,0.5", "--B", "0.5,-0.25", "-o", picture).returncode == 0
    assert_drawn(screenshot(tmp_path, picture, 900, 690), 900, 690, QUADRANT)


def test_chromium_draws_the_report(tmp_path, small_mnist):
    model, page = tmp_path / "m.json", tmp_path / "report.html"
    assert main(["train", "--data", small_mnist, "--epochs", "2", "--hidden", "8", "-o", str(model),
                 "--report", str(page)]) == 0
    assert_drawn(screenshot(tmp_path, page, 1000, 1000), 1000, 1000, CURVE)


POSITIVE_EDGE = (0xb2, 0x18, 0x2b)  # nnloop draw's colour of an edge with a value > 0
RING, GLOW = (0xff, 0x88, 0x00), (0xff, 0xcc, 0x33)  # a trace page's highlight of a node, of an edge


def test_chromium_draws_the_network_diagram(tmp_path):
    picture = tmp_path / "net.svg"
    assert run_nnloop("draw", "data/examples/worked-relu.json", "--pass", "backward", "-o", picture,
                      cwd=ROOT).returncode == 0
    assert_drawn(screenshot(tmp_path, picture, 900, 560), 900, 560, POSITIVE_EDGE)


def test_chromium_shows_the_steps_of_the_trace_page_by_fragment(tmp_path):
    page = tmp_path / "trace.html"
    assert run_nnloop("trace", "data/examples/worked-relu.json", "--html", page, cwd=ROOT).returncode == 0
    shots = []
    for fragment, colour in (("step-3", RING), ("step-20", GLOW), ("step-40", RING)):
        png = screenshot_url(tmp_path, f"{page.as_uri()}#{fragment}", fragment, 1300, 700)
        assert_drawn(png, 1300, 700, colour)
        shots.append(png)
    assert len(set(shots)) == 3, "three steps rendered the same: the fragment did not pick the step"


def test_chromium_draws_the_convnet_figure(tmp_path):
    picture = tmp_path / "conv.svg"
    assert run_nnloop("draw", "data/examples/conv-strided.json", "--pass", "forward", "-o", picture,
                      cwd=ROOT).returncode == 0
    # the cells of the largest values are shaded in the full red of a positive edge
    assert_drawn(screenshot(tmp_path, picture, 1300, 900), 1300, 900, POSITIVE_EDGE)


def test_chromium_shows_the_steps_of_the_convnet_page_by_fragment(tmp_path):
    page = tmp_path / "trace.html"
    assert run_nnloop("trace", "data/examples/conv-worked.json", "--html", page, cwd=ROOT).returncode == 0
    shots = []
    for fragment in ("step-9", "step-25", "step-75"):  # a conv cell, a pooling window, a backward delta
        png = screenshot_url(tmp_path, f"{page.as_uri()}#{fragment}", fragment, 1500, 900)
        assert_drawn(png, 1500, 900, RING)
        shots.append(png)
    assert len(set(shots)) == 3, "three steps rendered the same: the fragment did not pick the step"
