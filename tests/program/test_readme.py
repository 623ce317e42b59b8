"""The README's examples run as written."""
import json
import os
import re

from conftest import ROOT, run_nnloop

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_the_python_api_blocks_run_in_order_and_their_asserts_hold(tmp_path, monkeypatch):
    section = README.split("## Python API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 4  # the worked example, a convnet, training, a run's recipe
    monkeypatch.chdir(tmp_path)
    names = {}
    for block in blocks:
        exec(block, names)
    assert names["convnet"].shape_name() == "1x6x6-2x4x4-2x2x2-8-3" and names["losses"][-1] < 0.01
    assert (tmp_path / "xor.json").exists()
    assert names["recipe"].eta == 0.5 and names["refusal"] is not None


def test_the_convnet_section_s_python_block_runs():
    block = re.search(r"\*\*From Python:\*\*\n\n```python\n(.*?)```", README, re.S).group(1)
    names = {}
    exec(block, names)
    assert names["net"].shape_name() == "1x28x28-8x24x24-8x12x12-1152-100-10"


def test_the_public_names_are_all_importable_from_nnloop():
    import nnloop
    assert sorted(set(nnloop.__all__)) == sorted(nnloop.__all__)
    for name in nnloop.__all__:
        assert getattr(nnloop, name) is not None, name
    assert {"Dense", "Conv2D", "MaxPool", "AvgPool", "Flatten", "Momentum", "Adam", "eta_at", "Recipe",
            "check_gradients", "NodeValues", "Gradients"} <= set(nnloop.__all__)


def shape(line):
    """A regex for lines like line, whatever their numbers and the interpreter that printed them."""
    pattern = re.escape(line).replace(re.escape("PyPy 7.3.11 (Python 3.9.16)"), "(CPython|PyPy) .+")
    pattern = re.sub(r"\d[\d,]*(\\\.\d+)?", r"[\\d,]+(\\.\\d+)?", pattern)
    return re.sub(r"(\\ )+", " +", pattern)  # numbers of other widths shift the columns


def test_the_front_pages_training_lines_are_what_nnloop_train_prints(tmp_path, small_mnist):
    block = re.search(r"```\n\$ nnloop train\n(.*?)```", README, re.S).group(1)
    shown = [line for line in block.splitlines() if line != "..."]
    result = run_nnloop("train", "--data", small_mnist, "--epochs", "2", "-o", tmp_path / "m.json")
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert len(shown) == 3
    for line in shown:
        assert any(re.fullmatch(shape(line), out) for out in printed), (line, printed)


def test_the_shape_of_a_line_ignores_numbers_only():
    assert re.fullmatch(shape("epoch   1/10  loss 0.3257  test 94.80%"), "epoch   2/2  loss 1.25  test 9.5%")
    assert not re.fullmatch(shape("epoch   1/10  loss 0.3257"), "epoch   1/10  cost 0.3257")


def test_the_98_percent_command_runs_as_written_and_is_in_the_help(tmp_path, small_mnist):
    section = README.split("## Optimizers and regularization", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"```sh\n/usr/bin/time -v pypy3 -m nnloop train (.*?)\n```", section, re.S).group(1)
    words = command.replace("\\\n", " ").split()
    options = list(words)
    at = options.index("-o")
    options[at + 1] = tmp_path / "m.json"
    # six epochs of 256 hidden nodes would take CPython a while: one on 50 digits shows the options work
    result = run_nnloop("train", *options, "--data", small_mnist, "--limit", "50", "--epochs", "1", "--reproducible")
    assert result.returncode == 0, result.stderr
    arguments = json.loads((tmp_path / "m.json").read_text())["training"]["arguments"]
    assert (arguments["hidden"], arguments["optimizer"], arguments["learning_rate"], arguments["lr_schedule"]) == \
        ([256], "momentum", 0.05, "cosine")
    assert " ".join(words) in " ".join(
        run_nnloop("train", "--help").stdout.replace("\\\n", " ").split())


def test_the_99_percent_convnet_command_runs_as_written(tmp_path, small_mnist):
    section = README.split("## Convnets: convolution and pooling", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"past 99%.*?```sh\nnnloop train (.*?)\n```", section, re.S).group(1)
    options = command.replace("\\\n", " ").split()
    at = options.index("-o")
    options[at + 1] = tmp_path / "m.json"
    # six epochs of a convnet would take CPython an hour: one on 20 digits, one process, shows the options work
    options[options.index("--workers") + 1] = "1"
    result = run_nnloop("train", *options, "--data", small_mnist, "--limit", "20", "--epochs", "1", "--reproducible")
    assert result.returncode == 0, result.stderr
    arguments = json.loads((tmp_path / "m.json").read_text())["training"]["arguments"]
    assert (arguments["layers"], arguments["batch_size"], arguments["learning_rate"], arguments["lr_schedule"]) == \
        ("conv8x5,maxpool2,conv16x5,maxpool2,dense100", 128, 0.08, "cosine")


def test_the_first_screen_says_how_to_start_how_long_it_takes_and_shows_a_picture():
    lines = README.splitlines()
    first_section = next(n for n, line in enumerate(lines) if line.startswith("## "))
    assert first_section <= 80, first_section  # the front page stays one screen and a bit
    screen = "\n".join(lines[:30])
    for fact in ("make train", "make test", "python3 -m nnloop", "pip install .", "half a minute under PyPy",
                 "9 minutes under CPython", "MIT"):
        assert fact in screen, fact
    picture = re.search(r"!\[[^]]*\]\((data/images/[\w-]+\.png)\)", screen)
    assert picture and os.path.exists(os.path.join(ROOT, picture.group(1)))


def test_every_path_the_readme_names_exists():
    """A path in backquotes (`nnloop/layers/conv.py`, `tests/tools/test_export.py`, `data/examples/xor.json`),
    or one of the file table's, relative to nnloop/: a move that forgets the README fails here."""
    quoted = set(re.findall(r"`((?:nnloop|tests|data|\.ci)/[\w./-]+)`", README))
    table = README.split("## The files", 1)[1].split("**Adding a kind of layer**", 1)[0]
    quoted |= {"nnloop/" + path for path in re.findall(r"`((?:\w+/)?\w+\.py)`", table)}
    assert len(quoted) > 40
    quoted.discard("nnloop/data/")  # where the wheel puts data/: it exists only in an installed package
    missing = sorted(path for path in quoted if not os.path.exists(os.path.join(ROOT, path.rstrip("/"))))
    assert not missing, missing
