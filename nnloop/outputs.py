"""Where a command may write: checked before any work, so nothing is lost.

A command writes its output only after every check has passed, and never
over a file it was given as input. A training run never replaces the model
file of another run unless told to (--force): a model can be an hour of
training, and a second `nnloop train` with the default -o would silently
throw it away.
"""
import os

from .errors import NnloopError


def check_output(path, inputs=(), option="-o", create_directory=False):
    """Refuse to write path: a directory, one of the input files, or in a directory that cannot be.

    create_directory: make the directory if it is missing (as train does for
    models/), instead of refusing.
    """
    if os.path.isdir(path):
        raise NnloopError(f"{option} {path} is a directory: give a file name, like "
                          f"{os.path.join(path, 'out' + (os.path.splitext(path)[1] or '.json'))}")
    for source in inputs:
        if source and same_file(path, source):
            raise NnloopError(f"{option} {path} is the input file {source}: writing there would destroy it; "
                              f"choose another {option}")
    directory = os.path.dirname(os.path.abspath(path))
    if create_directory:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as e:
            raise NnloopError(f"cannot create the directory {directory} for {path} ({e.strerror}): "
                              f"choose another {option}") from None
    elif not os.path.isdir(directory):
        raise NnloopError(f"cannot write {path}: there is no directory {directory}; create it first, or choose "
                          f"another {option}")
    if not os.access(directory, os.W_OK):
        raise NnloopError(f"cannot write {path}: the directory {directory} is not writable; choose another {option}")


def check_not_a_model(path, option="-o"):
    """Refuse to write something else (a report, a picture) over an existing nnloop model file."""
    if os.path.isfile(path) and looks_like_model(path):
        raise NnloopError(f"{option} {path} is an nnloop model file: writing there would destroy it; choose another "
                          f"{option}")


def check_other_run(path, force, resume_source=None):
    """Refuse to let a training run replace an existing file, unless forced or resuming that very file."""
    if force or not os.path.exists(path) or (resume_source and same_file(path, resume_source)):
        return
    what = "another training run's model" if looks_like_model(path) else "a file"
    hint = f"continue that run with --resume {path}, " if looks_like_model(path) else ""
    raise NnloopError(f"{path} already exists and holds {what}: {hint}write this run elsewhere with -o MODEL, "
                      "or replace it with --force")


def same_file(a, b):
    """True if paths a and b name one file, whether or not it exists yet."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: compare the names
        return os.path.realpath(a) == os.path.realpath(b)


def looks_like_model(path):
    """True if the file at path starts like a model file nnloop wrote."""
    try:
        with open(path, "rb") as f:
            return b'"nnloop-model"' in f.read(200)
    except OSError:
        return False
