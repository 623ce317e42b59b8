"""nnloop.cli.compare: `nnloop compare MODEL...`: one page of several runs; named _command beside
tests/tools/test_compare.py, which tests the page."""
from conftest import run_in_process


def test_compare_names_the_runs_in_one_line(trained, capsys, tmp_path):
    root, data, model = trained
    status, out, _ = run_in_process(capsys, "compare", model, "-o", tmp_path / "c.html")
    assert status == 0 and out.startswith(f"wrote {tmp_path / 'c.html'}: 1 run (") and "open it in a browser" in out
    assert (tmp_path / "c.html").exists()


def test_compare_refuses_to_write_over_a_model_it_reads(trained, capsys):
    root, data, model = trained
    before = model.read_text()
    status, out, err = run_in_process(capsys, "compare", model, "-o", model)
    assert status == 2 and "is the input file" in err and model.read_text() == before
