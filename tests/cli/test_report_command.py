"""nnloop.cli.report: `nnloop report MODEL`, where the page goes and what it refuses to write over.
(The page itself is tests/tools/test_report.py; this file is named _command beside it.)"""
from conftest import run_in_process


def test_the_page_goes_beside_the_model_by_default(trained, capsys):
    root, data, model = trained
    status, out, _ = run_in_process(capsys, "report", model, "--data", data)
    assert status == 0 and out.startswith(f"wrote {root / 'm.html'}: the report of {model} (test accuracy ")
    assert (root / "m.html").stat().st_size > 1000


def test_the_report_is_not_written_over_its_own_model_or_another(trained, capsys, tmp_path):
    root, data, model = trained
    before = model.read_text()
    status, _, err = run_in_process(capsys, "report", model, "-o", model, "--data", data)
    assert status == 2 and "is the input file" in err and model.read_text() == before
    other = tmp_path / "other.json"
    other.write_text(before)
    status, _, err = run_in_process(capsys, "report", model, "-o", other, "--data", data)
    assert status == 2 and "is an nnloop model file" in err and other.read_text() == before
    assert run_in_process(capsys, "report", model, "-o", other, "--data", data, "--force")[0] == 0
