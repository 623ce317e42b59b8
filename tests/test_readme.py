"""The README's examples run as written."""
import os
import re

from conftest import ROOT

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_the_python_api_example_runs_and_learns_xor(tmp_path, monkeypatch):
    block = re.search(r"## Python API\n\n```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    names = {}
    exec(block, names)
    assert names["losses"][-1] < 0.01
    assert max(c.error for c in names["checks"]) < 1e-6
    assert [round(names["net"].forward(x)[0]) for x, _ in names["xor"]] == [0, 1, 1, 0]
    assert (tmp_path / "xor.json").exists()
