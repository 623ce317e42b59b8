"""nnloop.cli.draw: `nnloop draw`'s checks before it draws; named _command beside tests/tools/test_draw.py (the
picture, being rewritten, is tested there)."""
import pytest

from conftest import run_in_process


def test_a_spec_is_drawn_to_the_output(capsys, tmp_path):
    status, out, _ = run_in_process(capsys, "draw", "worked-relu", "--pass", "backward", "-o", tmp_path / "n.svg")
    assert status == 0 and out.startswith(f"wrote {tmp_path / 'n.svg'}: the 3-2-1 network of worked-relu, backward pass")
    assert "<svg" in (tmp_path / "n.svg").read_text()[:300]


@pytest.mark.parametrize("args, message", [
    (["worked-relu", "--index", "2"], "--index picks an MNIST test digit for a model file; worked-relu is a spec"),
])
def test_nothing_is_written_when_draw_refuses(capsys, tmp_path, args, message):
    status, out, err = run_in_process(capsys, "draw", *args, "-o", tmp_path / "n.svg")
    assert status == 2 and message in err and not (tmp_path / "n.svg").exists()
