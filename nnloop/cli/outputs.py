"""Where a command may write: checked before any work, so nothing is lost.

A command writes its output only after every check has passed, and never
over a file it was given as input. A training run never replaces the model
file of another run unless told to (--force): a model can be an hour of
training, and a second `nnloop train` with the default -o would silently
throw it away.
"""
import json
import os
import re

from ..errors import NnloopError

KINDS = {"nnloop-model": "model file", "nnloop-spec": "network spec"}  # by their "format"
FORMAT_MARK = re.compile(rb'"format"\s*:\s*"(nnloop-model|nnloop-spec)"')


def check_output(path, inputs=(), option="-o"):
    """Refuse to write path: a directory, one of the input files, or where no directory can be made or written.

    A missing directory is fine (it is made when the file is written, as
    models/ is for nnloop train); the nearest one that exists must be a
    writable directory.
    """
    if os.path.isdir(path):
        raise NnloopError(f"{option} {path} is a directory: give a file name, like "
                          f"{os.path.join(path, 'out' + (os.path.splitext(path)[1] or '.json'))}")
    for source in inputs:
        if source and same_file(path, source):
            raise NnloopError(f"{option} {path} is the input file {source}: writing there would destroy it; "
                              f"choose another {option}")
    directory = os.path.dirname(os.path.abspath(path))
    existing = directory
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise NnloopError(f"cannot create the directory {directory} for {path}: {existing} is a file; choose another "
                          f"{option}")
    if not os.access(existing, os.W_OK):
        raise NnloopError(f"cannot write {path}: the directory {existing} is not writable; choose another {option}")


def check_not_a_model(path, option="-o", force=False):
    """Refuse to write something else (a report, a picture) over an existing nnloop model or spec file.

    force: the person said --force, so the file may go.
    """
    kind = nnloop_file_kind(path)
    if kind and not force:
        raise NnloopError(f"{option} {path} is an nnloop {kind}: writing there would destroy it; choose another "
                          f"{option}, or pass --force to replace it")


def check_other_run(path, force, resume_source=None):
    """Refuse to let a training run replace an existing file, unless forced or resuming that very file."""
    if force or not os.path.exists(path) or (resume_source and same_file(path, resume_source)):
        return
    is_model = nnloop_file_kind(path) == "model file"
    what = "another training run's model" if is_model else "a file"
    hint = f"continue that run with {resume_options(path)}, " if is_model else ""
    raise NnloopError(f"{path} already exists and holds {what}: {hint}write this run elsewhere with -o MODEL, "
                      "or replace it with --force")


def resume_options(path):
    """'--resume PATH', and --epochs past the run's last epoch if it has had all it was started with."""
    try:
        with open(path, encoding="utf-8") as f:
            training = json.load(f)["training"]
        done, planned = training["epochs_done"], training["arguments"]["epochs"]
        finished = done >= planned
    except (OSError, ValueError, RecursionError, KeyError, TypeError):  # not readable as a run: nothing to add
        return f"--resume {path}"
    return f"--resume {path} --epochs {done + 10}" if finished else f"--resume {path}"


def same_file(a, b):
    """True if paths a and b name one file, whether or not it exists yet."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: compare the names
        return os.path.realpath(a) == os.path.realpath(b)


def nnloop_file_kind(path):
    """'model file' or 'network spec' if nnloop would read the file at path as one, else None.

    The file is parsed, so its keys may come in any order (a JSON tool that
    re-saved it may have sorted them). One that does not parse, cut short or
    edited into bad JSON, still counts if it says "format": "nnloop-model"
    anywhere: better a refusal than a lost model.
    """
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError:
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        found = FORMAT_MARK.search(text)
        return KINDS[found.group(1).decode()] if found else None
    name = document.get("format") if isinstance(document, dict) else None
    return KINDS.get(name) if isinstance(name, str) else None
