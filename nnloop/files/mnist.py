"""MNIST as samples: 28x28 digits become 784 inputs in [0, 1] and one-hot targets.

The four files live in one directory (the bundled copy is data/mnist/):

    train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz    60,000 digits
    t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz     10,000 digits

(each may also be unzipped, without .gz). If the directory holds a
SHA256SUMS file, as the bundled one does, every file must match its digest.

The pixels stay bytes, 784 per image, and become floats one sample at a
time, so all of MNIST takes 55 MB of memory instead of the 1.5 GB that
lists of Python floats would.
"""
import hashlib
import os

from ..bundled import MNIST as BUNDLED
from ..errors import NnloopError, read_text
from .idx import read_idx

ROWS = COLS = 28
CLASSES = 10

# A pixel byte p becomes the input p / 255; looked up, not divided, per pixel.
PIXEL = [p / 255.0 for p in range(256)]
ONE_HOT = [[1.0 if i == label else 0.0 for i in range(CLASSES)] for label in range(CLASSES)]


def check_model(net, path):
    """Refuse a network that does not read MNIST digits: 784 inputs (or 1x28x28 feature maps) and 10 outputs."""
    digit_shape = (1, ROWS, COLS)
    if net.shapes[0] not in (ROWS * COLS, digit_shape) or net.sizes[-1] != CLASSES:
        reads = net.shapes[0] if isinstance(net.shapes[0], int) else "x".join(map(str, net.shapes[0]))
        raise NnloopError(f"{path} is a network of {reads} inputs and {net.sizes[-1]} outputs; MNIST digits need "
                          f"784 inputs (a convnet 1x28x28) and 10 outputs: use a model from nnloop train, or a spec")


class Digits:
    """Labelled images, as bytes; digits[i] is the sample (x, T).

    pixels  bytes, 784 per image, row by row, 0 (white) to 255 (black)
    labels  bytes, one per image, 0..9
    x       784 floats, pixel / 255: the input H[0]
    T       the one-hot target: 10 floats, 1.0 at the label
    """

    def __init__(self, pixels, labels):
        self.pixels = pixels
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.inputs(i), ONE_HOT[self.labels[i]]

    def inputs(self, i):
        """x for digit i: its 784 pixels scaled to [0, 1]."""
        start = i * ROWS * COLS
        return [PIXEL[p] for p in self.pixels[start:start + ROWS * COLS]]

    def first(self, n):
        """The first n digits (all of them if n is None)."""
        if n is None or n >= len(self):
            return self
        return Digits(self.pixels[:n * ROWS * COLS], self.labels[:n])


def load(directory=BUNDLED):
    """(train, test): the training and test Digits from the MNIST files in directory."""
    digests = read_digests(directory)
    train = load_pair(directory, "train", digests)
    test = load_pair(directory, "t10k", digests)
    return train, test


def load_pair(directory, prefix, digests):
    pixels_path = find(directory, f"{prefix}-images-idx3-ubyte")
    labels_path = find(directory, f"{prefix}-labels-idx1-ubyte")
    for path in (pixels_path, labels_path):
        verify(path, digests)
    image_sizes, pixels = read_idx(pixels_path)
    label_sizes, labels = read_idx(labels_path)
    if len(image_sizes) != 3 or image_sizes[1:] != [ROWS, COLS]:
        shape = " x ".join(map(str, image_sizes[1:])) or "no"
        raise NnloopError(f"{pixels_path} holds images of {shape} pixels; MNIST's are {ROWS} x {COLS}, "
                          "the 784 inputs of the network: use the MNIST files (git checkout data/)")
    if len(label_sizes) != 1:
        raise NnloopError(f"{labels_path} is not a label file: it has {len(label_sizes)} dimensions, labels have 1")
    if image_sizes[0] == 0:
        raise NnloopError(f"{pixels_path} holds 0 images: there is nothing to learn from or test on; "
                          "restore it (git checkout data/) or pass --data DIR with the four MNIST files")
    if image_sizes[0] != label_sizes[0]:
        raise NnloopError(f"{pixels_path} holds {image_sizes[0]} images but {labels_path} holds "
                          f"{label_sizes[0]} labels: use files from the same set")
    if labels and max(labels) >= CLASSES:
        raise NnloopError(f"{labels_path} holds the label {max(labels)}; MNIST's labels are 0 to 9: restore it (git checkout data/) or download it again")
    return Digits(pixels, labels)


def find(directory, name):
    """The path of name.gz in directory, or of name if only the unzipped file is there."""
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.isdir(path):
            raise NnloopError(f"{path} is a directory, not an MNIST file: put the IDX file there "
                              "(git checkout data/), or pass --data DIR with the four MNIST files")
        if os.path.exists(path):
            return path
    if not os.path.isdir(directory):
        raise NnloopError(f"no data directory {directory}: pass --data DIR, a directory with the four MNIST files")
    raise NnloopError(f"missing file {os.path.join(directory, name + '.gz')}: restore it (git checkout data/) "
                      "or pass --data DIR with the four MNIST files")


def read_digests(directory):
    """{file name: SHA-256 hex} from directory/SHA256SUMS, or {} if there is none.

    Lines are `<digest>  <name>`; a `<name> (uncompressed)` line gives the
    digest of the unzipped file.
    """
    path = os.path.join(directory, "SHA256SUMS")
    if not os.path.exists(path):
        return {}
    fix = "restore it (git checkout data/), or delete it to skip the check"
    lines = read_text(path, "list of checksums", fix, unreadable=fix).splitlines()
    digests = {}
    for number, line in enumerate(lines, 1):
        if line.strip():
            parts = line.split(None, 1)
            if len(parts) != 2 or len(parts[0]) != 64 or not all(c in HEX for c in parts[0].lower()):
                raise NnloopError(f"{path} line {number} is not '<64 hex digits>  <file name>': {fix}")
            digest, name = parts
            digests[name.strip().replace(" (uncompressed)", "")] = digest.lower()
    return digests


HEX = "0123456789abcdef"


def verify(path, digests):
    """Refuse the file at path if SHA256SUMS lists a different digest for it."""
    expected = digests.get(os.path.basename(path))
    if expected is None:
        return
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != expected:
        raise NnloopError(f"{path} is damaged: its SHA-256 is {h.hexdigest()[:16]}..., SHA256SUMS says "
                          f"{expected[:16]}...; restore it (git checkout data/) or download it again")


def draw(pixels):
    """A 28x28 digit as 28 lines of text, two characters a pixel, darker = denser.

    >>> draw(bytes([0, 128, 255, 0]) * 196).splitlines()[0][:8]
    '  ++@@  '
    """
    shades = " .:-=+*#%@"
    lines = []
    for r in range(ROWS):
        row = pixels[r * COLS:(r + 1) * COLS]
        lines.append("".join(2 * shades[p * len(shades) // 256] for p in row).rstrip())
    return "\n".join(lines)
