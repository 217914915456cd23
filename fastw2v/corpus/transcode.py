"""Text in any encoding, read as UTF-8: check the encoding's name, decode, locate an error.

Both readers split UTF-8 (the Numba tokenizer works on UTF-8 bytes; ``reading.py`` splits
decoded lines). Plain UTF-8 with ``unicode_errors="strict"`` takes their direct path and
never comes here. Any other encoding, or UTF-8 with "replace"/"ignore", is decoded with
Python's incremental decoder for it (the one ``open(path, encoding=..., errors=...)`` uses),
so the words are exactly those of ``open(...).read().split()``: Latin-1's byte 0xA0 is a
no-break space and separates words, as ``str.split`` does; the first pass then re-encodes the
text as UTF-8 for its tokenizer. Feeding the decoder a piece at a time gives the same text as
decoding the whole file (it holds back a character cut by a piece's end).

Where a file may be cut into byte ranges for parallel reading (``cuts_at_ascii_space``):
after an ASCII whitespace byte, only when that byte always is that character and the
decoder keeps no state across it: UTF-8 and the single-byte ASCII supersets (Latin-1,
cp1252, ISO-8859-x, KOI8-R, mac_roman...). Any other encoding (UTF-16/32, Shift-JIS, GB18030,
Big5, EUC-*, ISO-2022-*, UTF-7, utf-8-sig, EBCDIC) is read one whole file per unit, as a
compressed file is: correct, but one thread a file.
"""
import codecs
import os
from functools import lru_cache

UNICODE_ERRORS = ("strict", "replace", "ignore")
LOCATE_BYTES = 1 << 20         # read size when finding an error's line and column


def check_encoding(encoding, unicode_errors="strict"):
    """The canonical codec name of ``encoding`` (``codecs.lookup(encoding).name``: "latin-1"
    -> "iso8859-1", "UTF8" -> "utf-8"); a clear ValueError for an unknown or non-text
    encoding, or for an error handler other than "strict", "replace" and "ignore"."""
    if unicode_errors not in UNICODE_ERRORS:
        raise ValueError(f"unicode_errors must be one of {', '.join(map(repr, UNICODE_ERRORS))}, "
                         f"got {unicode_errors!r}")
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a codec name such as 'utf-8' or 'latin-1', got "
                        f"{encoding!r}")
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r} (Python's codec names: 'utf-8', "
                         "'latin-1', 'cp1252', 'utf-16', ...)") from None
    try:
        b" ".decode(name)
    except LookupError:
        raise ValueError(f"{encoding!r} is not a text encoding (base64, zlib, rot13... turn "
                         "bytes into bytes or str into str)") from None
    except UnicodeError:
        pass                            # a text encoding, but b" " alone is not valid in it
    return name


def is_plain_utf8(encoding, unicode_errors):
    """UTF-8 read strictly: the readers' direct path, with no decoding step before splitting."""
    return codecs.lookup(encoding).name == "utf-8" and unicode_errors == "strict"


_ASCII = bytes(range(128))
# every ordered pair of bytes side by side: a codec that decodes this as its bytes one by one
# has no multi-byte characters and no state that one byte leaves for the next
_PAIRS = bytes(x for b in range(256) for c in range(256) for x in (b, c))


@lru_cache(maxsize=None)
def cuts_at_ascii_space(encoding):
    """Whether a file may be cut just after any ASCII whitespace byte and each piece decoded
    on its own. True for UTF-8 (a byte below 0x80 is never part of a longer character) and for
    single-byte encodings whose first 128 bytes are ASCII; False otherwise."""
    name = codecs.lookup(encoding).name
    if name == "utf-8":
        return True
    try:
        if _ASCII.decode(name) != _ASCII.decode("ascii"):
            return False                         # EBCDIC, cp864 ('%' is U+066A), ISO-2022...
        one = [bytes([b]).decode(name, "replace") for b in range(256)]
        return all(len(c) == 1 for c in one) and \
            _PAIRS.decode(name, "replace") == "".join(one[b] for b in _PAIRS)
    except UnicodeError:
        return False


class Decoder:
    """Python's incremental decoder for ``encoding`` over a file read in pieces from byte
    ``offset``: a strict error is raised as a ValueError naming the file, line and column."""

    def __init__(self, path, encoding, unicode_errors, offset=0):
        self.path, self.encoding, self.offset = path, encoding, offset
        self.decoder = codecs.getincrementaldecoder(encoding)(unicode_errors)

    def decode(self, raw, final=False):
        held = len(self.decoder.getstate()[0])          # bytes kept from the previous piece
        try:
            text = self.decoder.decode(raw, final)
        except UnicodeDecodeError as e:
            # e.object is the held bytes + raw: its byte 0 is at self.offset - held
            at = self.offset - held + e.start
            bad = e.object[e.start:e.end]
            raise ValueError(located(self.path, self.encoding, at, bad)) from None
        except UnicodeError as e:                 # e.g. "UTF-16 stream does not start with BOM"
            raise ValueError(f"{self.path}: cannot be read as {self.encoding}: {e}") from None
        self.offset += len(raw)
        return text


def located(path, encoding, offset, bad):
    """The error message for the undecodable ``bad`` bytes at byte ``offset`` of ``path``
    (of its decompressed text): line and column (in characters) come from decoding the file
    again up to there, so they count lines as the encoding does (UTF-16's newline is 2 bytes)."""
    from .reading import _OPENERS, _open_binary  # reading.py imports this module
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    line, column, pos = 1, 1, 0
    with _open_binary(path) as f:
        while pos < offset:
            raw = f.read(min(LOCATE_BYTES, offset - pos))
            if not raw:
                break
            pos += len(raw)
            text = decoder.decode(raw)
            k = text.count("\n")
            line += k
            column = (len(text) - text.rfind("\n") if k else column + len(text))
    what = "byte" if len(bad) == 1 else "bytes"
    of = "decompressed text" if os.path.splitext(path)[1].lower() in _OPENERS else "file"
    return (f"{path}: line {line}: invalid {encoding} {what} {bad!r} at column {column} "
            f"(byte {offset} of the {of})")


class Utf8Reader:
    """Bytes [start, end) of an open binary file (end None: to its end), decoded from
    ``encoding`` and handed out as UTF-8 by ``readinto``, as a file hands out its bytes: the
    first pass's tokenizer reads UTF-8 only. Characters UTF-8 cannot hold (a lone surrogate
    that UTF-7 can encode) meet ``unicode_errors`` again."""

    def __init__(self, f, path, encoding, unicode_errors, start=0, end=None):
        self.f, self.path, self.errors = f, path, unicode_errors
        self.left = None if end is None else end - start
        self.decoder = Decoder(path, encoding, unicode_errors, start)
        self.out, self.at, self.done = b"", 0, False

    def readinto(self, view):
        while len(self.out) - self.at < len(view) and not self.done:
            want = len(view) if self.left is None else min(len(view), self.left)
            raw = self.f.read(want) if want else b""
            if self.left is not None:
                self.left -= len(raw)
            self.done = not raw
            text = self.decoder.decode(raw, final=self.done)
            try:
                self.out = self.out[self.at:] + text.encode("utf-8", self.errors)
            except UnicodeEncodeError as e:
                raise ValueError(f"{self.path}: the decoded text holds {text[e.start]!r}, which "
                                 "UTF-8 cannot store (use unicode_errors='replace')") from None
            self.at = 0
        k = min(len(view), len(self.out) - self.at)
        view[:k] = self.out[self.at:self.at + k]
        self.at += k
        return k
