"""nnloop.cli.vanish: `nnloop vanish`'s options and its size guard; named _command beside tests/tools/test_vanish.py."""
from conftest import run_in_process


def test_vanish_prints_the_report_of_its_options(capsys):
    from nnloop.tools.vanish import report
    status, out, _ = run_in_process(capsys, "vanish", "--depth", "3", "--width", "6", "--batch-size", "4", "--seed", "2")
    assert status == 0 and out == "\n".join(report(3, 6, 4, 2)) + "\n"


def test_an_absurd_network_is_refused_before_it_is_made(capsys):
    status, out, err = run_in_process(capsys, "vanish", "--depth", "10", "--width", "100000")
    assert status == 2 and out == "" and "--depth 10 --width 100000 makes a" in err and err.count("\n") == 1
