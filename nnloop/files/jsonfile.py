"""JSON files read with one clear line for whatever is wrong: missing, not text, not JSON, absurdly deep.

Model files (modelfile.py), network specs (nnloop.tools.spec) and the layer
files of nnloop geometry are all read by read_json: json.loads, never
pickle, so reading a file runs no code.
"""
import json

from ..errors import NnloopError, read_text

# The deepest a file of nnloop's holds is 11 (a conv layer's Adam state: training, optimizer, state, m, W, k, and
# K's four levels); anything deeper is not one, and would fail only later, when saved again.
MAX_DEPTH = 16


def read_json(path, kind, missing, invalid):
    """The parsed JSON document in the file at path, or an NnloopError in one line.

    kind names the file ("model file"); missing and invalid say what to do
    when there is no such file, or when it holds no valid JSON.
    """
    text = read_text(path, kind, missing)
    try:
        document = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:  # json recurses once per level of nesting
        raise NnloopError(f"{path} nests lists or objects too deeply to be a {kind}: {invalid}") from None
    except ValueError as e:
        raise NnloopError(f"{path} is not valid JSON ({first_line(e)}): {invalid}") from None
    if depth(document) > MAX_DEPTH:
        raise NnloopError(f"{path} nests lists or objects too deeply to be a {kind} (more than {MAX_DEPTH} "
                          f"levels): {invalid}")
    return document


def depth(document):
    """How deeply lists and objects nest in a parsed JSON document: 0 for a number, 1 for [1, 2].

    >>> depth({"W": [[1.0, 2.0]], "B": [0.5]})
    3
    """
    deepest, stack = 0, [(document, 1)]
    while stack:  # a stack, not recursion: the depth being measured may be anything
        value, level = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, (list, dict)))
    return deepest


def refuse_constant(name):
    """json.loads reads NaN, Infinity and -Infinity, which JSON itself has not: refuse them as invalid."""
    raise ValueError(f"{name} is not a number JSON may hold")


def first_line(error):
    return str(error).splitlines()[0]
