"""The one exception nnloop raises for bad input from a person.

Its message is a single line that names the problem and the fix; the command
line prints it as `nnloop: error: ...` and exits with status 2, without a
traceback. Anything else escaping is a bug in nnloop.
"""


class NnloopError(ValueError):
    """Bad input: a file, an option or a network description nnloop refuses."""
