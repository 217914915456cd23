"""The first pass over text files, on every core: tokenise, count, spill ids to disk.

The input is cut into *units*: byte ranges of a plain file, cut just after a whitespace byte
(so no token straddles two units), or a whole compressed file (.gz/.bz2/.xz streams cannot be
entered in the middle), or a whole file in an encoding where an ASCII whitespace byte may be
part of a longer character (UTF-16, Shift-JIS...: ``transcode.cuts_at_ascii_space``). Text
that is not plain UTF-8 read strictly is decoded and re-encoded as UTF-8 on its way to the
tokenizer (``transcode.Utf8Reader``; the decoding holds the GIL). Worker threads take units
in turn; each tokenises its unit in 4 MiB chunks with the Numba tokenizer (``tokenize.py``,
which releases the GIL), into its own hash table of distinct words, and writes every token's
*local* id (the unit's order of first sight) to its shard file as it goes, so memory holds the
distinct words, not the corpus. The caller
(``prepared.py``) then merges the units' tables once, in input order, which gives the same
global order of first sight as reading the files one token at a time.
"""
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .reading import _OPENERS, _open_binary
from .tokenize import LINE_ENDS, NEWLINE_FIRST, TOKENS, WordTable, last_space
from .transcode import Utf8Reader, cuts_at_ascii_space, is_plain_utf8

CHUNK_BYTES = 4 << 20
UNIT_BYTES = 256 << 20       # largest byte range one worker takes at a time
_ASCII_SPACE = b" \n\t\r\x0b\x0c\x1c\x1d\x1e\x1f"


@dataclass
class Unit:
    path: str
    start: int               # byte range [start, end) of a plain file; compressed: (0, None)
    end: int
    last_of_file: bool       # the file's end closes a sentence


@dataclass
class UnitCount:
    """One unit's tokens: distinct words (UTF-8 bytes, first-sight order) with counts and the
    byte offset of their first occurrence (in the file for plain UTF-8, else in the unit's
    transcoded text), the unit's sentence ends (token counts within the unit), whether a
    newline came before its first token (closing the previous unit's sentence), and its
    newlines (empty lines too: word2vec.c's count of "</s>")."""
    unit: Unit
    words: list
    counts: np.ndarray
    first: np.ndarray
    n_tokens: int
    ends: np.ndarray
    newline_first: bool
    spill: str
    line_ends: int = 0


def expand_sources(sources):
    """Files named by ``sources`` (paths, directories, glob patterns), in a stable order."""
    import glob
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files = []
    for source in map(os.fspath, sources):
        if os.path.isdir(source):
            found = sorted(os.path.join(source, f) for f in os.listdir(source)
                           if os.path.isfile(os.path.join(source, f)) and not f.startswith("."))
            if not found:
                raise FileNotFoundError(f"corpus directory {source!r} holds no files")
            files += found
        elif os.path.exists(source):
            files.append(source)
        elif glob.has_magic(source):
            found = sorted(p for p in glob.glob(source) if os.path.isfile(p))
            if not found:
                raise FileNotFoundError(f"no file matches the corpus pattern {source!r}")
            files += found
        else:
            raise FileNotFoundError(f"corpus file not found: {source!r}")
    for path in files:
        if not os.access(path, os.R_OK):
            raise PermissionError(f"corpus file {path!r} is not readable")
    return files


def _next_space(f, pos, size):
    """The offset just after the first ASCII whitespace byte at or after ``pos`` (or size)."""
    f.seek(pos)
    while pos < size:
        block = f.read(1 << 16)
        if not block:
            return size
        hits = [i for i in (block.find(bytes([c])) for c in _ASCII_SPACE) if i >= 0]
        if hits:
            return pos + min(hits) + 1
        pos += len(block)
    return size


def plan_units(files, threads, unit_bytes=None, encoding="utf-8"):
    """Cut the files into units: at least ``threads`` of the plain ones' bytes in all, none
    larger than ``unit_bytes``. Files in an encoding that cannot be cut at ASCII whitespace
    are one unit each."""
    unit_bytes = unit_bytes or UNIT_BYTES
    sizes = [os.path.getsize(p) for p in files]
    cuttable = cuts_at_ascii_space(encoding)
    plain = {p for p in files if cuttable and os.path.splitext(p)[1].lower() not in _OPENERS}
    total = sum(s for p, s in zip(files, sizes) if p in plain) or 1
    units = []
    for path, size in zip(files, sizes):
        if path not in plain or size == 0:
            units.append(Unit(path, 0, None, True))
            continue
        n = max(-(-size // unit_bytes), -(-threads * size // total), 1)
        with open(path, "rb") as f:
            cuts = sorted({0, size} | {_next_space(f, k * size // n, size) for k in range(1, n)})
        units += [Unit(path, a, b, b == size) for a, b in zip(cuts[:-1], cuts[1:])]
    return units


def count_unit(unit, spill, encoding="utf-8", unicode_errors="strict"):
    """Tokenise one unit into a fresh word table, writing local ids (int32) to ``spill``.
    The unit is read into one reused buffer; the bytes after the chunk's last whitespace (a
    token cut by the chunk's end) move to the buffer's front for the next read. Text that is
    not plain UTF-8 arrives transcoded to UTF-8, so the buffer always holds UTF-8."""
    table = WordTable()
    buf = np.empty(CHUNK_BYTES, dtype=np.uint8)
    out_ids = np.empty(CHUNK_BYTES // 2 + 2, dtype=np.int32)
    out_ends = np.empty(CHUNK_BYTES, dtype=np.int64)
    ends = []
    with _open_binary(unit.path) as f, open(spill, "wb") as out:
        remaining = None
        if unit.end is not None:
            f.seek(unit.start)
            remaining = unit.end - unit.start
        pos, have = unit.start, 0                      # pos: file offset of buf[0]
        if not is_plain_utf8(encoding, unicode_errors):
            # the reader keeps to the byte range itself; pos becomes an offset in the
            # transcoded text (only used to locate invalid UTF-8, which it never holds)
            f = Utf8Reader(f, unit.path, encoding, unicode_errors, unit.start, unit.end)
            remaining, pos = None, 0
        while True:
            if have == buf.size:                       # a token longer than the buffer
                buf = np.concatenate([buf, np.empty_like(buf)])
                out_ids = np.empty(buf.size // 2 + 2, dtype=np.int32)
                out_ends = np.empty(buf.size, dtype=np.int64)
            want = buf.size - have if remaining is None else min(buf.size - have, remaining)
            got = f.readinto(memoryview(buf)[have:have + want]) if want else 0
            if remaining is not None:
                remaining -= got
            final = got == 0
            have += got
            n = have if final else last_space(buf, have)
            if n == 0 and not final:
                continue                               # no whitespace yet: read more
            k, e = table.run(buf, n, pos, out_ids, out_ends)
            out.write(memoryview(out_ids[:k].astype("<i4", copy=False)))   # the format's order
            if e:
                ends.append(out_ends[:e].copy())
            buf[:have - n] = buf[n:have]
            pos, have = pos + n, have - n
            if final:
                break
    n = table.n_words
    return UnitCount(unit, table.words(), table.counts[:n].copy(), table.first[:n].copy(),
                     int(table.state[TOKENS]), np.concatenate(ends) if ends else np.empty(0, np.int64),
                     bool(table.state[NEWLINE_FIRST]), spill, int(table.state[LINE_ENDS]))


def count_units(units, spill_dir, threads, encoding="utf-8", unicode_errors="strict", client=None):
    """``count_unit`` on every unit with ``threads`` worker threads: yields the results in unit
    order as they finish, so the caller can merge each and let it go. On an error or Ctrl-C the
    units not yet started are cancelled. With a ``dask.distributed.Client`` the units are
    counted on the cluster's workers instead (``spill_dir`` must be on a filesystem they share)."""
    spills = [os.path.join(spill_dir, f"tokens-{i:05d}.i32") for i in range(len(units))]
    text = (encoding, unicode_errors)
    if client is not None:
        from ..distributed.firstpass import count_on_workers
        yield from count_on_workers(client, units, spills, *text)
        return
    if threads <= 1 or len(units) == 1:
        yield from (count_unit(u, s, *text) for u, s in zip(units, spills))
        return
    pool = ThreadPoolExecutor(max_workers=threads)
    try:
        futures = [pool.submit(count_unit, u, s, *text) for u, s in zip(units, spills)]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
