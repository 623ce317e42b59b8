"""nnloop.cli.predict: `nnloop predict MODEL INDEX...`, test digits drawn with the model's output for each class."""
from conftest import run_in_process


def test_predict_draws_each_digit_and_its_outputs(trained, capsys, real_mnist):
    root, data, model = trained
    status, out, _ = run_in_process(capsys, "predict", model, "0", "3", "--data", data)
    assert status == 0
    blocks = out.split("test digit ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["0", "3"]
    _, test = real_mnist
    for index, block in zip((0, 3), blocks):
        assert f": labelled {test.labels[index]}, the model says " in block
        guess = int(block.split("the model says ")[1].split()[0])
        verdict = "right" if guess == test.labels[index] else "WRONG"
        assert f"({verdict})" in block.splitlines()[0]
        outputs = [float(line.split()[1]) for line in block.splitlines() if line.startswith("  ") and
                   line.split()[0].isdigit() and len(line.split()[0]) == 1 and "." in line.split()[1]]
        assert len(outputs) == 10 and outputs[guess] == max(outputs)  # shown to 4 digits: ties may print
        assert abs(sum(outputs) - 1) < 1e-3  # softmax: probabilities


def test_predict_refuses_an_index_past_the_test_set_in_one_line(trained, capsys):
    root, data, model = trained
    status, out, err = run_in_process(capsys, "predict", model, "50", "--data", data)
    assert status == 2 and "there is no test digit 50: the test set has 50, indices 0 to 49" in err
