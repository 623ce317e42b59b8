"""nnloop.cli.outputs: where a command may write, checked before any work so that nothing is lost."""
import json
import os

import pytest

from nnloop import NnloopError
from nnloop.cli.outputs import (check_not_a_model, check_other_run, check_output, nnloop_file_kind, resume_options,
                                same_file)


def model(path, epochs_done=2, epochs=2):
    path.write_text(json.dumps({"training": {"epochs_done": epochs_done, "arguments": {"epochs": epochs}},
                                "format": "nnloop-model"}))  # keys in any order
    return str(path)


def test_nnloop_file_kind_reads_the_format(tmp_path):
    assert nnloop_file_kind(model(tmp_path / "m.json")) == "model file"
    (tmp_path / "s.json").write_text('{"format": "nnloop-spec"}')
    assert nnloop_file_kind(str(tmp_path / "s.json")) == "network spec"
    (tmp_path / "cut.json").write_text('{"format": "nnloop-model", "layers": [[1.0, ')  # cut short: still a model
    assert nnloop_file_kind(str(tmp_path / "cut.json")) == "model file"
    for text in ('{"format": "other"}', "[1, 2]", '{"format": 1}', "not json"):
        (tmp_path / "x.json").write_text(text)
        assert nnloop_file_kind(str(tmp_path / "x.json")) is None
    assert nnloop_file_kind(str(tmp_path / "none.json")) is None
    assert nnloop_file_kind(str(tmp_path)) is None


def test_check_output_allows_a_new_file_in_a_directory_to_be_made(tmp_path):
    check_output(str(tmp_path / "new" / "deeper" / "out.html"))


def test_check_output_refuses_a_directory_an_input_and_a_file_in_the_way(tmp_path):
    with pytest.raises(NnloopError, match=r"^-o .* is a directory: give a file name, like .*out\.json"):
        check_output(str(tmp_path))
    spec = tmp_path / "spec.json"
    spec.write_text("{}")
    with pytest.raises(NnloopError, match=r"is the input file .*spec\.json: writing there would destroy it"):
        check_output(str(tmp_path / "." / "spec.json"), [None, str(spec)], option="--html")
    with pytest.raises(NnloopError, match=r"cannot create the directory .*: .*spec\.json is a file"):
        check_output(str(spec / "out.html"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_check_output_refuses_a_directory_it_cannot_write(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(NnloopError, match=r"the directory .*locked is not writable"):
            check_output(str(locked / "sub" / "out.svg"))
    finally:
        locked.chmod(0o700)


def test_check_not_a_model_protects_models_and_specs_unless_forced(tmp_path):
    path = model(tmp_path / "m.json")
    with pytest.raises(NnloopError, match=r"^-o .*m\.json is an nnloop model file: .* or pass --force"):
        check_not_a_model(path)
    check_not_a_model(path, force=True)
    check_not_a_model(str(tmp_path / "report.html"))


def test_check_other_run_suggests_resuming_the_run_it_protects(tmp_path):
    path = model(tmp_path / "m.json", epochs_done=2, epochs=2)
    with pytest.raises(NnloopError, match=r"holds another training run's model: continue that run with --resume "
                                          r".*m\.json --epochs 12, write this run elsewhere"):
        check_other_run(path, force=False)
    check_other_run(path, force=True)
    check_other_run(path, force=False, resume_source=path)
    check_other_run(str(tmp_path / "new.json"), force=False)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NnloopError, match=r"notes\.txt already exists and holds a file: write this run elsewhere"):
        check_other_run(str(tmp_path / "notes.txt"), force=False)


def test_resume_options_add_epochs_only_to_a_finished_run(tmp_path):
    assert resume_options(model(tmp_path / "a.json", 1, 5)) == f"--resume {tmp_path / 'a.json'}"
    assert resume_options(model(tmp_path / "b.json", 5, 5)) == f"--resume {tmp_path / 'b.json'} --epochs 15"
    (tmp_path / "c.json").write_text("{")
    assert resume_options(str(tmp_path / "c.json")) == f"--resume {tmp_path / 'c.json'}"


def test_same_file_follows_links_and_compares_names_of_missing_files(tmp_path):
    (tmp_path / "a").write_text("")
    os.symlink(tmp_path / "a", tmp_path / "b")
    assert same_file(str(tmp_path / "a"), str(tmp_path / "b"))
    assert same_file(str(tmp_path / "x" / ".." / "new"), str(tmp_path / "new"))
    assert not same_file(str(tmp_path / "a"), str(tmp_path / "new"))
