"""Shared helpers: small MNIST directories the tests write themselves, running the CLI, feature maps."""
import gzip
import hashlib
import io
import os
import signal
import struct
import subprocess
import sys

import pytest

from nnloop.files import mnist
from nnloop.tools.gradcheck import FLOOR, ROUNDING, THRESHOLD, relative_error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The numpy yardstick of `make bench` is a script, not a test, and numpy is not a test dependency.
collect_ignore = ["yardstick"]

NAMES = {("train", "images"): "train-images-idx3-ubyte", ("train", "labels"): "train-labels-idx1-ubyte",
         ("test", "images"): "t10k-images-idx3-ubyte", ("test", "labels"): "t10k-labels-idx1-ubyte"}


def idx_bytes(sizes, data):
    """An unsigned-byte IDX file: magic 0x0000 08 d, the sizes, the data."""
    return struct.pack(f">BBBB{len(sizes)}I", 0, 0, 0x08, len(sizes), *sizes) + bytes(data)


@pytest.fixture(scope="session")
def real_mnist():
    """(train, test) Digits of the bundled MNIST, read once per test session."""
    return mnist.load()


def write_mnist(directory, train, test, gz=True, sums=True):
    """Write Digits train and test as the four MNIST files (+ SHA256SUMS) in directory."""
    os.makedirs(directory, exist_ok=True)
    lines = []
    for part, digits in (("train", train), ("test", test)):
        for kind, sizes, data in (("images", [len(digits), 28, 28], digits.pixels),
                                  ("labels", [len(digits)], digits.labels)):
            content = idx_bytes(sizes, data)
            name = NAMES[part, kind] + (".gz" if gz else "")
            path = os.path.join(directory, name)
            with open(path, "wb") as f:
                f.write(gzip.compress(content, mtime=0) if gz else content)
            with open(path, "rb") as f:
                lines.append(f"{hashlib.sha256(f.read()).hexdigest()}  {name}\n")
    if sums:
        with open(os.path.join(directory, "SHA256SUMS"), "w") as f:
            f.writelines(lines)
    return str(directory)


@pytest.fixture
def small_mnist(tmp_path, real_mnist):
    """A directory with the first 300 training and 200 test digits of the real MNIST."""
    train, test = real_mnist
    return write_mnist(tmp_path / "mnist", train.first(300), test.first(200))


def run_nnloop(*args, cwd=None, **kwargs):
    """Run `python -m nnloop ARGS` as a user would; return the CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "nnloop", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, **kwargs)


def start_nnloop(*args):
    """Start `python -m nnloop ARGS` in the background; return the Popen.

    Ctrl-C must reach it as in a terminal: a shell that runs the tests in the
    background (`make test &`, CI scripts) starts them with SIGINT ignored,
    which Python would inherit.
    """
    return subprocess.Popen([sys.executable, "-m", "nnloop", *map(str, args)],
                            env={**os.environ, "PYTHONPATH": ROOT}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def assert_refused(result, *fragments):
    """Exit status 2, one line on stderr naming the problem, no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def delta_from_back(f, A, H, back, delta):
    """delta[i] = f'(A[i]) * back[i]: what the network does between layers, node by node."""
    for i in range(len(A)):
        delta[i] = f.derivative(A[i], H[i]) * back[i]


def zeros3(shape):
    """Feature maps of 0.0 as nnloop holds them: one list, node (c, y, x) at (c*rows + y)*cols + x."""
    C, rows, cols = shape
    return [0.0] * (C * rows * cols)


def random3(shape, rnd, lo=-2.0, hi=2.0):
    """Random feature maps as one list, drawn in the order (c, y, x)."""
    C, rows, cols = shape
    return [rnd.uniform(lo, hi) for _ in range(C * rows * cols)]


def flat3(maps):
    """Maps written as the textbook draws them, maps[c][y][x], as the one list nnloop holds."""
    return [value for channel in maps for row in channel for value in row]


def maps3(values, shape):
    """flat3's way back: the one list values as nested maps[c][y][x] of the shape (C, rows, cols)."""
    C, rows, cols = shape
    return [[values[(c * rows + y) * cols:(c * rows + y + 1) * cols] for y in range(rows)] for c in range(C)]


# Finite differences for a layer alone (the network-level check is nnloop.tools.gradcheck itself).
EPS = 1e-5


def central_difference(loss, values, index, eps):
    """(the central difference of loss() in values[index], its rounding error); values[index] ends as it began."""
    p = values[index]
    step = (p + eps) - (p - eps)
    values[index] = p + eps
    plus = loss()
    values[index] = p - eps
    minus = loss()
    values[index] = p
    return (plus - minus) / step, ROUNDING * max(abs(plus), abs(minus)) / step


def assert_matches_finite_difference(name, backprop_value, loss, values, index):
    """The check of gradcheck.check_gradients: error below THRESHOLD plus the central difference's noise."""
    numerical, rounding = central_difference(loss, values, index, EPS)
    coarse, _ = central_difference(loss, values, index, 2 * EPS)
    scale = max(abs(backprop_value), abs(numerical), FLOOR)
    noise = (rounding + abs(numerical - coarse)) / scale
    error = relative_error(backprop_value, numerical)
    assert error < THRESHOLD + noise, f"{name}: backprop {backprop_value!r}, numerical {numerical!r}, noise {noise!r}"
    assert noise < 1e-5, f"{name}: noise {noise!r} would hide a real error"


@pytest.fixture(scope="module")
def trained(tmp_path_factory, real_mnist):
    """(directory, its MNIST of 64 and 50 digits, a 784-3-10 model trained one epoch on them)."""
    from nnloop import Recipe
    from nnloop.cli.trainer import Run, train_mnist
    root = tmp_path_factory.mktemp("run")
    train, test = real_mnist
    data = write_mnist(root / "mnist", train.first(64), test.first(50))
    model = root / "m.json"
    assert train_mnist(Run.start(Recipe(hidden=[3], epochs=1, data=data, reproducible=True)), str(model),
                       out=io.StringIO()) == 0
    return root, data, model


def run_in_process(capsys, *args):
    """(exit status, stdout, stderr) of `nnloop ARGS` run by nnloop.cli.main in this process."""
    from nnloop.cli import main
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err
