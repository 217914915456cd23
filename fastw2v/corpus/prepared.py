"""A prepared corpus: text read once, stored as vocabulary ids on disk, streamed by training.

``prepare(sources, out_dir)`` writes a directory (format version 1)::

    manifest.json      what was read (each file's path, size, mtime; ``inputs``: the sources
                       as given, files, directories or patterns, whose new files
                       ``added_sources`` names), the settings
                       (lowercase, keep_min_count, max_vocab_size, and how the text was
                       decoded: ``encoding`` as Python's canonical codec name, e.g.
                       "iso8859-1" for "latin-1", and ``unicode_errors``; a manifest without
                       them was written for "utf-8", "strict"), counts of raw and kept
                       words and of newlines (``line_ends``: word2vec.c's count of "</s>";
                       absent in directories written before it), the shards with their
                       token counts, the format version
    vocab.txt          one "word count" line a word, in UTF-8 whatever the text's encoding,
                       most frequent first (ties in order of first appearance): word2vec.c's
                       -save-vocab lines without its first line "</s> N" (the file
                       ``--save-vocab`` writes has it, for word2vec.c's -read-vocab)
    tokens-NNNNN.i32   the corpus in shards, in corpus order (one shard per unit of the first
                       pass), each token as its word's id in the word table that read the
                       shard (a first-pass thread's), little-endian int32
    map-NNNNN.i32      for each id of a word table, the word's line in vocab.txt (from 0), or
                       -1 for a word left out (keep_min_count, max_vocab_size, a given
                       vocabulary): a token's vocabulary id is ``map[token]``, one array lookup
                       per block; the manifest names each shard's map (shards read by one
                       table share it). Table ids let the first pass write every token once,
                       as it reads it, with no second pass over the tokens to renumber them
    sentence_ends.i64  little-endian int64: the token position after every sentence (a line of
                       the text; each file ends one), over the shards taken as one stream

Words seen fewer than ``keep_min_count`` times (default 1: none) are left out, so a later
``train`` can pick any ``min_count >= keep_min_count`` without reading the text again.
The directory is written under a temporary name beside ``out_dir`` and renamed when complete:
an interrupted prepare leaves no directory that looks usable.
"""
import collections
import itertools
import json
import os
import re
import shutil
import threading
import time
import warnings

import numpy as np

from .._files import atomic_write, give_mkdir_permissions
from ..leftovers import owned_directory, release
from ..vocab import prune
from .blocks import ENDS_CHUNK, kept_sentences, streamed_blocks, streamed_segments
from .ends import SentenceEnds
from .firstpass import (TableCount, count_units, ends_path, expand_sources, joined_words,
                        key_place, plan_units, table_count)
from .lines import vocab_lines
from .reading import _open_binary
from .tokenize import WordTable
from .transcode import check_encoding

FORMAT = "fastw2v-prepared"
VERSION = 1
_IO_TOKENS = 1 << 20               # ids per read (4 MiB)
MERGE_IN_NUMBA = True              # the word tables' merge (False: the dict's, as with lowercase)
_MAPS_BYTES = 256 << 20            # a PreparedCorpus keeps every translated map up to this
_MAPS_KEPT = 16                    # ... else the latest this many (``shard_map``)


# ---- the vocabulary file --------------------------------------------------------------------
def read_array(f, dtype, count):
    """Up to ``count`` items of ``dtype`` from the binary file ``f``, as ``np.fromfile(f, ...)``
    reads them, but by ``readinto``: on Python 3.10 a Ctrl-C that arrives during
    ``np.fromfile`` on a file object comes out as a TypeError about the file argument (the
    Ctrl-C test of tests/test_cli.py caught it on CI), where ``readinto`` raises
    KeyboardInterrupt."""
    out = np.empty(count, dtype=dtype)
    got = f.readinto(memoryview(out).cast("B"))
    return out[:got // out.itemsize]


def write_vocab(path, words, counts, sentences=None):
    """"word count" lines, atomically, in UTF-8. With ``sentences``, first the line ``</s>
    sentences`` that word2vec.c's -save-vocab writes: its -read-vocab keeps the first entry as
    its end-of-line token whatever it is, so a file without that line would make the most
    frequent word end every sentence and never train. word2vec.c counts every newline there
    (empty lines too; a last line without one is not counted): a prepared corpus records that
    count (``line_ends`` in its manifest)."""
    with atomic_write(path, "wb") as f:
        if sentences is not None:
            f.write(f"</s> {int(sentences)}\n".encode())
        f.write(memoryview(vocab_lines(words, counts)))


def read_vocab(path, encoding="utf-8", sentence_marker=True):
    """(words, counts) from a "word count" file (word2vec.c's -save-vocab, or ours). Read as
    UTF-8 (fastw2v writes its files in UTF-8 whatever the corpus's encoding), else, if it is
    not valid UTF-8, in the corpus's ``encoding`` (word2vec.c writes the corpus's bytes: a
    Latin-1 corpus, a Latin-1 file). A line is a word and its count, apart by spaces or tabs
    (word2vec.c's ReadWord ends a word only there: a no-break space can be part of a word).
    A first line ``</s>`` (word2vec.c's end-of-line token) is skipped, unless
    ``sentence_marker`` is False: a prepared directory's own vocab.txt, where ``</s>`` can
    only be a word of the corpus."""
    with open(path, "rb") as f:
        raw_lines = f.read().split(b"\n")
    for codec in dict.fromkeys(["utf-8", encoding]):
        try:
            lines = [raw.decode(codec) for raw in raw_lines]
            break
        except UnicodeDecodeError:
            pass
    else:                         # neither: name the first bad byte in ``encoding``
        for line_no, raw in enumerate(raw_lines, 1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as e:
                raise ValueError(f"{path}: line {line_no}: invalid {encoding} byte "
                                 f"{raw[e.start:e.start + 1]!r} at byte {e.start + 1} of the "
                                 "line (give the vocabulary's encoding)") from None
    words, counts, seen = [], [], set()
    for line_no, line in enumerate(lines, 1):
        if not line.strip(" \t\r"):
            continue
        parts = _VOCAB_LINE.fullmatch(line.rstrip("\r"))
        if parts is None:
            raise ValueError(f"{path}: line {line_no}: expected 'word count', got "
                             f"{line.strip()[:60]!r}")
        word, count = parts.group(1), int(parts.group(2))
        if word == "</s>" and sentence_marker and not words and line_no == 1:
            continue                   # word2vec.c's sentence marker: fastw2v has none
        if word in seen:
            raise ValueError(f"{path}: line {line_no}: word {word!r} appears twice")
        seen.add(word)
        words.append(word)
        counts.append(count)
    if not words:
        raise ValueError(f"{path}: the vocabulary file holds no words")
    return words, np.array(counts, dtype=np.int64)


def vocab_marker(path):
    """The count on a vocabulary file's first line ``</s> N`` (word2vec.c's -save-vocab writes
    it), or None: word2vec.c's -read-vocab then -save-vocab writes that count back."""
    with open(path, "rb") as f:
        first = f.readline()
    found = re.fullmatch(rb"[ \t]*</s>[ \t]+(\d+)[ \t]*\r?\n?", first)
    return int(found.group(1)) if found else None


# a word (no space, tab or newline: word2vec.c's ReadWord ends a word there), spaces or tabs,
# a count; spaces or tabs may surround them
_VOCAB_LINE = re.compile(r"[ \t]*([^ \t\n]+)[ \t]+(\d+)[ \t]*")


# ---- writing --------------------------------------------------------------------------------
def _decode_words(table, lowercase, as_str=True):
    """A word table's distinct words as str (with ``as_str``; else None: only checked), and
    None; or None and where the first in the input of its words holding invalid UTF-8 holds
    it: ``(sight key, byte in the word, the byte)``. (Text in another encoding, or read with
    unicode_errors other than "strict", reaches the tokenizer transcoded to valid UTF-8, and
    its decode errors are raised while reading.) The words are decoded in one call
    (``firstpass.joined_words``): one decode of 81k words takes a tenth of the time of 81k
    decodes."""
    try:
        out = joined_words(table.arena, table.starts).decode("utf-8")
    except UnicodeDecodeError:
        bad = []
        for j, raw in enumerate(table.words()):      # find the words, keep the first
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as e:
                bad.append((int(table.first[j]), e.start, raw[e.start:e.start + 1]))
        return None, min(bad)
    if not as_str:
        return None, None
    out = out.split("\n")[:-1]
    return ([w.lower() for w in out] if lowercase else out), None


def _raise_at(path, offset, byte):
    """Raise the error ``reading.py`` gives for invalid UTF-8 at byte ``offset`` of ``path``."""
    line, line_start, pos = 1, 0, 0
    with _open_binary(path) as f:
        while pos < offset:
            block = f.read(min(1 << 20, offset - pos))
            if not block:
                break
            k = block.count(b"\n")
            if k:
                line += k
                line_start = pos + block.rfind(b"\n") + 1
            pos += len(block)
    raise ValueError(f"{path}: line {line}: invalid UTF-8 byte {byte!r} at column "
                     f"{offset - line_start + 1}")


def prepare(sources, out_dir, lowercase=False, keep_min_count=1, max_vocab_size=None,
            threads=0, vocab=None, progress=None, encoding="utf-8", unicode_errors="strict",
            client=None):
    """Read ``sources`` (files, directories, globs) once and write the prepared directory.

    ``vocab = (words, counts)`` fixes the vocabulary (word2vec.c's -read-vocab): words not in
    it are dropped and its counts are kept. ``encoding`` (any Python codec name) and
    ``unicode_errors`` ("strict", "replace" or "ignore", gensim's name) say how the files are
    decoded: the words are those of ``open(path, encoding=..., errors=...).read().split()``,
    one sentence a line; a strict error names the file, line and column. Encodings that
    cannot be cut at ASCII whitespace (UTF-16, Shift-JIS, ...: ``transcode.py``) are read one
    thread a file. ``client``: a ``dask.distributed.Client`` whose workers count the units
    (``threads`` then defaults to the cluster's threads). Returns the opened ``PreparedCorpus``.
    """
    encoding = check_encoding(encoding, unicode_errors)    # a bad name fails before any work
    log = progress or (lambda msg: None)
    files = expand_sources(sources)
    out_dir = os.path.abspath(os.fspath(out_dir))
    if os.path.exists(out_dir):
        raise FileExistsError(f"{out_dir!r} exists: remove it or choose another output directory")
    parent = os.path.dirname(out_dir)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"the directory {parent!r} for the prepared corpus does not exist")
    if client is not None:
        from ..distributed.cluster import check_versions, total_threads
        check_versions(client)
        threads = threads or total_threads(client)
    threads = threads or os.cpu_count() or 1
    stats = [(p, os.stat(p)) for p in files]
    t0 = time.perf_counter()
    # named by this process, so that a killed run's goes on the next (leftovers.py)
    tmp, lock = owned_directory(f".{os.path.basename(out_dir)}.partial-", parent)
    try:
        # a cluster's units are tasks with a table each, merged by the client: one a thread
        units = plan_units(files, threads, encoding=encoding, guided=client is None)
        # merge each word table as it arrives (one a thread, or one a unit on a cluster):
        # words get provisional ids in the order the tables come, each keeps the sight key of
        # its first occurrence in the input (``firstpass.sight_key``), and a table keeps only
        # its small table id -> provisional id map
        index, words = ({w: i for i, w in enumerate(vocab[0])}, list(vocab[0])) if vocab else ({}, [])
        # the words as bytes, merged in numba (``tokenize.absorb``: new words cost far less
        # than in the dict below, decisions.md#merge-in-numba); lowercased words or a given
        # vocabulary need the words as str
        every_word = WordTable() if MERGE_IN_NUMBA and not (vocab or lowercase) else None
        counts = np.zeros(1024, dtype=np.int64)
        first = np.full(1024, np.iinfo(np.int64).max, dtype=np.int64)
        # each table's map (table id -> provisional id) waits on disk, not in memory, for the
        # vocabulary's order (on a cluster there is a table a unit: 8 bytes a word of each)
        done, maps, raw_words, known_tokens, line_ends, first_bad = [], [], 0, 0, 0, None
        merged = set()                        # on a cluster, the units whose tables came
        skipped = 0
        for r in count_units(units, tmp, threads, encoding, unicode_errors, client):
            if r is None:                     # not counted: an earlier unit is invalid UTF-8
                skipped += 1
                continue
            if not isinstance(r, TableCount):
                done.append(r)
                raw_words += r.n_tokens
                line_ends += r.line_ends
                continue
            table_words, bad = _decode_words(r, lowercase, as_str=every_word is None)
            if bad:
                first_bad = min(first_bad or bad, bad)
            if client is not None:
                # a table a unit, in the order they finish: the first bad byte of the input is
                # known once every unit before the first bad one seen has come
                merged.add(r.index)
                if first_bad and merged.issuperset(
                        range(key_place(first_bad[0], units[0].offset_bits)[0])):
                    break
            if bad:
                continue
            if every_word is not None:
                _provisional_map(tmp, r.index, every_word.absorb(r))
                maps.append(r.index)
                continue
            if not vocab:                                         # new words: the next ids
                # distinct raw words can lowercase to one word: they share its id
                new = list(dict.fromkeys(w for w in table_words if w not in index))
                index.update(zip(new, range(len(words), len(words) + len(new))))
                words += new
            m = np.fromiter(map(index.get, table_words, itertools.repeat(-1)), np.int64,
                            count=len(table_words))
            if len(words) > counts.size:
                grow = max(len(words), 2 * counts.size) - counts.size
                counts = np.concatenate([counts, np.zeros(grow, np.int64)])
                first = np.concatenate([first, np.full(grow, np.iinfo(np.int64).max, np.int64)])
            known = m >= 0
            np.add.at(counts, m[known], r.counts[known])
            np.minimum.at(first, m[known], r.first[known])
            known_tokens += int(r.counts[known].sum())
            _provisional_map(tmp, r.index, m)
            maps.append(r.index)
        if skipped and not first_bad:         # the pass stopped for a unit the merge found valid
            raise RuntimeError(f"the first pass skipped {skipped} unit(s) after invalid UTF-8 that "
                               "the merge did not find: a bug, please report it")
        if first_bad:                         # invalid UTF-8: the first in the input
            (k, offset), at, byte = key_place(first_bad[0], units[0].offset_bits), *first_bad[1:]
            _raise_at(units[k].path, units[k].start + offset + at, byte)
        if raw_words == 0:
            raise ValueError(f"corpus {', '.join(map(repr, files))} is empty: no words to train on")
        if every_word is not None:
            everything = table_count(every_word, 0)
            words = _decode_words(everything, False)[0]
            counts, first = everything.counts.copy(), everything.first.copy()
        log(f"read {raw_words} words from {len(files)} file(s) in {time.perf_counter() - t0:.1f}s")
        if vocab:
            counts = np.asarray(vocab[1], dtype=np.int64)
            order = np.arange(len(words))
        else:
            counts, first = counts[:len(words)], first[:len(words)]
            alive = prune(counts, max_vocab_size) & (counts >= keep_min_count)
            order = np.flatnonzero(alive)
            order = order[np.lexsort((first[order], -counts[order]))]   # ties: first sight
            if order.size == 0:
                raise ValueError(f"no word of {', '.join(map(repr, files))} is seen keep_min_count="
                                 f"{keep_min_count} times (most frequent: {int(counts.max())})")
        to_id = np.full(len(words) + 1, -1, dtype=np.int32)       # last slot: -1 for unknown
        to_id[order] = np.arange(order.size, dtype=np.int32)
        # each unit's tokens are its shard; its table's map gives the vocabulary ids (one map
        # a table, shared by the shards of its units). Sentence ends over the concatenated
        # stream of stored tokens
        for t in maps:
            _final_map(tmp, t, to_id)
        done.sort(key=lambda r: r.index)                   # a cluster's come as they finish
        shards = [dict(file=os.path.basename(r.spill), map=f"map-{r.table:05d}.i32",
                       tokens=r.n_tokens) for r in done]
        kept = known_tokens if vocab else int(counts[order].sum())      # tokens with an id
        n_sentences = write_sentence_ends(done, os.path.join(tmp, "sentence_ends.i64"))
        kept_words, kept_counts = [words[i] for i in order.tolist()], counts[order]
        write_vocab(os.path.join(tmp, "vocab.txt"), kept_words, kept_counts)
        manifest = dict(
            format=FORMAT, version=VERSION, created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            sources=[dict(path=os.path.abspath(p), size=s.st_size, mtime_ns=s.st_mtime_ns)
                     for p, s in stats],
            inputs=[os.path.abspath(source) for source in
                    ([sources] if isinstance(sources, (str, os.PathLike)) else sources)],
            tokenizer="whitespace (str.split), one sentence a line",
            encoding=encoding, unicode_errors=unicode_errors,
            lowercase=bool(lowercase), keep_min_count=int(keep_min_count),
            max_vocab_size=max_vocab_size, vocab_from_file=bool(vocab),
            raw_words=int(raw_words), kept_words=kept, vocab_size=int(order.size),
            sentences=n_sentences, line_ends=int(line_ends), shards=shards)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        give_mkdir_permissions(tmp)
        release(lock, remove=True)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        release(lock)
        raise
    log(f"prepared {out_dir}: {order.size} words in the vocabulary, {raw_words} tokens "
        f"({time.perf_counter() - t0:.1f}s)")
    return PreparedCorpus(out_dir, vocab=(kept_words, kept_counts))


def _provisional_map(tmp, table, m):
    """Keep table ``table``'s map to provisional ids (-1 for a word not kept) on disk, as int32
    like the vocabulary ids it will become (the format's maps and ``to_id`` are int32)."""
    m = np.asarray(m)
    if m.size and m.max() > np.iinfo(np.int32).max:
        raise ValueError(f"the first pass met more than {np.iinfo(np.int32).max} distinct "
                         "words, more than a prepared corpus's int32 ids hold")
    m.astype("<i4").tofile(os.path.join(tmp, f"map-{table:05d}.provisional"))


def _final_map(tmp, table, to_id, chunk=1 << 20):
    """Rewrite table ``table``'s provisional map as its map to vocabulary ids (``to_id``, whose
    last slot is -1 for the provisional -1), ``chunk`` words at a time."""
    provisional = os.path.join(tmp, f"map-{table:05d}.provisional")
    with open(provisional, "rb") as f, open(os.path.join(tmp, f"map-{table:05d}.i32"), "wb") as out:
        while True:
            m = np.fromfile(f, "<i4", chunk)
            if not m.size:
                break
            out.write(memoryview(to_id[m].astype("<i4", copy=False)))
    os.remove(provisional)


def write_sentence_ends(counted, path, chunk=ENDS_CHUNK):
    """Write to ``path`` the sentence ends of the units ``counted`` (``UnitCount``s in input
    order) over their concatenated tokens, and return how many: each unit's ends (from its
    ``ends_path`` file, removed once read) moved by the tokens before it, an end where a
    newline opens a unit (it closes the previous unit's last line, or repeats its last end,
    or falls at 0) and where a file ends (it may repeat the last end); every end once, none at
    0. Streamed ``chunk`` ends at a time, never all in memory: the ends come out
    non-decreasing, so dropping every end not above the one before leaves what a sort and
    dedup of them all would, without the sort (NumPy 2.4's ``np.unique``, a hash table, was
    the slowest step of a corpus of short lines: bench_results/decisions.md#ends-streamed)."""
    last, written, at = 0, 0, 0

    def put(out, ends):
        nonlocal last, written
        if ends.size and (ends[0] < last or np.any(ends[1:] < ends[:-1])):
            raise RuntimeError(f"sentence ends out of order in {path!r}: a bug, please report it")
        keep = ends[np.diff(ends, prepend=last) > 0]
        if keep.size:
            out.write(memoryview(keep.astype("<i8", copy=False)))
            last, written = int(keep[-1]), written + keep.size

    with open(path, "wb") as out:
        for r in counted:
            if r.newline_first:
                put(out, np.array([at], np.int64))
            spill = ends_path(r.spill)
            with open(spill, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size != 8 * r.n_ends:          # a file of an earlier attempt, or damaged
                    raise OSError(f"{spill!r} holds {size} bytes, not the {r.n_ends} sentence "
                                  "ends (8 bytes each) its unit counted: the first pass's files "
                                  "were changed")
                for k in range(0, r.n_ends, chunk):
                    put(out, np.fromfile(f, "<i8", min(chunk, r.n_ends - k)) + at)
            os.remove(spill)
            at += r.n_tokens
            if r.unit.last_of_file:
                put(out, np.array([at], np.int64))
    return written


# ---- reading --------------------------------------------------------------------------------
def changed_sources(manifest):
    """How a file a prepared corpus was read from has changed since (a phrase naming it), or
    None: its size or modification time differs. A source moved or deleted is no change (the
    shards still hold its text); a file rewritten with the same size and time (``cp -p``,
    ``rsync -t``) goes unnoticed, as it does for make; files added to a source directory or
    pattern are ``added_sources``."""
    for s in manifest["sources"]:
        try:
            st = os.stat(s["path"])
        except OSError:
            continue
        if st.st_size != s["size"] or st.st_mtime_ns != s["mtime_ns"]:
            return f"{s['path']!r}, which has changed since (size {s['size']} -> {st.st_size})"
    return None


def added_sources(manifest, prepared_dir):
    """Files a directory or glob pattern given to ``prepare`` (the manifest's ``inputs``;
    older manifests lack them) finds now that it did not then, outside ``prepared_dir``. Only
    a warning: they may be new corpus text, or files written beside it since (vocabularies,
    vectors, checkpoints), which fastw2v cannot tell apart."""
    read = {s["path"] for s in manifest["sources"]}
    inside = os.path.abspath(prepared_dir) + os.sep
    added = []
    for source in manifest.get("inputs", ()):
        try:
            found = expand_sources([source])
        except OSError:
            continue
        added += [p for p in map(os.path.abspath, found)
                  if p not in read and not p.startswith(inside)]
    return added


def is_prepared(path):
    """Whether ``path`` is a prepared directory, rather than a directory of text files: its
    manifest.json is fastw2v's, or is damaged beside a vocab.txt (``PreparedCorpus`` then
    says what is wrong). A text directory may hold a manifest.json of its own."""
    manifest = os.path.join(path, "manifest.json")
    if not (os.path.isdir(path) and os.path.isfile(manifest)):
        return False
    try:
        with open(manifest, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError):
        return os.path.exists(os.path.join(path, "vocab.txt"))
    return isinstance(m, dict) and m.get("format") == FORMAT


class PreparedCorpus:
    """An opened prepared directory: its vocabulary, and token streams for training."""

    def __init__(self, path, check_sources=True, vocab=None, read_words=True):
        """``vocab``: the (words, counts) of its vocab.txt when the caller holds them (the
        directory was just prepared): not read back (a fifth of a second for 81k words).
        ``read_words=False``: vocab.txt is not read at all (``words`` and ``counts`` are None):
        a Dask worker reads the token streams onto the model's vocabulary, which it is given."""
        self.path = os.fspath(path)
        manifest = os.path.join(self.path, "manifest.json")
        if not os.path.isdir(self.path):
            raise FileNotFoundError(f"prepared corpus not found: {self.path!r}")
        if not os.path.exists(manifest):
            raise ValueError(f"{self.path!r} is not a prepared corpus (no manifest.json); make "
                             "one with `fastw2v prepare CORPUS -o DIR`")
        try:
            with open(manifest) as f:
                self.manifest = json.load(f)
        except ValueError as e:
            raise ValueError(f"{manifest}: not valid JSON ({e})") from None
        m = self.manifest
        if not isinstance(m, dict) or m.get("format") != FORMAT:
            raise ValueError(f"{manifest}: not a fastw2v prepared corpus (format "
                             f"{m.get('format') if isinstance(m, dict) else None!r})")
        if m.get("version") != VERSION:
            raise ValueError(f"{self.path!r} is a prepared corpus of format version "
                             f"{m.get('version')!r}; this fastw2v reads version {VERSION}: "
                             "prepare it again")
        missing = [k for k in ("sources", "shards", "vocab_size", "raw_words", "sentences",
                               "lowercase", "keep_min_count", "max_vocab_size", "vocab_from_file")
                   if k not in m]
        if missing:
            raise ValueError(f"{manifest}: damaged, no {', '.join(map(repr, missing))}: prepare "
                             "it again")
        if check_sources:
            change = changed_sources(m)
            if change:
                raise ValueError(f"{self.path!r} was prepared from {change}: prepare it again")
            added = added_sources(m, self.path)
            if added:
                warnings.warn(f"{self.path!r}: its sources hold {len(added)} file(s) they did "
                              f"not when it was prepared, e.g. {added[0]!r}; prepare it again "
                              "if they are corpus text", stacklevel=2)
        self.words = self.counts = None
        if vocab is not None or read_words:
            self.words, self.counts = vocab or read_vocab(os.path.join(self.path, "vocab.txt"),
                                                          sentence_marker=False)
        if self.words is not None and len(self.words) != m["vocab_size"]:
            raise ValueError(f"{self.path!r}: vocab.txt holds {len(self.words)} words, the "
                             f"manifest says {m['vocab_size']}")
        self.shards = [(os.path.join(self.path, s["file"]), os.path.join(self.path, s["map"]))
                       for s in m["shards"]]
        for s, (tokens, shard_map) in zip(m["shards"], self.shards):
            if not os.path.exists(tokens) or os.path.getsize(tokens) != 4 * s["tokens"]:
                raise ValueError(f"{tokens}: missing or truncated ({s['tokens']} tokens expected)")
            if not os.path.exists(shard_map):
                raise ValueError(f"{shard_map}: missing")
        self._ends_path = os.path.join(self.path, "sentence_ends.i64")
        if not os.path.exists(self._ends_path) or os.path.getsize(self._ends_path) != 8 * m["sentences"]:
            raise ValueError(f"{self._ends_path}: missing or truncated ({m['sentences']} sentence "
                             "ends expected)")
        # the corpus ends a sentence (each file does): blocks.kept_sentences relies on it
        last = np.fromfile(self._ends_path, dtype="<i8", offset=8 * (m["sentences"] - 1)) \
            if m["sentences"] else np.empty(0)
        if last.size != 1 or last[0] != self.n_tokens:
            raise ValueError(f"{self._ends_path}: damaged (its last sentence does not end at "
                             f"the corpus's last token, {self.n_tokens}): prepare it again")
        self._ends = self._sentence_ends = None
        self._maps = collections.OrderedDict()       # shard_map's: path -> (to_id, checked, map)
        self._maps_lock = threading.Lock()
        maps = {m for _, m in self.shards}
        all_fit = sum(map(os.path.getsize, maps)) <= _MAPS_BYTES
        self._maps_kept = len(maps) if all_fit else _MAPS_KEPT

    @property
    def encoding(self):
        """The canonical codec name the text was decoded with (``transcode.check_encoding``)."""
        return self.manifest.get("encoding", "utf-8")       # written before the key existed

    @property
    def unicode_errors(self):
        return self.manifest.get("unicode_errors", "strict")

    @property
    def raw_words(self):
        return int(self.manifest["raw_words"])

    @property
    def n_tokens(self):
        """Tokens stored, left-out words included (sentence_ends counts these)."""
        return int(self.manifest["raw_words"])

    @property
    def ends(self):
        """The stored position after every sentence, all in memory (8 bytes a sentence).
        Training reads them in chunks instead (``end_chunks``), or searches the file
        (``sentence_ends``)."""
        if self._ends is None:
            self._ends = np.fromfile(self._ends_path, dtype="<i8")
        return self._ends

    def sentence_ends(self):
        """The sentence ends as a ``SentenceEnds``, searched on disk (``ends.py``); made once."""
        if self._sentence_ends is None:
            self._sentence_ends = SentenceEnds(self._ends_path, int(self.manifest["sentences"]))
        return self._sentence_ends

    def end_chunks(self, chunk=None):
        """The sentence ends, ``chunk`` at a time (``blocks.ENDS_CHUNK``), read explicitly."""
        with open(self._ends_path, "rb") as f:
            while True:
                ends = read_array(f, "<i8", chunk or ENDS_CHUNK)
                if ends.size == 0:
                    return
                yield ends.astype(np.int64, copy=False)

    def blocks(self, to_id=None, check=False):
        """The stored tokens in corpus order as vocabulary ids (-1 for a word left out), or as
        ``to_id[vocabulary id]`` when given, ``_IO_TOKENS`` at a time, read explicitly (no
        mmap, so pages read do not stay in the process's memory). ``check``: every id checked
        against its map (``encoded`` does, once, before training; the epochs then read
        without it)."""
        for tokens, shard_map in self.shards:
            m = self.shard_map(shard_map, to_id, check)
            with open(tokens, "rb") as f:
                while True:
                    ids = read_array(f, "<i4", _IO_TOKENS)
                    if ids.size == 0:
                        break
                    if check and (ids.min() < 0 or ids.max() >= m.size):
                        raise ValueError(f"{tokens}: damaged (an id outside its map "
                                         f"{os.path.basename(shard_map)}, {m.size} words): "
                                         "prepare it again")
                    yield m[ids]

    def shard_map(self, path, to_id=None, check=False):
        """The map file ``path`` as vocabulary ids (-1 for a word left out), or as ``to_id`` of
        them; ``check``: every id checked against the vocabulary. The shards of one first-pass
        table share its map, which holds every word the table met (up to ``TABLE_WORDS``), and
        the tables' shards interleave: the translated maps are kept, all of them while they
        take at most ``_MAPS_BYTES`` (the sum of the tables' words, 4 bytes each), else the
        latest ``_MAPS_KEPT``, so that an epoch reads and translates each once, not once a
        shard (a corpus of many small files is many shards). A kept map serves the same
        ``to_id`` object only, and ``check`` only if it was checked when read."""
        with self._maps_lock:                   # a Dask worker's tasks may share the corpus
            hit = self._maps.get(path)
            if hit is not None and hit[0] is to_id and (hit[1] or not check):
                self._maps.move_to_end(path)
                return hit[2]
        m = np.fromfile(path, dtype="<i4")
        if check and m.size and not -1 <= m.min() <= m.max() < self.manifest["vocab_size"]:
            raise ValueError(f"{path}: damaged (a vocabulary id outside 0-"
                             f"{self.manifest['vocab_size'] - 1}): prepare it again")
        if to_id is not None:
            m = np.where(m >= 0, to_id[m], -1).astype(np.int32)
        with self._maps_lock:
            self._maps[path] = (to_id, check, m)
            self._maps.move_to_end(path)
            while len(self._maps) > self._maps_kept:
                self._maps.popitem(last=False)
        return m

    def encoded(self, to_id, max_sentence_length):
        """The corpus as the ids ``to_id`` gives each vocabulary id (-1 = drop): a streamed
        ``EncodedCorpus``, its sentences as ``EncodedCorpus.from_scan`` cuts them. One pass
        counts them (and checks every id against its map); nothing a sentence long is kept."""
        words = sentences = 0
        for _, lengths in kept_sentences(self.blocks(to_id, check=True), self.end_chunks(),
                                         max_sentence_length):
            words += int(lengths.sum())
            sentences += lengths.size
        return StreamedCorpus(self, to_id, words, sentences, max_sentence_length, self.raw_words)


class StreamedCorpus:
    """What the training loop reads, from disk (as ``EncodedCorpus`` from memory): ``n_words``,
    ``n_sentences``, ``raw_words``, ``blocks(threads, words_per_thread)`` (the kernels' blocks,
    planned as the sentences go by: ``blocks.py``) and the CUDA driver's ``segments(max_tokens)``
    (found as they go by too)."""

    def __init__(self, prepared, to_id, n_words, n_sentences, max_sentence_length, raw_words):
        self.prepared, self.to_id, self.raw_words = prepared, to_id, raw_words
        self.n_words, self.n_sentences = n_words, n_sentences
        self.max_sentence_length = max_sentence_length

    def blocks(self, threads, words_per_thread):
        return streamed_blocks(self._sentences(), self.n_words, threads, words_per_thread)

    def segments(self, max_tokens):
        return streamed_segments(self._sentences(), self.n_words, max_tokens)

    def _sentences(self):
        return kept_sentences(self.prepared.blocks(self.to_id), self.prepared.end_chunks(),
                              self.max_sentence_length)
