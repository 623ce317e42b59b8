"""The IDX reader and MNIST loading: good files read right, bad ones refused clearly."""
import gzip
import os

import pytest

from nnloop import NnloopError
from nnloop.files import mnist
from nnloop.files.idx import parse_idx, read_idx

from conftest import NAMES, assert_refused, idx_bytes, run_nnloop, write_mnist


def test_reads_gzipped_and_raw_idx_files_alike(tmp_path):
    content = idx_bytes([2, 3], [1, 2, 3, 4, 5, 6])
    (tmp_path / "a.idx").write_bytes(content)
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(content))
    assert read_idx(tmp_path / "a.idx") == read_idx(tmp_path / "a.idx.gz") == ([2, 3], bytes([1, 2, 3, 4, 5, 6]))


def test_the_bundled_mnist_has_60000_and_10000_digits_with_labels_0_to_9(real_mnist):
    train, test = real_mnist
    assert (len(train), len(test)) == (60000, 10000)
    assert set(train.labels) == set(range(10))
    assert train.labels[:5] == bytes([5, 0, 4, 1, 9])  # the well-known first five training labels


def test_a_sample_is_784_floats_in_0_1_and_a_one_hot_target(real_mnist):
    train, _ = real_mnist
    x, T = train[0]
    assert len(x) == 784 and all(isinstance(p, float) and 0.0 <= p <= 1.0 for p in x)
    assert x == [p / 255 for p in train.pixels[:784]]
    assert T == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    # about 81% of MNIST's pixels are exactly 0
    zeros = sum(p == 0 for p in train.pixels[:784 * 1000]) / (784 * 1000)
    assert 0.78 < zeros < 0.84


def test_unzipped_files_without_digests_load_too(tmp_path, real_mnist):
    train, test = real_mnist
    directory = write_mnist(tmp_path / "raw", train.first(20), test.first(10), gz=False, sums=False)
    small_train, small_test = mnist.load(directory)
    assert small_train.pixels == train.pixels[:20 * 784] and small_test.labels == test.labels[:10]


def test_the_bundled_digests_match_data_readme():
    """data/README.md lists the same SHA-256 digests the trainer verifies."""
    readme = open(os.path.join(mnist.BUNDLED, "..", "README.md")).read()
    for name, digest in mnist.read_digests(mnist.BUNDLED).items():
        if name.endswith(".gz"):
            assert digest in readme, name


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01\x08\x01", "not an IDX file"),
    (b"\x00\x00\x0d\x01\x00\x00\x00\x01" + bytes(4), "type 0x0d"),
    (b"\x00\x00\x08\x03\x00\x00", "truncated: its IDX header"),
    (idx_bytes([5, 2], [0] * 10)[:-3], "truncated: its header promises 10 bytes"),
    (idx_bytes([5, 2], [0] * 10) + b"xx", "holds 2 bytes more than its header describes"),
])
def test_parse_refuses_malformed_idx(content, message):
    with pytest.raises(NnloopError, match=message):
        parse_idx(content, "f.idx")


def break_file(directory, part, kind, content=None, raw=None):
    """Replace one of the four files (gzipping content, or writing raw bytes as they are)."""
    path = os.path.join(directory, NAMES[part, kind] + ".gz")
    with open(path, "wb") as f:
        f.write(raw if raw is not None else gzip.compress(content))
    os.remove(os.path.join(directory, "SHA256SUMS"))
    return path


def refused_by_trainer(directory, *fragments):
    result = run_nnloop("train", "--data", directory, "--epochs", "1", "-o", os.path.join(directory, "m.json"))
    assert_refused(result, *fragments)
    assert not os.path.exists(os.path.join(directory, "m.json"))


def test_wrong_magic_is_refused(small_mnist):
    break_file(small_mnist, "train", "labels", b"\x00\x00\x09\x01" + bytes(8))
    refused_by_trainer(small_mnist, "train-labels-idx1-ubyte.gz", "type 0x09")


def test_truncated_data_is_refused(small_mnist):
    break_file(small_mnist, "test", "images", idx_bytes([200, 28, 28], bytes(200 * 784))[:-784])
    refused_by_trainer(small_mnist, "t10k-images-idx3-ubyte.gz is truncated", "promises 156800 bytes")


def test_a_truncated_gzip_stream_is_refused(small_mnist):
    whole = gzip.compress(idx_bytes([300, 28, 28], bytes(300 * 784)))
    break_file(small_mnist, "train", "images", raw=whole[:len(whole) // 2])
    refused_by_trainer(small_mnist, "train-images-idx3-ubyte.gz is truncated or damaged")


def test_image_and_label_count_mismatch_is_refused(small_mnist):
    break_file(small_mnist, "train", "labels", idx_bytes([299], bytes(299)))
    refused_by_trainer(small_mnist, "holds 300 images but", "holds 299 labels")


def test_wrong_image_size_is_refused(small_mnist):
    break_file(small_mnist, "train", "images", idx_bytes([300, 20, 20], bytes(300 * 400)))
    refused_by_trainer(small_mnist, "images of 20 x 20 pixels; MNIST's are 28 x 28")


def test_a_missing_file_is_refused(small_mnist):
    os.remove(os.path.join(small_mnist, "t10k-labels-idx1-ubyte.gz"))
    refused_by_trainer(small_mnist, "missing file", "t10k-labels-idx1-ubyte.gz")


def test_a_missing_directory_is_refused(tmp_path):
    assert_refused(run_nnloop("train", "--data", tmp_path / "nowhere", "-o", tmp_path / "m.json"),
                   "no data directory")


def test_not_gzip_but_named_gz_is_refused(small_mnist):
    break_file(small_mnist, "test", "labels", raw=idx_bytes([200], bytes(200)))
    refused_by_trainer(small_mnist, "t10k-labels-idx1-ubyte.gz is named .gz but is not gzip data")


def test_digest_mismatch_is_refused(small_mnist):
    path = os.path.join(small_mnist, NAMES["train", "labels"] + ".gz")
    content = bytearray(gzip.decompress(open(path, "rb").read()))
    content[-1] = (content[-1] + 1) % 10  # one changed label: a valid file, but not the one SHA256SUMS names
    with open(path, "wb") as f:
        f.write(gzip.compress(bytes(content)))
    refused_by_trainer(small_mnist, "train-labels-idx1-ubyte.gz is damaged: its SHA-256 is")


def test_label_outside_0_to_9_is_refused(small_mnist):
    break_file(small_mnist, "test", "labels", idx_bytes([200], [3] * 199 + [12]))
    refused_by_trainer(small_mnist, "holds the label 12")
