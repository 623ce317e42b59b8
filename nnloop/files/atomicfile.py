"""Writing a file so that it is either the old one or the new one, never half.

The text goes to a temporary file in the same directory, is flushed to disk,
and then renamed over the target: a rename within one file system is atomic,
so an interrupted run (Ctrl-C, a crash, a full disk) leaves the previous file
intact, and readers never see a partial one.
"""
import os
import tempfile


def write_atomically(path, text):
    """Replace the file at path by text (UTF-8), atomically, making its directory if there is none."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def current_umask():
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask
