"""The package stands alone: it finds its bundled files from any directory, and names itself."""
import os
import subprocess

import nnloop
from nnloop import bundled, command

from conftest import ROOT, assert_refused, run_nnloop


def test_shipped_examples_by_name_from_any_directory(tmp_path):
    traced = run_nnloop("trace", "worked-relu", cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert "worked-relu: the worked example" in traced.stdout
    assert "loss = (1/N) sum_n (T[n] - Y[n])^2 = ((20 - 33)^2) / 1 = 169" in traced.stdout
    checked = run_nnloop("gradcheck", "xor", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "passed: every relative error" in checked.stdout


def test_a_file_of_the_same_name_comes_before_the_shipped_example(tmp_path):
    (tmp_path / "xor").write_text("{}")
    assert_refused(run_nnloop("trace", "xor", cwd=tmp_path), "xor is neither a network spec")


def test_an_unknown_name_lists_the_shipped_examples(tmp_path):
    assert_refused(run_nnloop("trace", "wroked-relu", cwd=tmp_path),
                   f"a shipped example by name ({', '.join(sorted(bundled.examples()))})")


def test_version_names_nnloop_and_the_interpreter():
    result = run_nnloop("--version")
    assert result.returncode == 0
    assert result.stdout == f"nnloop {nnloop.__version__} on {command.interpreter()}\n"
    assert command.interpreter().startswith(("CPython 3.", "PyPy "))


def test_bench_reads_the_digits_from_data(tmp_path):
    assert_refused(run_nnloop("bench", "--data", tmp_path / "none", "--samples", "10"), "no data directory")


def test_nothing_in_the_repository_points_outside_it():
    outside = "../" + "shared"  # spelled in two parts, so that this file does not match itself
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    found = []
    for path in tracked.stdout.splitlines():
        try:
            text = open(os.path.join(ROOT, path), encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue  # the gzipped digits and the PNGs
        found += [f"{path}:{n}" for n, line in enumerate(text.splitlines(), 1) if outside in line]
    assert found == []


def test_the_numpy_yardstick_is_valid_python_that_nnloop_does_not_need():
    """make bench runs it where numpy is installed; here it need only compile, and name numpy itself."""
    path = os.path.join(ROOT, "tests", "yardstick", "numpy_mlp.py")
    source = open(path, encoding="utf-8").read()
    compile(source, path, "exec")
    assert "import numpy as np" in source
