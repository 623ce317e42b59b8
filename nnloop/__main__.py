"""`python -m nnloop` runs the command line, as `nnloop` does."""
import sys

from .cli import main

sys.exit(main())
