"""The layers, one kind per file: each one's forward and backward loops, and f and f' (activations.py).

KINDS is the registry of layer kinds by name: the name is the "type" of
the layer in model and spec files, and nnloop.architecture reads --layers
words, files and sizes through it. A new kind is a new file here and one
entry below.
"""
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .pooling import AvgPool, MaxPool

KINDS = {cls.kind: cls for cls in (Conv2D, MaxPool, AvgPool, Flatten, Dense, Dropout)}
