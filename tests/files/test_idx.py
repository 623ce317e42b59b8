"""nnloop.files.idx: reading IDX files, raw or gzipped; the malformed headers are refused in tests/files/test_mnist.py,
the ways reading a file itself fails here."""
import gzip

import pytest
from hypothesis import given, strategies as st

from nnloop import NnloopError
from nnloop.files.idx import parse_idx, read_idx

from conftest import idx_bytes


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.randoms())
def test_parse_returns_the_sizes_and_the_data_last_dimension_fastest(sizes, rnd):
    n = 1
    for s in sizes:
        n *= s
    data = [rnd.randrange(256) for _ in range(n)]
    assert parse_idx(idx_bytes(sizes, data), "f") == (sizes, bytes(data))


def test_a_header_of_zero_dimensions_is_refused():
    with pytest.raises(NnloopError, match="truncated: its IDX header with 0 dimension sizes"):
        parse_idx(bytes([0, 0, 8, 0]), "f.idx")


@pytest.mark.parametrize("name, content, message", [
    ("labels.gz", b"not gzip at all", r"labels\.gz is named \.gz but is not gzip data"),
    ("labels.gz", gzip.compress(idx_bytes([100], [1] * 100))[:-12], r"labels\.gz is truncated or damaged"),
    ("labels", b"", r"labels is not an IDX file"),
])
def test_a_file_that_cannot_be_read_as_idx_is_refused_naming_it(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(NnloopError, match=message):
        read_idx(str(tmp_path / name))


def test_a_missing_file_says_how_to_restore_it(tmp_path):
    with pytest.raises(NnloopError, match=r"^missing file .*none: restore it \(git checkout data/\) or pass --data"):
        read_idx(str(tmp_path / "none"))


def test_a_directory_is_refused_in_one_line(tmp_path):
    with pytest.raises(NnloopError, match=r"^cannot read .*: "):
        read_idx(str(tmp_path))
