"""nnloop report: one self-contained HTML page of pictures of a trained model."""
import json
import xml.etree.ElementTree as ET

import pytest

from nnloop import Network
from nnloop.cli import main
from nnloop.files import mnist, modelfile
from nnloop.learning.evaluation import confusion_matrix

from conftest import assert_refused, run_nnloop, write_mnist

XHTML, SVG = "{http://www.w3.org/1999/xhtml}", "{http://www.w3.org/2000/svg}"
SECTIONS = ["loss", "accuracy", "gradients", "confusion", "misclassified", "weights"]


def sections_of(path):
    """{id: <section>} of the page at path, which must parse as XML."""
    root = ET.parse(path).getroot()
    assert root.tag == XHTML + "html"
    return {s.get("id"): s for s in root.iter(XHTML + "section")}


def with_class(element, tag, name):
    return [e for e in element.iter(tag) if e.get("class") == name]


def assert_self_contained(path):
    """No script, and nothing loaded from elsewhere: no src or href attribute anywhere."""
    root = ET.parse(path).getroot()
    assert not list(root.iter(XHTML + "script"))
    assert not [e for e in root.iter() if {"src", "href"} & set(e.keys())]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, real_mnist):
    """A 784-8-10 model trained 2 epochs on 300 digits by nnloop train --report, with its test digits."""
    directory = tmp_path_factory.mktemp("report")
    train, test = real_mnist
    data = write_mnist(directory / "mnist", train.first(300), test.first(200))
    model, page = directory / "m.json", directory / "m.html"
    assert main(["train", "--data", data, "--epochs", "2", "--hidden", "8", "-o", str(model),
                 "--report", str(page)]) == 0
    return model, page, data, test.first(200)


def test_the_report_of_a_tiny_trained_model_shows_each_panel(trained):
    model, page, data, test = trained
    assert_self_contained(page)
    sections = sections_of(page)
    assert list(sections) == SECTIONS
    for key in SECTIONS:
        assert list(sections[key].iter(SVG + "svg")), f"section {key} has no picture"

    def curves(key):
        return [len(with_class(series, SVG + "circle", "point"))
                for series in with_class(sections[key], SVG + "g", "series")]
    assert curves("loss") == [2]            # one curve, a point per epoch
    assert curves("accuracy") == [2, 2]     # train and test
    assert curves("gradients") == [2, 2]    # mean |dW[1]| and mean |dW[2]|

    net = modelfile.load(model)
    C = confusion_matrix(net, test, mnist.CLASSES)
    cells = with_class(sections["confusion"], SVG + "rect", "cell")
    assert len(cells) == 100
    assert sum(map(sum, C)) == 200

    wrong = 200 - sum(C[c][c] for c in range(10))
    tiles = with_class(sections["misclassified"], SVG + "g", "digit")
    assert len(tiles) == min(wrong, 50) > 0
    for tile in tiles:
        index, true, predicted = (int(tile.get(name)) for name in ("data-index", "data-true", "data-predicted"))
        assert test.labels[index] == true != predicted
        assert f"{true} \u2192 {predicted}" in "".join(tile.itertext())
    assert len(with_class(sections["weights"], SVG + "g", "node")) == 8  # a tile per hidden node


def test_the_heat_map_shows_the_confusion_matrix(trained):
    model, page, data, test = trained
    C = confusion_matrix(modelfile.load(model), test, mnist.CLASSES)
    heat_map = with_class(sections_of(page)["confusion"], SVG + "g", "heat-map")[0]
    assert [int(t.text) for t in heat_map.iter(SVG + "text")] == [count for row in C for count in row]


def test_a_model_without_history_gets_the_panels_that_need_none(tmp_path, small_mnist):
    model = tmp_path / "api.json"
    modelfile.save(Network([784, 5, 10], ["relu", "softmax"], "cross_entropy", seed=1), str(model))
    result = run_nnloop("report", model, "--data", small_mnist)
    assert result.returncode == 0, result.stderr
    page = tmp_path / "api.html"  # MODEL with .html for .json
    assert f"wrote {page}" in result.stdout
    sections = sections_of(page)
    assert list(sections) == SECTIONS
    for key in ("loss", "accuracy", "gradients"):
        assert with_class(sections[key], XHTML + "p", "missing"), key
        assert not list(sections[key].iter(SVG + "svg"))
    assert len(with_class(sections["weights"], SVG + "g", "node")) == 5
    assert with_class(sections["misclassified"], SVG + "g", "digit")


def test_bad_reports_are_refused_in_one_line(tmp_path, small_mnist):
    assert_refused(run_nnloop("report", tmp_path / "none.json"), "no model file")
    model = tmp_path / "small.json"
    modelfile.save(Network([2, 2], ["identity"], "mse"), str(model))
    assert_refused(run_nnloop("report", model, "--data", small_mnist), "MNIST digits need 784 inputs")
    model.write_text(json.dumps({"not": "a model"}))
    assert_refused(run_nnloop("report", model), str(model))
    (tmp_path / "afile").write_text("in the way of a directory")
    assert_refused(run_nnloop("report", model, "-o", tmp_path / "afile" / "r.html"), "cannot create the directory")
    assert_refused(run_nnloop("train", "--data", small_mnist, "--report", tmp_path / "afile" / "r.html"),
                   "--report", "cannot create the directory")


def test_a_convnet_report_shows_the_feature_maps_of_one_test_digit(tmp_path, small_mnist):
    from nnloop import architecture
    net = architecture.build(architecture.parse("conv3x5,maxpool2,conv2x3,avgpool2,dense8"), (1, 28, 28),
                             classes=10, seed=0)
    model, page = tmp_path / "conv.json", tmp_path / "conv.html"
    modelfile.save(net, str(model))
    assert main(["report", str(model), "--data", small_mnist, "-o", str(page)]) == 0
    maps = sections_of(page)["maps"]
    drawn = [(int(g.get("data-k")), int(g.get("data-c"))) for g in with_class(maps, SVG + "g", "map")]
    # the digit, then every channel of every convolution and pooling layer
    assert drawn == [(0, 0), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2), (3, 0), (3, 1), (4, 0), (4, 1)]
    assert_self_contained(page)
