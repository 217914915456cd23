"""One file holding named NumPy arrays and JSON metadata, readable by memory-mapping; no pickle.

fastw2v saves ``KeyedVectors`` in this container; anything made of arrays and JSON fits. API::

    write(path, meta: dict, arrays: dict[str, np.ndarray]) -> None     # atomic
    read(path, mmap=None) -> (meta: dict, arrays: dict[str, np.ndarray])
    encode_strings(strings) -> (blob: uint8 array, offsets: int64 array)
    decode_strings(blob, offsets) -> list[str]

By convention ``meta["format"]`` names what a file holds and that layout's version
(``"fastw2v-keyedvectors-1"``, ``"fastw2v-model-2"``), so a loader can refuse other files by name.

Layout, every integer little-endian:

====================  ==========================================================================
bytes                 content
====================  ==========================================================================
0 .. 8                magic ``b"\\x93FASTW2V"`` (a non-ASCII first byte, as NumPy's ``.npy``)
8 .. 16               ``N``: length of the header in bytes, unsigned 64-bit
16 .. 16+N            the header: UTF-8 JSON object (below), strict JSON (no NaN/Infinity)
16+N ..               zero bytes up to the first array; every array starts at a multiple of 64
                      bytes (cache lines, SIMD loads and ``np.memmap`` views stay aligned)
====================  ==========================================================================

The header::

    {"format": "fastw2v-container", "version": 1,
     "file_size": total bytes of the file,
     "arrays": {name: {"dtype": "<f4", "shape": [V, D], "offset": bytes from the start of
                       the file, "nbytes": bytes}, ...},
     "meta": {free JSON of the caller}}

Arrays are raw C-order data in little-endian byte order (``dtype`` is NumPy's ``dtype.str``:
``"<f4"``, ``"<i8"``, ``"|u1"`` ...); only booleans and numbers are allowed, never objects. To
store strings use ``encode_strings``: one ``uint8`` array of UTF-8 bytes plus ``int64`` byte
offsets (string ``i`` is ``blob[offsets[i]:offsets[i + 1]]``).

``write`` replaces the file atomically (temporary file + rename); ``read`` checks the magic,
version and size, so a truncated or foreign file gives a ValueError naming the path.
"""
import json
import os
import struct

import numpy as np

from ._files import atomic_write

MAGIC = b"\x93FASTW2V"
FORMAT = "fastw2v-container"
VERSION = 1
ALIGN = 64
_PREFIX = len(MAGIC) + 8            # magic + header length


def write(path, meta, arrays):
    """Write ``arrays`` (dict name -> ndarray) and ``meta`` (JSON-serialisable dict) to ``path``.

    The file appears whole or not at all: a failure while writing leaves ``path`` as it was.
    """
    arrays = {name: _little_endian(name, a) for name, a in arrays.items()}
    specs, offset = {}, 0
    for name, a in arrays.items():
        specs[name] = dict(dtype=a.dtype.str, shape=list(a.shape), offset=offset, nbytes=a.nbytes)
        offset = _aligned(offset + a.nbytes)
    # offsets above are relative to the first array, which starts after the header; but the
    # header holds the offsets, whose digits change its length: grow ``start`` until it fits
    start = _aligned(_PREFIX + len(_encode_header(meta, specs, 0, 0)))
    while True:
        header = _encode_header(meta, specs, start, start + offset)
        if _aligned(_PREFIX + len(header)) <= start:
            break
        start = _aligned(_PREFIX + len(header))
    with atomic_write(path, "wb") as f:
        f.write(MAGIC + struct.pack("<Q", len(header)) + header)
        f.write(b"\0" * (start - _PREFIX - len(header)))
        for name, a in arrays.items():
            f.write(b"\0" * (start + specs[name]["offset"] - f.tell()))
            f.write(memoryview(a).cast("B") if a.size else b"")
        f.write(b"\0" * (start + offset - f.tell()))


def read(path, mmap=None):
    """``(meta, arrays)`` from a file written by ``write``.

    ``mmap=None`` reads the arrays into memory; ``"r"`` returns read-only ``np.memmap`` views of
    the file (``"c"``: copy-on-write, ``"r+"``: writes go to the file), as ``np.load(mmap_mode=)``.
    Empty arrays are plain arrays (there is nothing to map).
    """
    path = os.fspath(path)
    if mmap not in (None, "r", "r+", "c"):
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c', not {mmap!r}")
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        prefix = f.read(_PREFIX)
        if prefix[:len(MAGIC)] != MAGIC:
            raise ValueError(f"{path}: not a fastw2v file ({_describe(prefix)}); expected the "
                             f"magic bytes {MAGIC!r} of a file written by fastw2v's save()")
        if len(prefix) < _PREFIX:
            raise ValueError(f"{path}: truncated fastw2v file ({size} bytes)")
        (length,) = struct.unpack("<Q", prefix[len(MAGIC):])
        if _PREFIX + length > size:
            raise ValueError(f"{path}: truncated fastw2v file: the header needs {length} bytes, "
                             f"the file has {size - _PREFIX} after the prefix")
        header = _decode_header(path, f.read(length))
        if header["file_size"] != size:
            raise ValueError(f"{path}: truncated or damaged fastw2v file: {size} bytes, "
                             f"the header says {header['file_size']}")
        arrays = {}
        for name, spec in header["arrays"].items():
            dtype, shape, offset, nbytes = _check_spec(path, name, spec, size)
            if mmap is not None and nbytes > 0:
                arrays[name] = np.memmap(path, dtype=dtype, mode=mmap, offset=offset, shape=shape)
            else:
                arrays[name] = a = np.empty(shape, dtype=dtype)
                f.seek(offset)
                if nbytes and f.readinto(memoryview(a).cast("B")) != nbytes:
                    raise ValueError(f"{path}: truncated fastw2v file in array {name!r}")
    return header["meta"], arrays


def encode_strings(strings):
    """``(blob, offsets)``: the UTF-8 bytes of all ``strings`` as uint8 and int64 byte offsets."""
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def decode_strings(blob, offsets):
    """The list of strings that ``encode_strings`` turned into ``(blob, offsets)``."""
    data = np.asarray(blob, dtype=np.uint8).tobytes()
    bounds = np.asarray(offsets, dtype=np.int64).tolist()
    text = data.decode("utf-8")
    if len(text) == len(data):          # all ASCII: byte offsets are character offsets
        return [text[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    return [data[a:b].decode("utf-8") for a, b in zip(bounds[:-1], bounds[1:])]


def _little_endian(name, a):
    a = np.asarray(a)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"array {name!r} has dtype {a.dtype}; the fastw2v container stores "
                        "booleans and numbers only (strings: see encode_strings)")
    return np.asarray(a, dtype=a.dtype.newbyteorder("<"), order="C")   # keeps 0-d arrays 0-d


def _aligned(n):
    return -(-n // ALIGN) * ALIGN


def _encode_header(meta, specs, start, file_size):
    arrays = {name: dict(spec, offset=start + spec["offset"]) for name, spec in specs.items()}
    header = dict(format=FORMAT, version=VERSION, file_size=file_size, arrays=arrays, meta=meta)
    try:
        return json.dumps(header, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise ValueError(f"metadata cannot be stored as strict JSON: {e}") from None


def _decode_header(path, raw):
    damaged = f"{path}: damaged fastw2v file: the header is not the expected JSON"
    try:
        header = json.loads(raw.decode("utf-8"))
        fmt, version = header["format"], header["version"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ValueError(damaged) from None
    if fmt != FORMAT or version != VERSION:
        raise ValueError(f"{path}: {fmt!r} version {version}; this fastw2v reads {FORMAT!r} "
                         f"version {VERSION} (a newer fastw2v wrote it?)")
    if not (isinstance(header.get("file_size"), int) and isinstance(header.get("arrays"), dict)
            and isinstance(header.get("meta"), dict)):
        raise ValueError(damaged)
    return header


def _check_spec(path, name, spec, size):
    """(dtype, shape, offset, nbytes) of one array entry, after checking it fits in the file."""
    try:
        dtype, shape = np.dtype(spec["dtype"]), tuple(int(n) for n in spec["shape"])
        offset, nbytes = int(spec["offset"]), int(spec["nbytes"])
        ok = (dtype.kind in "biufc" and min(shape, default=0) >= 0 and offset % ALIGN == 0
              and nbytes == dtype.itemsize * int(np.prod(shape, dtype=np.int64))
              and offset + nbytes <= size)
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{path}: damaged fastw2v file: bad entry for array {name!r}: {spec}")
    return dtype, shape, offset, nbytes


def _describe(prefix):
    """What a foreign file most likely is, from its first bytes, for the error message."""
    if not prefix:
        return "it is empty"
    if prefix[:1] == b"\x80" and prefix[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return ("it is a Python pickle, e.g. gensim's KeyedVectors.save(); fastw2v never unpickles: "
                "in gensim, kv.save_word2vec_format(path, binary=True), then "
                "fastw2v's KeyedVectors.load_word2vec_format(path)")
    if prefix[:4] == b"PK\x03\x04":
        return "it is a zip archive, e.g. a NumPy .npz file"
    if prefix[:6] == b"\x93NUMPY":
        return "it is a NumPy .npy file"
    first = prefix.split(b"\n")[0].split()
    if len(first) == 2 and all(x.isdigit() for x in first):
        return "it starts like a word2vec file; use KeyedVectors.load_word2vec_format"
    return f"it starts with {prefix[:8]!r}"
