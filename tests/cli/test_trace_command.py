"""nnloop.cli.trace: `nnloop trace SPEC|MODEL` and its output choices; named _command beside
tests/tools/test_trace.py, which tests the trace itself."""
import json

import pytest

from conftest import run_in_process


def test_a_spec_is_traced_as_text_or_markdown(capsys):
    status, text, _ = run_in_process(capsys, "trace", "worked-relu")
    assert status == 0 and text.startswith("The network and the sample\n")
    assert "\n  T = [20]\n" in text and "loss = 169 before the step" in text  # the target under its name T
    status, markdown, _ = run_in_process(capsys, "trace", "worked-relu", "--format", "markdown")
    assert status == 0 and markdown.startswith("# Backprop, step by step: worked-relu") and "\n## " in markdown


def test_json_prints_the_values_document(capsys):
    status, out, _ = run_in_process(capsys, "trace", "worked-relu", "--json")
    document = json.loads(out)
    assert status == 0 and document["values"]["A[1][0]"] == 11.0 and document["loss"] == 169.0


def test_top_shortens_wide_sums_and_full_shows_every_term(capsys):
    short = run_in_process(capsys, "trace", "softmax-3-4-3", "--top", "1")[1]
    full = run_in_process(capsys, "trace", "softmax-3-4-3", "--full")[1]
    assert "A[1][0] = B[1][0] + sum_i W[1][0][i]*H[0][i]   (3 terms; the 1 largest shown)" in short
    assert "H[0] = x = [1, 2, -1]" in full and "largest shown" not in full


@pytest.mark.parametrize("args, message", [
    (["--json", "--format", "markdown"], "--json prints the values alone, for a program: drop --html and --format"),
    (["--html", "t.html", "--format", "markdown"], "--html writes a page of its own: drop --format, or drop --html for markdown"),
    (["--index", "3"], "--index picks an MNIST test digit for a model file; worked-relu is a spec, which brings its own "
                        "input x: drop --index"),
])
def test_options_that_do_not_go_together_are_refused_in_one_line(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_in_process(capsys, "trace", "worked-relu", *args)
    assert status == 2 and out == "" and err == f"nnloop: error: {message}\n"
    assert list(tmp_path.iterdir()) == []
