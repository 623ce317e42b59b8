"""nnloop.cli.geometry: `nnloop geometry`'s options; named _command beside tests/tools/test_geometry.py."""
import pytest

from conftest import run_in_process
from nnloop.cli import main


def test_geometry_writes_the_svg_the_options_describe(capsys, tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    assert run_in_process(capsys, "geometry", "--W", "1,2,-1.5,0.5", "--B", "0.5,-0.25", "-o", a)[0] == 0
    assert run_in_process(capsys, "geometry", "--W", "1,2,-1.5,0.5", "--B", "0.5,-0.25", "--points", "sample", "-o", b)[0] == 0
    assert "<svg" in a.read_text()[:200] and a.read_text().rstrip().endswith("</svg>")
    assert a.read_text() != b.read_text()  # a grid, then 200 normal points


def test_geometry_refuses_bad_numbers_and_a_model_as_output(capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["geometry", "--W", "1,2,3"])
    assert "needs 4 numbers separated by commas, got '1,2,3'" in capsys.readouterr().err
    spec = tmp_path / "s.json"
    spec.write_text('{"format": "nnloop-spec"}')
    status, _, err = run_in_process(capsys, "geometry", "-o", spec)
    assert status == 2 and "is an nnloop network spec" in err and spec.read_text() == '{"format": "nnloop-spec"}'
