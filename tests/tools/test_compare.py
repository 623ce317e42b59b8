"""nnloop compare: one well-formed, self-contained page overlaying several runs, drawn by Chromium."""
import xml.etree.ElementTree as ET

import pytest

from nnloop.cli import main

from conftest import assert_refused, run_nnloop
from test_browser import CHROMIUM, CURVE, assert_drawn, screenshot

XHTML, SVG = "{http://www.w3.org/1999/xhtml}", "{http://www.w3.org/2000/svg}"


@pytest.fixture
def three_runs(tmp_path, small_mnist):
    paths = []
    for name, eta in (("sgd", "0.1"), ("momentum", "0.1"), ("adam", "0.002")):
        path = tmp_path / f"{name}.json"
        assert main(["train", "--data", small_mnist, "--epochs", "2", "--hidden", "8", "--optimizer", name,
                     "--learning-rate", eta, "-o", str(path)]) == 0
        paths.append(path)
    return paths


def test_the_page_overlays_every_run_named_by_what_differs(tmp_path, three_runs):
    page = tmp_path / "compare.html"
    assert main(["compare", *map(str, three_runs), "-o", str(page)]) == 0
    root = ET.parse(page).getroot()  # well-formed XML, or this raises
    sections = {s.get("id"): s for s in root.iter(f"{XHTML}section")}
    assert set(sections) == {"loss", "accuracy"}
    for section in sections.values():
        curves = [g for g in section.iter(f"{SVG}g") if g.get("class") == "series"]
        assert len(curves) == 3
        names = [t.text for g in curves for t in g.iter(f"{SVG}text")]
        assert names == ["optimizer=sgd, learning_rate=0.1", "optimizer=momentum, learning_rate=0.1",
                         "optimizer=adam, learning_rate=0.002"]
        assert all(len([c for c in g.iter(f"{SVG}circle")]) == 2 for g in curves)  # a dot per epoch
    text = page.read_text()
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/", "")


def test_a_model_without_history_is_refused(tmp_path):
    from nnloop import Network, save
    bare = tmp_path / "bare.json"
    save(Network([784, 10], ["softmax"], "cross_entropy"), str(bare))
    assert_refused(run_nnloop("compare", bare, "-o", tmp_path / "c.html"), "has no training history")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_chromium_draws_the_comparison(tmp_path, three_runs):
    page = tmp_path / "compare.html"
    assert main(["compare", *map(str, three_runs), "-o", str(page)]) == 0
    assert_drawn(screenshot(tmp_path, page, 940, 760), 940, 760, CURVE)
