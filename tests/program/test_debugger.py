"""The README's pdb sessions run as written: their (Pdb) commands, fed to pdb, print what the README shows."""
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
PROMPT = "(Pdb) "


def documented_sessions():
    """The README's sessions, each (command line, commands, expected): expected[0] is what pdb prints before
    the first prompt, expected[n] what it prints after command n."""
    section = README.split("## Study backprop in a debugger", 1)[1].split("\n## ", 1)[0]
    return [session(block) for block in re.findall(r"```\n(\$ python3 -m pdb .*?)```", section, re.S)]


def documented_session():
    """The first session: breakpoints in the network's forward and backward."""
    return documented_sessions()[0]


def session(block):
    lines = block.splitlines()
    command_line, commands, expected = lines[0][2:], [], [[]]
    for line in lines[1:]:
        if line.startswith(PROMPT):
            commands.append(line[len(PROMPT):])
            expected.append([])
        else:
            expected[-1].append(line)
    return command_line, commands, expected


def matches(pattern, line):
    """True if line is pattern, each ... in pattern standing for anything (a path, a line number)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("..."))
    return re.fullmatch(regex, line) is not None


def test_the_readme_has_a_session_in_the_network_and_one_in_the_layer_loops():
    first, loops = documented_sessions()
    assert "break nnloop.network.Network.backward" in first[1]
    assert len([c for c in loops[1] if c.startswith("break nnloop/layers/dense.py:")]) == 2  # a line each pass
    assert "-> a += W_j[i] * H_prev[i]" in loops[2][2] and "-> dW_j[i] += H_prev[i] * d" in loops[2][6]


@pytest.mark.parametrize("n", [0, 1])
def test_the_readme_pdb_session_prints_what_the_readme_shows(n):
    command_line, commands, expected = documented_sessions()[n]
    assert command_line.split()[:4] == ["python3", "-m", "pdb", "-m"]
    assert commands[-1] == "quit"
    result = subprocess.run([sys.executable, *command_line.split()[1:]], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": ROOT}, input="\n".join(commands) + "\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    printed = [chunk.splitlines() for chunk in result.stdout.split(PROMPT)]
    assert len(printed) == len(expected), result.stdout
    for command, want, got in zip([None] + commands, expected, printed):
        assert len(got) == len(want), (command, got)
        for pattern, line in zip(want, got):
            assert matches(pattern, line), (command, pattern, line)


def test_the_session_shows_the_worked_example_numbers():
    _, commands, expected = documented_session()
    shown = dict(zip(commands, expected[1:]))
    assert shown["p v.A[1], v.H[1]"] == ["([11.0, -14.0], [11.0, 0.0])"]
    assert shown["p self.sample_loss(v.H[2], T)"] == ["169.0"]
    assert shown["p g.dB[1], g.dW[1]"] == ["([78.0, 0.0], [[156.0, 234.0, 78.0], [0.0, 0.0, 0.0]])"]


def test_a_wrong_value_in_the_session_would_be_caught():
    assert matches("> .../nnloop/network.py(...)backward()", "> /x/nnloop/network.py(125)backward()")
    assert not matches("([11.0, -14.0], [11.0, 0.0])", "([11.0, -14.0], [11.0, 1.0])")
