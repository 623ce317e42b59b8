"""nnloop.cli.evaluate: `nnloop evaluate MODEL`, the accuracy and confusion matrix of a model on the test digits."""
from conftest import run_in_process


def test_evaluate_prints_the_accuracy_the_hardest_digit_and_the_matrix(trained, capsys):
    root, data, model = trained
    status, out, _ = run_in_process(capsys, "evaluate", model, "--data", data)
    lines = out.splitlines()
    assert status == 0
    assert lines[0].startswith(f"{model}: test accuracy ")
    right = int(lines[0].split("(")[1].split()[0])
    assert lines[0].endswith(f"({right} of 50 digits)")
    assert lines[1].startswith("hardest digit: ") and lines[2].startswith("true \\ predicted")
    rows = [list(map(int, line.split()[1:11])) for line in lines[3:13]]
    assert sum(map(sum, rows)) == 50 and sum(rows[c][c] for c in range(10)) == right
    # the hardest digit is the one with the lowest share right (a digit absent from the test set counts as 0)
    shares = [row[c] / sum(row) if sum(row) else 0.0 for c, row in enumerate(rows)]
    assert int(lines[1].split()[-1]) == shares.index(min(shares))


def test_evaluate_refuses_a_network_that_is_not_for_mnist(tmp_path, capsys):
    from nnloop import Network
    from nnloop.files import modelfile
    modelfile.save(Network([3, 2], ["softmax"], "cross_entropy"), str(tmp_path / "small.json"))
    status, out, err = run_in_process(capsys, "evaluate", tmp_path / "small.json")
    assert status == 2 and out == "" and err.startswith("nnloop: error: ") and err.count("\n") == 1
