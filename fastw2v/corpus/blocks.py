"""The kernels' blocks from a corpus streamed from disk, without an array a sentence long.

An epoch trains blocks of ``threads`` pieces of sentences (``schedule.plan_pieces``): cut where
the corpus's words reach ``linspace(0, words, blocks x threads + 1)``, each cut at the first
sentence starting at or past its target. Planned over the whole corpus, that needs every
sentence's offset: 8 bytes a sentence, with the sentence ends as stored, and the temporaries
that compute them, about 40 bytes a sentence at the peak. A corpus of a billion words in
sentences of 20 (one a line, as gensim's LineSentence reads) is fifty million sentences:
2 GB (bench_results/decisions.md#streamed-blocks).

Here the same cuts are found as the sentences go by: a cut is the first sentence end whose
running word count reaches its target, which is known once the words before it are. The
sentences themselves come from the stored tokens and ends in chunks (``kept_sentences``):
tokens outside the vocabulary dropped, empty sentences dropped, long ones cut into
``max_len`` pieces from their start, exactly as ``PreparedCorpus.encoded`` computes the
offsets (and ``EncodedCorpus.from_scan`` for a corpus in memory). Memory: a chunk of tokens,
a chunk of ends, the part of a sentence not yet ended (under ``max_len`` words) and the block
being gathered. The blocks are those of ``planned_blocks`` on the whole corpus's offsets:
``tests/test_streamed_blocks.py`` checks them against it.
"""
import numpy as np

from ..schedule import block_count

# read and worked on at a time: every array below is at most a few of these long (the
# temporaries of chunks four times larger showed in the peak RSS of an epoch:
# bench_results/decisions.md#streamed-blocks)
ENDS_CHUNK = 1 << 16              # sentence ends read at a time (512 KiB)
TOKENS_CHUNK = 1 << 18            # stored tokens worked on at a time


def _split_lengths(lengths, max_len):
    """Sentence lengths with each one over ``max_len`` cut into pieces of ``max_len`` from its
    start, the rest last (``reading.split_long_sentences`` on lengths)."""
    if lengths.size == 0 or lengths.max() <= max_len:
        return lengths
    pieces = -(-lengths // max_len)
    out = np.full(int(pieces.sum()), max_len, dtype=np.int64)
    last = np.cumsum(pieces) - 1
    out[last] = lengths - (pieces - 1) * max_len
    return out


def kept_sentences(token_chunks, end_chunks, max_len):
    """``(ids, lengths)`` batches of the sentences a model trains, in corpus order, each batch
    ending at a sentence end. ``token_chunks``: the stored tokens as this model's ids (-1: not
    in the vocabulary); ``end_chunks``: the stored position after every sentence, ascending.
    The last end must be the last token's (``PreparedCorpus`` checks it): a long sentence's
    first pieces go out before its end is read."""
    ends = np.empty(0, dtype=np.int64)
    end_chunks = iter(end_chunks)
    pending = np.empty(0, dtype=np.int32)     # kept ids of the sentence not yet ended
    pos = 0                                   # stored tokens read
    for mapped in _pieces(token_chunks, TOKENS_CHUNK):
        stop = pos + mapped.size
        while ends.size == 0 or ends[-1] < stop:
            more = next(end_chunks, None)
            if more is None:
                break
            ends = np.concatenate([ends, more])
        k = int(np.searchsorted(ends, stop, side="right"))
        here, ends = ends[:k] - pos, ends[k:]
        pos = stop
        kept = mapped >= 0
        ids = mapped[kept]
        if here.size == 0:
            pending = np.concatenate([pending, ids])
        else:
            before = np.zeros(mapped.size + 1, dtype=np.int32)   # < TOKENS_CHUNK
            np.cumsum(kept, out=before[1:])
            bounds = before[here]                 # kept tokens before each end
            lengths = np.diff(bounds, prepend=0).astype(np.int64)
            lengths[0] += pending.size
            batch = np.concatenate([pending, ids[:bounds[-1]]])
            pending = ids[bounds[-1]:]
            lengths = _split_lengths(lengths[lengths > 0], max_len)
            if lengths.size:
                yield batch, lengths
        if pending.size >= max_len:               # whole pieces of a long sentence: its first
            whole = pending.size // max_len * max_len     # pieces whatever follows
            yield pending[:whole], np.full(whole // max_len, max_len, dtype=np.int64)
            pending = pending[whole:]


def _pieces(chunks, size):
    """The arrays of ``chunks`` cut into pieces of at most ``size``."""
    for chunk in chunks:
        for i in range(0, chunk.size, size):
            yield chunk[i:i + size]


def streamed_blocks(batches, n_words, threads, words_per_thread):
    """``(ids, offsets, starts)`` of every block, counted from the block's start, from the
    sentence ``batches`` of ``kept_sentences`` (``n_words`` words in all): ``plan_pieces``'s
    blocks, found as the batches go by."""
    n_blocks = block_count(n_words, threads, words_per_thread)
    targets = np.linspace(0, n_words, n_blocks * threads + 1)
    last = targets.size - 1
    cuts = [0]                        # the cuts found, as sentence indices
    seen = words = 0                  # sentences and words of the batches so far
    held = _Held()                    # sentences not yet in a block
    block = 0
    for ids, lengths in batches:
        reached = words + np.cumsum(lengths)      # words up to the end of each sentence
        # plan_pieces's cut: the first sentence boundary at or past the target (its last
        # cut, the corpus's end, is set when the batches end)
        while len(cuts) < last and targets[len(cuts)] <= reached[-1]:
            cuts.append(seen + 1 + int(np.searchsorted(reached, targets[len(cuts)], side="left")))
        held.add(ids, lengths)
        seen, words = seen + lengths.size, int(reached[-1])
        while (block + 1) * threads < len(cuts):  # a block whose last cut is known
            yield held.take(cuts[block * threads:(block + 1) * threads + 1])
            block += 1
    _check_words(words, n_words)
    cuts += [seen] * (last + 1 - len(cuts))
    while block < n_blocks:
        yield held.take(cuts[block * threads:(block + 1) * threads + 1])
        block += 1


def streamed_segments(batches, n_words, max_tokens):
    """``(ids, offsets)`` of ``schedule.segments``' sentence ranges (at most ``max_tokens``
    words, a longer sentence alone), offsets counted from each one's start, from the sentence
    ``batches`` of ``kept_sentences`` (``n_words`` words in all): the CUDA driver's segments
    of a corpus streamed from disk. A segment ends where the next sentence would not fit, so
    the last one a batch starts may go on into the next batch. Each segment is copied into
    arrays of its own as the batches come (``_Segment``): memory holds it and one batch."""
    if max_tokens < 1:
        raise ValueError(f"a segment holds at least one word, not {max_tokens}")
    given = 0                                         # words in the segments given out
    segment = _Segment(min(max_tokens, n_words))
    for ids, lengths in batches:
        reached = np.cumsum(lengths)                  # words to each sentence's end, here
        pos = before = 0                              # sentences of the batch placed; words
        while pos < lengths.size:
            # the sentences from ``pos`` that fit in what the segment has left
            k = int(np.searchsorted(reached[pos:], before + max_tokens - segment.words,
                                    side="right"))
            if k == 0 and segment.words == 0:
                k = 1                                 # a longer sentence alone
            if k:
                segment.add(ids[before:reached[pos + k - 1]], reached[pos:pos + k] - before)
                pos, before = pos + k, int(reached[pos + k - 1])
            if pos < lengths.size:                    # the next sentence does not fit
                given += segment.words
                yield segment.arrays()
                segment = _Segment(min(max_tokens, max(n_words - given, 1)))
    if segment.words:
        given += segment.words
        yield segment.arrays()
    _check_words(given, n_words)


def _check_words(words, n_words):
    if words != n_words:
        raise ValueError(f"the prepared corpus gave {words} words where {n_words} were counted: "
                         "it changed since; prepare it again")


class _Segment:
    """One segment's ids and offsets, filled in place, in arrays sized for ``room`` words
    (the segment's most, or the words left if fewer: as many sentences at most), grown only
    for a sentence longer than that (alone in its segment) or a corpus that changed."""

    def __init__(self, room):
        self.ids = np.empty(room, dtype=np.int32)
        self.offsets = np.zeros(room + 1, dtype=np.int64)
        self.words = self.sentences = 0

    def add(self, ids, ends):
        """Sentences ``ids``, each ending at ``ends`` (counted from the first's start)."""
        words, sentences = self.words + ids.size, self.sentences + ends.size
        if words > self.ids.size:
            self.ids = np.concatenate([self.ids[:self.words], np.empty(ids.size, np.int32)])
        if sentences + 1 > self.offsets.size:
            self.offsets = np.concatenate([self.offsets[:self.sentences + 1],
                                           np.zeros(ends.size, np.int64)])
        self.ids[self.words:words] = ids
        self.offsets[self.sentences + 1:sentences + 1] = self.words + ends
        self.words, self.sentences = words, sentences

    def arrays(self):
        return self.ids[:self.words], self.offsets[:self.sentences + 1]


class _Held:
    """Sentences read but not yet given out in a block, from sentence ``first`` on."""

    def __init__(self):
        self.ids, self.lengths, self.first = [], [], 0

    def add(self, ids, lengths):
        self.ids.append(ids)
        self.lengths.append(lengths)

    def take(self, cuts):
        """The block of sentences ``cuts[0]`` (= ``first``) to ``cuts[-1]``, its pieces cut at
        ``cuts``: ``(ids, offsets, starts)`` counted from its start."""
        starts = np.asarray(cuts, dtype=np.int64)
        ids = _joined(self.ids, np.int32)
        lengths = _joined(self.lengths, np.int64)
        n = int(starts[-1] - self.first)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths[:n], out=offsets[1:])
        used = int(offsets[-1])
        self.ids, self.lengths, self.first = [ids[used:]], [lengths[n:]], int(starts[-1])
        return ids[:used], offsets, starts - starts[0]


def _joined(parts, dtype):
    return parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.empty(0, dtype)
