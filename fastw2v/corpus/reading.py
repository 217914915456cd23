"""Text -> int32 token ids + sentence offsets.

A corpus is a plain-text file (one sentence per line, or one huge line as text8 is;
``.gz``/``.bz2``/``.xz`` are read transparently) or any re-iterable of token lists.
Tokens are split on whitespace (``str.split``), a line is a sentence. Files are UTF-8 unless
``encoding`` names another codec (``transcode.py``: the words are then those of
``open(path, encoding=..., errors=unicode_errors).read().split()``). Files are streamed in
1 MiB chunks, so memory is bounded by the encoded ids (4 bytes a word), never by the text or
by Python lists of strings.

Two entry points:

* ``scan`` reads the corpus once, counting words *and* storing every token as a provisional
  id (its first-seen index). When the vocabulary is final, ``EncodedCorpus.from_scan`` maps the
  provisional ids to vocabulary ids with one array lookup, so a file is read only once.
* ``encode`` maps a corpus onto an existing vocabulary (training on new text).

Sentences longer than ``max_sentence_length`` in-vocabulary tokens are split into pieces,
never truncated (gensim silently drops everything past 10,000 tokens).
"""
import os
from array import array
from dataclasses import dataclass

import numpy as np

from .. import config
from .._files import OPENERS as _OPENERS, open_binary as _open_binary  # noqa: F401
from ..vocab import prune
from .transcode import Decoder, check_encoding, is_plain_utf8

_CHUNK_BYTES = 1 << 20


def _decode(raw, path, line_no, column=0):
    """``raw`` (bytes of line ``line_no`` from byte ``column`` of it) as text."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path}: line {line_no}: invalid UTF-8 byte {raw[e.start:e.start + 1]!r} "
            f"at column {column + e.start + 1}") from None


def _iter_file(path, lowercase, encoding="utf-8", unicode_errors="strict"):
    """Yield ``(tokens, ends_sentence)`` pieces of a text file, chunk by chunk."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"corpus file not found: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"corpus path is a directory, not a file: {path!r}")
    if not is_plain_utf8(encoding, unicode_errors):
        yield from _iter_decoded(path, lowercase, encoding, unicode_errors)
        return
    line_no, column = 1, 0                 # column: bytes of the line in earlier chunks
    tail = b""
    with _open_binary(path) as f:
        while True:
            block = f.read(_CHUNK_BYTES)
            final = not block
            buf = tail + block
            if not final:
                # Cut after the last whitespace byte so that no token straddles two chunks.
                cut = max(buf.rfind(b" "), buf.rfind(b"\n"), buf.rfind(b"\t"), buf.rfind(b"\r"))
                if cut < 0:
                    tail = buf
                    continue
                buf, tail = buf[:cut + 1], buf[cut + 1:]
            lines = buf.split(b"\n")
            for i, raw in enumerate(lines):
                text = _decode(raw, path, line_no, column)
                if lowercase:
                    text = text.lower()
                ends = i < len(lines) - 1 or final
                yield text.split(), ends
                line_no += ends
                column = 0 if ends else column + len(raw)
            if final:
                return


def _iter_decoded(path, lowercase, encoding, unicode_errors):
    """``_iter_file`` for any other encoding: decode each chunk (the decoder keeps a character
    cut by the chunk's end for the next), then cut and split the text as ``_iter_file`` does
    the bytes. Decoding before splitting on lines keeps UTF-16's 2-byte newline whole."""
    decoder = Decoder(path, encoding, unicode_errors)
    tail = ""
    with _open_binary(path) as f:
        while True:
            block = f.read(_CHUNK_BYTES)
            final = not block
            text = tail + decoder.decode(block, final)
            if not final:
                cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"), text.rfind("\r"))
                if cut < 0:
                    tail = text
                    continue
                text, tail = text[:cut + 1], text[cut + 1:]
            lines = text.split("\n")
            for i, line in enumerate(lines):
                yield (line.lower() if lowercase else line).split(), i < len(lines) - 1 or final
            if final:
                return


def _iter_sentences(sentences, lowercase):
    """Yield ``(tokens, True)`` for each token list of an iterable, checking its shape."""
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, (str, bytes)):
            raise TypeError(
                f"sentence {i} is a {type(sentence).__name__} ({sentence[:30]!r}); a corpus "
                "iterable must yield lists of tokens, e.g. [['the', 'cat'], ['a', 'dog']]")
        tokens = list(sentence)
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(f"sentence {i}: token {token!r} is a {type(token).__name__}, "
                                "expected str")
        yield ([t.lower() for t in tokens] if lowercase else tokens), True


def iter_token_chunks(source, lowercase=False, encoding="utf-8", unicode_errors="strict"):
    """Yield ``(tokens, ends_sentence)`` from a file path or an iterable of token lists.
    ``encoding`` and ``unicode_errors`` decode a file (checked for any source)."""
    encoding = check_encoding(encoding, unicode_errors)
    if isinstance(source, (str, os.PathLike)):
        return _iter_file(os.fspath(source), lowercase, encoding, unicode_errors)
    if iter(source) is source:
        raise TypeError(
            "the corpus is a one-shot iterator (a generator?): fastw2v reads a corpus more than "
            "once (vocabulary, then training on new text), so pass a list or a re-iterable object")
    return _iter_sentences(source, lowercase)


def describe(source):
    """A short name for a corpus, for error messages."""
    if isinstance(source, (str, os.PathLike)):
        return repr(os.fspath(source))
    return f"<{type(source).__name__} corpus>"


class _StreamBuilder:
    """Growable int32 token stream with sentence boundaries."""

    def __init__(self):
        self._parts = []
        self.size = 0
        self.given = 0                    # end_sentence calls: the sentences given, empty too
        self._ends = array("q")

    def extend(self, ids):
        if len(ids):
            self._parts.append(np.asarray(ids, dtype=np.int32))
            self.size += len(ids)

    def end_sentence(self):
        self.given += 1
        self._close()

    def _close(self):
        if self.size > (self._ends[-1] if self._ends else 0):
            self._ends.append(self.size)

    def finish(self):
        self._close()
        ids = np.concatenate(self._parts) if self._parts else np.empty(0, np.int32)
        self._parts = []
        offsets = np.zeros(len(self._ends) + 1, dtype=np.int64)
        offsets[1:] = np.frombuffer(self._ends, dtype=np.int64)
        return ids, offsets


@dataclass
class ScanResult:
    """One pass over a corpus: counts and provisional ids (index of first sight)."""
    words: list          # provisional id -> word
    counts: np.ndarray   # (P,) int64, 0 for pruned words
    ids: np.ndarray      # (N,) int32 provisional ids, every token
    offsets: np.ndarray  # (S+1,) int64 sentence boundaries into ids
    raw_words: int       # tokens read
    given: int = 0       # sentences as the source gave them (empty ones too; a file: its lines)


def scan(source, lowercase=False, max_vocab_size=None, encoding="utf-8", unicode_errors="strict"):
    """Count words and store every token as a provisional id, in one pass.

    ``max_vocab_size`` keeps the words that word2vec.c's ReduceVocab rule keeps, applied to
    the final counts (``vocab.prune``); pruned words get count 0. ``encoding`` and
    ``unicode_errors`` decode a file (``iter_token_chunks``).
    """
    index, words = {}, []
    counts = np.zeros(1024, dtype=np.int64)
    stream = _StreamBuilder()
    get = index.get
    for tokens, ends in iter_token_chunks(source, lowercase, encoding, unicode_errors):
        if tokens:
            ids = np.array([get(w, -1) for w in tokens], dtype=np.int64)
            for j in np.flatnonzero(ids < 0):
                w = tokens[j]
                i = get(w)
                if i is None:
                    i = index[w] = len(words)
                    words.append(w)
                ids[j] = i
            if len(words) > len(counts):
                counts = np.concatenate([counts, np.zeros(max(len(words), 2 * len(counts)) - len(counts), np.int64)])
            uniq, n = np.unique(ids, return_counts=True)
            counts[uniq] += n
            stream.extend(ids)
        if ends:
            stream.end_sentence()
    ids, offsets = stream.finish()
    counts = counts[:len(words)]
    counts[~prune(counts, max_vocab_size)] = 0
    return ScanResult(words, counts, ids, offsets, int(ids.size), stream.given)


def split_long_sentences(offsets, max_len):
    """Split every sentence longer than ``max_len`` into consecutive pieces of at most ``max_len``."""
    lengths = np.diff(offsets)
    if lengths.size == 0 or lengths.max() <= max_len:
        return offsets
    pieces = -(-lengths // max_len)                                      # ceil division
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)                # index of each sentence's first piece
    starts = np.repeat(offsets[:-1], pieces) + (np.arange(pieces.sum()) - first) * max_len
    return np.append(starts, offsets[-1]).astype(np.int64)


def _drop_empty(offsets):
    return np.append(offsets[:-1][np.diff(offsets) > 0], offsets[-1])


@dataclass
class EncodedCorpus:
    """A corpus as vocabulary ids: what the kernels read."""
    ids: np.ndarray      # (N,) int32 vocabulary ids, out-of-vocabulary tokens removed
    offsets: np.ndarray  # (S+1,) int64: sentence s is ids[offsets[s]:offsets[s+1]]
    raw_words: int       # tokens in the text, out-of-vocabulary ones included

    @property
    def n_words(self):
        return int(self.ids.size)

    @property
    def n_sentences(self):
        return int(self.offsets.size - 1)

    def blocks(self, threads, words_per_thread):
        """The kernels' blocks, ``(ids, offsets, starts)`` counted from each block's start
        (as ``prepared.StreamedCorpus``)."""
        from ..schedule import planned_blocks
        return planned_blocks(self.ids, self.offsets, threads, words_per_thread)

    def segments(self, max_tokens):
        """The CUDA driver's segments, ``(ids, offsets)`` of at most ``max_tokens`` words
        (``schedule.segments``; as ``prepared.StreamedCorpus``)."""
        from ..schedule import planned_segments
        return planned_segments(self.ids, self.offsets, max_tokens)

    @classmethod
    def from_scan(cls, scanned, provisional_to_final, max_sentence_length=None):
        """Map a scan's provisional ids to vocabulary ids (-1 = dropped) and re-cut sentences."""
        final = provisional_to_final[scanned.ids]
        keep = final >= 0
        kept_before = np.zeros(keep.size + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        offsets = _drop_empty(kept_before[scanned.offsets])
        max_len = max_sentence_length or config.MAX_SENTENCE_LENGTH
        return cls(final[keep].astype(np.int32), split_long_sentences(offsets, max_len),
                   scanned.raw_words)


def encode(source, key_to_index, lowercase=False, max_sentence_length=None, encoding="utf-8",
           unicode_errors="strict"):
    """Encode a corpus onto a fixed vocabulary; unknown tokens are dropped (and counted raw).
    ``encoding`` and ``unicode_errors`` decode a file (``iter_token_chunks``)."""
    stream = _StreamBuilder()
    raw = 0
    get = key_to_index.get
    for tokens, ends in iter_token_chunks(source, lowercase, encoding, unicode_errors):
        raw += len(tokens)
        ids = np.array([get(w, -1) for w in tokens], dtype=np.int64)
        stream.extend(ids[ids >= 0])
        if ends:
            stream.end_sentence()
    ids, offsets = stream.finish()
    max_len = max_sentence_length or config.MAX_SENTENCE_LENGTH
    return EncodedCorpus(ids, split_long_sentences(offsets, max_len), raw)
