"""tests/yardstick/rounds.py: measurements side by side, the order turned round every round."""
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROUNDS = os.path.join(ROOT, "tests", "yardstick", "rounds.py")


def fake(name, speed, log):
    """A command that notes its name in log and prints speed as `nnloop bench --json` would."""
    code = (f"import json; open({str(log)!r}, 'a').write({name!r}); "
            f"print('warming up'); print(json.dumps({{'task': 'train', 'samples_per_s': {speed}}}))")
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def run_rounds(*arguments):
    return subprocess.run([sys.executable, ROUNDS, *arguments], capture_output=True, text=True)


def test_the_order_turns_round_every_round_and_the_ratios_are_the_first_over_each_other(tmp_path):
    log = tmp_path / "order"
    result = run_rounds("3", fake("a", 300.0, log), fake("b", 100.0, log), fake("c", 200.0, log))
    assert result.returncode == 0, result.stderr
    assert log.read_text() == "abc" + "cba" + "abc"
    lines = result.stdout.splitlines()
    assert lines[0] == "round 1 (as given): [1] 300  [2] 100  [3] 200 samples/s;  [1]/[2] 3.00x  [1]/[3] 1.50x"
    assert lines[1].startswith("round 2 (the other way round): ")
    assert lines[-2:] == ["[1]/[2]: 3.00x-3.00x, median 3.00x over 3 rounds",
                          "[1]/[3]: 1.50x-1.50x, median 1.50x over 3 rounds"]


def test_a_command_that_fails_ends_the_run_in_one_line_that_names_it(tmp_path):
    failing = f"{shlex.quote(sys.executable)} -c \"import sys; sys.exit('no such layer: conv0')\""
    result = run_rounds("2", fake("a", 1.0, tmp_path / "log"), failing)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"rounds.py: {failing!r} printed no JSON line with samples_per_s (exit status 1; it said: no such layer: conv0)"]


def test_without_rounds_or_a_second_command_it_says_how_to_call_it(tmp_path):
    for arguments in (["3", "true"], ["x", "true", "true"], ["0", "true", "true"]):
        result = run_rounds(*arguments)
        assert result.returncode == 1 and result.stderr.startswith("usage: rounds.py ROUNDS COMMAND COMMAND")
        assert len(result.stderr.strip().splitlines()) == 1
