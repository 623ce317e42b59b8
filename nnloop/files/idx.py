"""Reading IDX files, the format MNIST comes in (gzipped or raw).

An IDX file is a big-endian header, then raw data:

    bytes 0-1   0, 0
    byte 2      the type of the data: 0x08 = unsigned byte, the only one MNIST uses
    byte 3      the number of dimensions, d
    then        d 32-bit sizes, e.g. 60000, 28, 28 for the training images
    then        the data, size[0] * ... * size[d-1] values, last dimension fastest

So 0x00000803 opens a file of images, 0x00000801 a file of labels.

>>> import struct
>>> header = struct.pack(">BBBBI", 0, 0, 0x08, 1, 3)
>>> parse_idx(header + bytes([7, 2, 1]), "labels")
([3], b'\\x07\\x02\\x01')
"""
import gzip
import struct
import zlib

from ..errors import NnloopError

UNSIGNED_BYTE = 0x08


def read_idx(path):
    """(sizes, data) of the IDX file at path: the dimension sizes, and the data as bytes.

    A name ending in .gz is read through gzip. Any file that is not a
    well-formed unsigned-byte IDX file raises NnloopError saying why.
    """
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rb") as f:
                content = f.read()
        else:
            with open(path, "rb") as f:
                content = f.read()
    except FileNotFoundError:
        raise NnloopError(f"missing file {path}: restore it (git checkout data/) or pass --data DIR "
                          "with the four MNIST files") from None
    except gzip.BadGzipFile:
        raise NnloopError(f"{path} is named .gz but is not gzip data: gzip it, or drop .gz from its name") from None
    except (EOFError, zlib.error):
        raise NnloopError(f"{path} is truncated or damaged (its gzip stream breaks off): "
                          "restore it (git checkout data/) or download it again") from None
    except OSError as e:
        raise NnloopError(f"cannot read {path}: {e.strerror or e}") from None
    return parse_idx(content, path)


def parse_idx(content, path):
    """(sizes, data) from the bytes of an IDX file; path names it in errors."""
    if len(content) < 4 or content[0] != 0 or content[1] != 0:
        raise NnloopError(f"{path} is not an IDX file: it does not start with the magic number 0x0000: restore "
                          "it (git checkout data/) or download it again")
    if content[2] != UNSIGNED_BYTE:
        raise NnloopError(f"{path} holds IDX data of type 0x{content[2]:02x}; nnloop reads unsigned bytes (0x08) only: use the "
                          "MNIST files")
    d = content[3]
    if d == 0 or len(content) < 4 + 4 * d:
        raise NnloopError(f"{path} is truncated: its IDX header with {d} dimension sizes is incomplete: restore it "
                          "(git checkout data/) or download it again")
    sizes = list(struct.unpack(f">{d}I", content[4:4 + 4 * d]))
    expected = 1
    for n in sizes:
        expected *= n
    data = content[4 + 4 * d:]
    if len(data) < expected:
        raise NnloopError(f"{path} is truncated: its header promises {expected} bytes of data "
                          f"({' x '.join(map(str, sizes))}), the file holds {len(data)}: restore it (git checkout data/) or "
                          "download it again")
    if len(data) > expected:
        raise NnloopError(f"{path} holds {len(data) - expected} bytes more than its header describes "
                          f"({' x '.join(map(str, sizes))}): it is damaged; restore it (git checkout data/) or download it again")
    return sizes, data
