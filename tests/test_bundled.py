"""nnloop.bundled: the MNIST digits and example specs nnloop ships, found from any directory."""
import os

from nnloop import bundled
from nnloop.files import mnist

from conftest import ROOT


def test_the_bundled_files_are_found_where_the_package_is():
    assert os.path.isfile(os.path.join(bundled.MNIST, "SHA256SUMS"))
    assert mnist.BUNDLED == bundled.MNIST
    shipped = sorted(name[:-len(".json")] for name in os.listdir(os.path.join(ROOT, "data", "examples")))
    assert sorted(bundled.examples()) == shipped and "worked-relu" in shipped
    assert bundled.example("xor.json") == bundled.example("xor") == os.path.join(bundled.EXAMPLES, "xor.json")
    assert bundled.example("no-such-example") is None


def test_every_shipped_example_is_a_json_file_in_EXAMPLES():
    for name, path in bundled.examples().items():
        assert os.path.dirname(path) == bundled.EXAMPLES and os.path.basename(path) == name + ".json"
        assert os.path.isfile(path)


def test_examples_is_empty_without_an_examples_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(bundled, "EXAMPLES", str(tmp_path / "none"))
    assert bundled.examples() == {} and bundled.example("xor") is None
