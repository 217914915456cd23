"""The first pass over text files, on every core: tokenise, count, spill ids to disk.

The input is cut into *units*: byte ranges of a plain file, cut just after a whitespace byte
(so no token straddles two units), or a whole compressed file (.gz/.bz2/.xz streams cannot be
entered in the middle), or a whole file in an encoding where an ASCII whitespace byte may be
part of a longer character (UTF-16, Shift-JIS...: ``transcode.cuts_at_ascii_space``). Text
that is not plain UTF-8 read strictly is decoded and re-encoded as UTF-8 on its way to the
tokenizer (``transcode.Utf8Reader``; the decoding holds the GIL). Worker threads take units
in turn, as each finishes the last (the input is cut into several units a thread, so that
the threads end together: with one unit each, the one that the machine slowed ended 0.2-0.5 s
after the other on 4 s of work, bench_results/decisions.md#first-pass-units). Each thread
tokenises its units in 4 MiB chunks with the Numba tokenizer (``tokenize.py``, which releases
the GIL) into one hash table of distinct words, the thread's, and writes every token's
*table* id to the unit's shard file as it goes, so memory holds the distinct words, not the
corpus, and the tables to merge are one a thread however many units there are. A table
records where it first saw each word as a *sight key*, ``(unit index << offset_bits) + byte
offset in the unit``, which orders the whole input. The caller (``prepared.py``) merges the
tables once and orders the words by their smallest key: the global order of first sight, as
reading the files one token at a time gives it. (On a Dask cluster every unit is a task with
a table of its own: ``distributed/firstpass.py``.)
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .reading import _OPENERS, _open_binary
from .tokenize import ARENA_USED, LINE_ENDS, NEWLINE_FIRST, TOKENS, WordTable, last_space
from .transcode import Utf8Reader, cuts_at_ascii_space, is_plain_utf8

CHUNK_BYTES = 4 << 20
UNIT_BYTES = 256 << 20       # largest byte range one worker takes at a time
MIN_UNIT_BYTES = 4 << 20     # the smallest unit of a guided plan (``plan_units``)
TABLE_WORDS = 1 << 20        # a thread starts a new word table past this (about 120 MB)
COMPRESSED_BYTES = 1 << 40   # the text of a compressed file, for sight keys (``offset_bits``)
_ASCII_SPACE = b" \n\t\r\x0b\x0c\x1c\x1d\x1e\x1f"


@dataclass
class Unit:
    path: str
    start: int               # byte range [start, end) of a plain file; compressed: (0, None)
    end: int
    last_of_file: bool       # the file's end closes a sentence
    offset_bits: int = 41    # a sight key's low bits, the offset in the unit (the plan's)


@dataclass
class UnitCount:
    """One unit's tokens: how many, written to ``spill`` as ids of word table ``table``; its
    ``n_ends`` sentence ends (token counts within the unit, strictly increasing and above 0:
    the tokenizer ends a sentence at a newline only after a token), written to
    ``ends_path(spill)`` rather than held (a corpus of short lines has one every few words:
    8 bytes each, 0.8 GB a billion words of 10-word lines, in the process that merges);
    whether a newline came before its first token (closing the previous unit's sentence),
    and its newlines (empty lines too: word2vec.c's count of "</s>")."""
    unit: Unit
    table: int               # the TableCount its ids refer to
    n_tokens: int
    n_ends: int
    newline_first: bool
    spill: str
    line_ends: int = 0
    index: int = 0           # the unit's place in the input


@dataclass
class TableCount:
    """One word table, complete: its distinct words as UTF-8 bytes end to end in id order
    (word w is ``arena[starts[w]:starts[w + 1]]``), their counts over the units it read, and
    the sight key of each word's first occurrence among them (``sight_key``)."""
    index: int
    arena: np.ndarray        # uint8
    starts: np.ndarray       # int64, one more than the words
    counts: np.ndarray
    first: np.ndarray

    def words(self):
        """Every word's bytes, in id order."""
        arena, starts = self.arena.tobytes(), self.starts.tolist()
        return [arena[a:b] for a, b in zip(starts[:-1], starts[1:])]


def ends_path(spill):
    """Where a unit whose ids go to ``spill`` writes its sentence ends (int64, little-endian)."""
    return os.path.splitext(spill)[0] + "-ends.i64"


def sight_key(unit, index, offset):
    """Where a token is in the input, as one int64 that sorts in input order: the unit's
    index, then the byte offset in the unit (in the text the tokenizer reads: the file's
    bytes for plain UTF-8, else the unit's transcoded text). The offset's bits are the plan's
    (``offset_bits``), room for twice the longest unit; the tokenizer adds a token's place in
    its chunk to the key of the chunk's start, so the offset is capped at half that room:
    only a compressed file of more than twice ``COMPRESSED_BYTES`` of text can reach the cap, and
    the words first seen past it are then ordered among themselves by which chunk met them,
    never outside their unit."""
    bits = unit.offset_bits
    return (index << bits) + min(offset, 1 << (bits - 1))


def key_place(key, bits):
    """(unit index, byte offset in the unit) of a sight key."""
    return key >> bits, key & ((1 << bits) - 1)


def offset_bits(units):
    """Bits for a sight key's offset: room for twice the most text a unit can give the
    tokenizer (a byte range or file read as UTF-8 grows at most 4 times, e.g. latin-1 or
    cp1252 to UTF-8; a compressed file counts as ``COMPRESSED_BYTES``). The unit index takes
    the other 63 bits: 2^21 units with compressed files, billions without."""
    def most(u):
        if u.end is None and os.path.splitext(u.path)[1].lower() in _OPENERS:
            return COMPRESSED_BYTES
        return 4 * ((u.end if u.end is not None else os.path.getsize(u.path)) - u.start)
    return max(max(map(most, units), default=1), 1).bit_length() + 1


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


def plan_units(files, threads, unit_bytes=None, encoding="utf-8", guided=True):
    """Cut the files into units, none larger than ``unit_bytes`` (default ``UNIT_BYTES``) or a
    thread's share of the plain files' bytes (each cut just after the next whitespace byte,
    so a unit may pass these by a token). ``guided``: sizes that fall along the
    input, each a ``2 x threads``-th of the plain bytes still to cut but no smaller than
    ``MIN_UNIT_BYTES`` (guided self-scheduling: threads take units in input order, so the
    last ones are small and the threads end within a small unit of each other); else one
    unit a thread's share. Files in an encoding that cannot be cut at ASCII whitespace are
    one unit each."""
    unit_bytes = unit_bytes or UNIT_BYTES
    sizes = [os.path.getsize(p) for p in files]
    cuttable = cuts_at_ascii_space(encoding)
    plain = {p for p in files if cuttable and os.path.splitext(p)[1].lower() not in _OPENERS}
    total = sum(s for p, s in zip(files, sizes) if p in plain) or 1
    share = -(-total // threads)                     # no unit above one thread's share
    smallest = min(MIN_UNIT_BYTES, share)
    left, units = total, []
    for path, size in zip(files, sizes):
        if path not in plain or size == 0:
            units.append(Unit(path, 0, None, True))
            continue
        with open(path, "rb") as f:
            pos = 0
            while pos < size:
                want = min(max(smallest, -(-left // (2 * threads))) if guided else share,
                           unit_bytes, share)
                if size - pos - want < smallest // 2 and size - pos <= unit_bytes:
                    want = size - pos                     # no sliver of a unit at the end
                end = _next_space(f, pos + want, size)
                units.append(Unit(path, pos, end, end == size))
                left, pos = left - (end - pos), end
    bits = offset_bits(units)
    if len(units) > 1 << (63 - bits):
        raise ValueError(f"the corpus makes {len(units)} units (files and byte ranges), more "
                         f"than the {1 << (63 - bits)} a first pass can order: join some files")
    for u in units:
        u.offset_bits = bits
    return units


def count_unit(unit, spill, encoding="utf-8", unicode_errors="strict", index=0, table=None,
               table_index=None):
    """Tokenise one unit into ``table`` (a ``WordTable``; a fresh one by default), writing its ids
    (int32) to ``spill`` and its sentence ends to ``ends_path(spill)``; ``index`` is the unit's
    place in the input (its sight keys). Returns the ``UnitCount``, and with a fresh table also
    its ``TableCount`` (numbered ``index``): ``(unit_count, table_count or None)``. The unit is
    read into one reused buffer; the bytes after the chunk's last whitespace (a token cut by the
    chunk's end) move to the buffer's front for the next read. Text that is not plain UTF-8 arrives
    transcoded to UTF-8, so the buffer always holds UTF-8."""
    own = table is None
    table = WordTable() if own else table
    table.state[TOKENS:] = 0                           # the unit's own counters; words stay
    buf = np.empty(CHUNK_BYTES, dtype=np.uint8)
    out_ids = np.empty(CHUNK_BYTES // 2 + 2, dtype=np.int32)
    out_ends = np.empty(CHUNK_BYTES, dtype=np.int64)
    n_ends = 0
    with _open_binary(unit.path) as f, open(spill, "wb") as out, \
            open(ends_path(spill), "wb") as ends_out:
        remaining = None
        if unit.end is not None:
            f.seek(unit.start)
            remaining = unit.end - unit.start
        pos, have = 0, 0                               # pos: offset of buf[0] in the unit
        if not is_plain_utf8(encoding, unicode_errors):
            # the reader keeps to the byte range itself; pos becomes an offset in the
            # transcoded text (only used to order first sights: it never holds invalid UTF-8)
            f = Utf8Reader(f, unit.path, encoding, unicode_errors, unit.start, unit.end)
            remaining = None
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
            k, e = table.run(buf, n, sight_key(unit, index, pos), out_ids, out_ends)
            out.write(memoryview(out_ids[:k].astype("<i4", copy=False)))   # the format's order
            if e:
                ends_out.write(memoryview(out_ends[:e].astype("<i8", copy=False)))
                n_ends += e
            buf[:have - n] = buf[n:have]
            pos, have = pos + n, have - n
            if final:
                break
    counted = UnitCount(unit, index if own else table_index, int(table.state[TOKENS]), n_ends,
                        bool(table.state[NEWLINE_FIRST]), spill, int(table.state[LINE_ENDS]),
                        index)
    return counted, (table_count(table, index) if own else None)


def table_count(table, index):
    """The ``TableCount`` of a ``WordTable`` whose units are done: views of its arrays (the
    hash slots, the largest part, go with the table)."""
    n, used = table.n_words, int(table.state[ARENA_USED])
    return TableCount(index, table.arena[:used], np.append(table.start[:n], used),
                      table.counts[:n], table.first[:n])


def joined_words(arena, starts):
    """The words ``arena[starts[w]:starts[w + 1]]``, each followed by a newline, as bytes: no
    word holds a newline, and the text is valid UTF-8 exactly when every word is (a newline
    is never part of a longer character), so one decode checks or decodes them all."""
    n = starts.size - 1
    text = np.full(int(starts[-1] - starts[0]) + n, ord("\n"), dtype=np.uint8)
    at_word = np.ones(text.size, dtype=bool)
    at_word[starts[1:] - starts[0] + np.arange(n)] = False      # each word's newline
    text[at_word] = arena[starts[0]:starts[-1]]
    return text.tobytes()


def _valid_since(table, n_before):
    """Whether the words a table took since it held ``n_before`` are valid UTF-8."""
    n, used = table.n_words, int(table.state[ARENA_USED])
    if n == n_before:
        return True
    try:
        joined_words(table.arena, np.append(table.start[n_before:n], used)).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def count_units(units, spill_dir, threads, encoding="utf-8", unicode_errors="strict", client=None):
    """``count_unit`` on every unit with ``threads`` worker threads, each thread counting the
    units it takes into its own table, and starting a new one once a unit leaves it holding
    ``TABLE_WORDS`` words (a corpus's long tail then costs a thread one table's memory). A
    table is numbered by the first unit it read. Yields every ``UnitCount`` in unit order as
    they finish, with the ``TableCount`` of each full table among them, and the other
    tables at the end, in their numbers' order, so that the caller can merge each table as
    it comes.

    Plain UTF-8 read strictly is checked unit by unit (the words a unit added to its table):
    once a unit holds invalid UTF-8, the units after it are not counted (their ``UnitCount``
    is None), since the error will be reported at the first invalid byte of the input, which
    the units before it may still hold. On an error or Ctrl-C the units not yet started are
    cancelled. With a ``dask.distributed.Client`` the units are counted on the cluster's
    workers instead, every unit into a table of its own, yielded in the order the units
    finish, each ``UnitCount`` followed by its table (``spill_dir`` must be on a filesystem
    they share; the caller orders the units by ``index``)."""
    spills = [os.path.join(spill_dir, f"tokens-{i:05d}.i32") for i in range(len(units))]
    text = (encoding, unicode_errors)
    if client is not None:
        from ..distributed.firstpass import count_on_workers
        yield from count_on_workers(client, units, spills, *text)
        return
    check = is_plain_utf8(encoding, unicode_errors)
    tables, full, lock, local = {}, [], threading.Lock(), threading.local()
    first_invalid = [len(units)]              # the first unit found to hold invalid UTF-8

    def count(k):
        if k > first_invalid[0]:
            return None
        if getattr(local, "table", None) is None:      # this thread's first unit, or after
            local.table, local.index = WordTable(), k  # a full table
            with lock:
                tables[k] = local.table
        table, n_before = local.table, local.table.n_words
        counted = count_unit(units[k], spills[k], *text, index=k, table=table,
                             table_index=local.index)[0]
        if check and not _valid_since(table, n_before):
            with lock:
                first_invalid[0] = min(first_invalid[0], k)
        if table.n_words >= TABLE_WORDS:
            with lock:
                del tables[local.index]
                full.append(table_count(table, local.index))
            local.table = None
        return counted

    def counted_and_full(counted):
        yield counted
        with lock:
            ready = full[:]
            del full[:]
        yield from ready

    if threads <= 1 or len(units) == 1:
        for k in range(len(units)):
            yield from counted_and_full(count(k))
        local.table = None
    else:
        pool = ThreadPoolExecutor(max_workers=threads)
        try:
            futures = [pool.submit(count, k) for k in range(len(units))]
            for future in futures:
                yield from counted_and_full(future.result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    yield from full
    for t in sorted(tables):
        table = tables.pop(t)                          # one table at a time past this point
        yield table_count(table, t)
        del table
