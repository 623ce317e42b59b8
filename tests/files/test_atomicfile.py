"""nnloop.files.atomicfile: a file is either the old one or the new one, never half."""
import os
import stat

import pytest

from nnloop.files import atomicfile
from nnloop.files.atomicfile import write_atomically


def test_writes_utf8_text_making_the_directory(tmp_path):
    path = tmp_path / "models" / "deep" / "m.json"
    write_atomically(str(path), "eta ≈ 0.1\n")
    assert path.read_text(encoding="utf-8") == "eta ≈ 0.1\n"
    assert os.listdir(path.parent) == ["m.json"]  # no temporary file left beside it


def test_the_file_gets_the_usual_mode_not_mkstemp_s_0600(tmp_path):
    path = tmp_path / "m.json"
    write_atomically(str(path), "{}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~atomicfile.current_umask()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    path.write_text("the old model")

    def crash(*args):
        raise KeyboardInterrupt  # Ctrl-C between writing and renaming

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(str(path), "the new model")
    assert path.read_text() == "the old model"
    assert os.listdir(tmp_path) == ["m.json"]


def test_current_umask_reads_without_changing_it():
    before = os.umask(0o022)
    try:
        assert atomicfile.current_umask() == 0o022
        assert atomicfile.current_umask() == 0o022
    finally:
        os.umask(before)
