"""nnloop.cli.export: `nnloop export`'s checks and where it writes; named _command beside tests/tools/test_export.py,
which runs the exported code."""
import pytest

from conftest import run_in_process
from nnloop.cli import main


def test_a_spec_is_exported_as_numpy_code_that_compiles(capsys, tmp_path):
    path = tmp_path / "w.py"
    status, out, _ = run_in_process(capsys, "export", "worked-relu", "-o", path)
    assert status == 0 and out == (f"wrote {path}: the 3-2-1 network of worked-relu as numpy code; "
                                   f"run it with: python3 {path}\n")
    compile(path.read_text(), str(path), "exec")


def test_an_existing_output_is_kept_unless_forced(capsys, tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("print('my own program')\n")
    status, _, err = run_in_process(capsys, "export", "worked-relu", "-o", path)
    assert status == 2 and "-o " + str(path) + " already exists: choose another -o, or pass --force" in err
    assert path.read_text() == "print('my own program')\n"
    assert run_in_process(capsys, "export", "worked-relu", "-o", path, "--force")[0] == 0
    assert "my own program" not in path.read_text()


@pytest.mark.parametrize("args, message", [
    (["--index", "1"], "worked-relu is a spec, which brings its own input x: drop --index"),
    (["--to", "tensorflow"], "invalid choice: 'tensorflow'"),
])
def test_export_refuses_options_that_do_not_fit(capsys, tmp_path, args, message):
    try:
        status = main(["export", "worked-relu", "-o", str(tmp_path / "w.py"), *args])
    except SystemExit as e:
        status = e.code
    assert status == 2 and message in capsys.readouterr().err and not (tmp_path / "w.py").exists()
