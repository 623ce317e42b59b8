"""The files nnloop ships with: the MNIST digits and the example network specs.

They live in the repository's top-level data/ directory. A wheel or
`pip install .` carries the same files inside the package as nnloop/data/,
so every command finds them from any directory, in a checkout or installed.

>>> sorted(examples())[:4]
['conv-strided', 'conv-worked', 'softmax-3-4-3', 'worked-relu']
>>> os.path.basename(example("xor"))
'xor.json'
"""
import os

PACKAGE = os.path.dirname(os.path.abspath(__file__))
# Installed: nnloop/data/, put there by the wheel. In a checkout: the data/ beside nnloop/.
DATA = next((d for d in (os.path.join(PACKAGE, "data"), os.path.join(os.path.dirname(PACKAGE), "data"))
             if os.path.isdir(d)), os.path.join(os.path.dirname(PACKAGE), "data"))
MNIST = os.path.join(DATA, "mnist")
EXAMPLES = os.path.join(DATA, "examples")


def examples():
    """{name: path} of every shipped example spec: 'xor' for data/examples/xor.json."""
    if not os.path.isdir(EXAMPLES):
        return {}
    return {name[:-len(".json")]: os.path.join(EXAMPLES, name)
            for name in os.listdir(EXAMPLES) if name.endswith(".json")}


def example(name):
    """The path of the shipped example called name (with or without .json), or None."""
    if name.endswith(".json"):
        name = name[:-len(".json")]
    return examples().get(name)
