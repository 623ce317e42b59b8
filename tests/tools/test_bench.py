"""nnloop bench: a table, or one JSON object per measurement; never a speed assertion."""
import json

from conftest import run_nnloop


def test_bench_json_gives_one_object_per_measurement():
    result = run_nnloop("bench", "--samples", "40", "--batch-size", "8,20", "--workers", "1,2", "--hidden", "12",
                        "--json")
    assert result.returncode == 0, result.stderr
    measurements = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(m["task"], m["batch"], m["workers"]) for m in measurements] == [
        ("train", 8, 1), ("train", 8, 2), ("train", 20, 1), ("train", 20, 2), ("infer", 1, 1)]
    for m in measurements:
        assert m["sizes"] == [784, 12, 10] and m["samples"] == 40
        assert m["interpreter"] in ("cpython", "pypy") and m["version"] and m["python"].startswith("3.")
        assert m["seconds"] > 0 and abs(m["samples_per_s"] - 40 / m["seconds"]) <= 0.01 * m["samples_per_s"]


def test_bench_prints_a_table():
    result = run_nnloop("bench", "--samples", "30", "--hidden", "8")
    assert result.returncode == 0, result.stderr
    header, train, infer = result.stdout.splitlines()
    assert header.split() == ["task", "interpreter", "sizes", "batch", "workers", "samples", "seconds", "samples/s"]
    assert train.startswith("train") and "784-8-10" in train and infer.startswith("infer")


def test_the_profile_splits_an_epoch_into_each_layer_s_passes_and_the_rest(real_mnist):
    import io

    from nnloop.tools.bench import profile
    train, _ = real_mnist
    out = io.StringIO()
    rows = profile(train.first(40), [100], "conv2x5,maxpool2,dense6", 8, out=out)
    names = [(name, direction) for name, direction, _ in rows]
    assert names[:2] == [("layer 1 conv", "forward"), ("layer 1 conv", "backward")]
    assert ("layer 2 maxpool", "backward") in names and ("layer 5 dense", "forward") in names  # 3 flatten, 4 dense
    assert names[-1][0] == "the rest" and all(seconds >= 0 for _, _, seconds in rows)
    shares = [float(line.split()[-1].rstrip("%")) for line in out.getvalue().splitlines()[1:]]
    assert len(shares) == len(rows) and abs(sum(shares) - 100) < 1  # every second of the epoch, once
    for layer in ("conv", "maxpool", "flatten", "dense"):
        assert layer in out.getvalue()


def test_the_profile_is_one_process_and_a_table():
    result = run_nnloop("bench", "--profile", "--workers", "2", "--samples", "20")
    assert result.returncode == 2 and "drop --json and --workers" in result.stderr
