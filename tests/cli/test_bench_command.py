"""nnloop.cli.bench: `nnloop bench`'s checks before timing anything; named _command beside tests/tools/test_bench.py,
which tests the timing. No test here asserts a duration."""
import json

import pytest


from conftest import run_in_process, write_mnist


@pytest.mark.parametrize("args, message", [
    (["--hidden", "100000"], "--hidden 100000 makes a 784-100000-10 network"),
    (["--layers", "dense100000000"], "--layers dense100000000 makes"),
    (["--layers", "conv2x5", "--hidden", "10"], "--hidden and --layers both say what the hidden layers are"),
    (["--workers", "1,10000"], "--workers 10000 is more than 4 processes per core"),
    (["--profile", "--json"], "--profile times one process and prints a table: drop --json and --workers"),
    (["--profile", "--workers", "2"], "drop --json and --workers"),
])
def test_bench_refuses_before_timing(capsys, args, message):
    status, out, err = run_in_process(capsys, "bench", *args)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


def test_json_gives_one_measurement_per_line_for_each_batch_size(capsys, tmp_path, real_mnist):
    train, test = real_mnist
    data = write_mnist(tmp_path / "mnist", train.first(8), test.first(2))
    status, out, _ = run_in_process(capsys, "bench", "--hidden", "3", "--batch-size", "2,4", "--samples", "8", "--json",
                            "--data", data)
    measurements = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [(m["task"], m["batch"]) for m in measurements][:2] == [("train", 2), ("train", 4)]
    assert measurements[-1]["task"] == "infer" and all(m["samples"] == 8 for m in measurements)
