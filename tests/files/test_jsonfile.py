"""The JSON reader every file of nnloop goes through: a document, or one line saying what is wrong and what to do."""
import pytest

from nnloop.errors import NnloopError
from nnloop.files.jsonfile import MAX_DEPTH, depth, read_json


def read(path):
    return read_json(path, "layer file", missing="give one", invalid="write it again")


def refusal(path):
    with pytest.raises(NnloopError) as caught:
        read(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_document_is_read_as_json_reads_it(tmp_path):
    path = tmp_path / "layer.json"
    path.write_text('{"W": [[1, 2.5], [-3e2, 0]], "note": "caf\\u00e9"}', encoding="utf-8")
    assert read(path) == {"W": [[1, 2.5], [-300.0, 0]], "note": "café"}


def test_a_missing_file_is_named_with_the_kind_and_the_fix(tmp_path):
    assert refusal(tmp_path / "nope.json") == f"no layer file {tmp_path / 'nope.json'}: give one"


def test_a_directory_and_a_binary_file_are_refused(tmp_path):
    assert "is a directory, not a layer file: give one" in refusal(tmp_path)
    binary = tmp_path / "digits.gz"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe")
    assert "is not UTF-8 text, so not a layer file" in refusal(binary)


@pytest.mark.parametrize("text", ["", "{", '{"W": [1, 2,]}', "[1, 2] 3"])
def test_text_that_is_not_json_says_where_json_stopped_and_the_fix(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    message = refusal(path)
    assert message.startswith(f"{path} is not valid JSON (") and message.endswith("): write it again")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_the_constants_json_loads_accepts_but_json_has_not_are_refused(tmp_path, constant):
    path = tmp_path / "nan.json"
    path.write_text(f'{{"B": [{constant}]}}')
    assert f"{constant} is not a number JSON may hold" in refusal(path)


def test_nesting_deeper_than_any_file_of_nnloop_is_refused_before_it_fails_later(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert f"nests lists or objects too deeply to be a layer file (more than {MAX_DEPTH} levels)" in refusal(path)
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert depth(read(path)) == MAX_DEPTH


def test_nesting_too_deep_for_the_json_module_itself_is_one_line_too(tmp_path):
    path = tmp_path / "deeper.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    assert refusal(path) == f"{path} nests lists or objects too deeply to be a layer file: write it again"


@pytest.mark.parametrize("document, expected", [
    (3.5, 0), ("text", 0), ([], 1), ({}, 1), ([1, [2, [3]]], 3), ({"a": [{"b": []}], "c": 1}, 4),
])
def test_depth_counts_the_levels_of_lists_and_objects(document, expected):
    assert depth(document) == expected
