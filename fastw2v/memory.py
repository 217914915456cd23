"""What a model's memory comes to: gensim's ``Word2Vec.estimate_memory``, counted from the
structures fastw2v holds.

gensim charges a flat 500 bytes a vocabulary word (700 with hierarchical softmax) besides its
two float32 matrices. fastw2v counts its own, per vocabulary word (CPython, 64 bits):

* the word, a ``str``: 49 bytes + its length for ASCII (more for other scripts);
* two lists of the words (``Vocab.words``, ``KeyedVectors.index_to_key``: 8 bytes each) and two
  dicts word -> row (``key_to_index`` of each: their tables, about 30 to 80 bytes an entry by
  where the table's power-of-two size falls, and an ``int`` of 28 bytes an entry);
* the counts, int64 (8 bytes; the vectors' ``"count"`` is the same array);

and while training:

* the subsampling probabilities (float32, 4 bytes);
* negative sampling's alias table (accept int64 and alias int32: 12 bytes), or hierarchical
  softmax's paths (codes uint8 and points int32 up to the longest code L, and their lengths:
  5 L + 4 bytes; L from the model's own tree, or, for another size, 40: word2vec.c's
  MAX_CODE_LENGTH, not a bound of fastw2v's tree but past Zipfian vocabularies' depths, which
  grow as the logarithm of the largest count over the smallest).

And the corpus the model trains (``corpus``, its own size only): a token list corpus held as
ids (int32 a token) and sentence offsets (int64 a sentence); a corpus streamed from disk keeps
every distinct word of the corpus with its count and id here (those under min_count too) and
the shards' translated maps it reads with (int32 an entry, up to 256 MB), and nothing a
sentence long on the CPU (``corpus/blocks.py``), in the Dask driver (``corpus/ends.py``) or in
the CUDA driver (``blocks.streamed_segments``).

The rows: ``vectors`` V x D float32; the output rows (gensim's ``syn1neg``, ``syn1``): V rows
(V - 1 for the Huffman tree's inner nodes) x D float32, plus, with 2 to 4 CPU threads, each
thread's copies of the hottest rows and their snapshots (``cpu/_staging.py``, 2 x STAGED_ROWS
rows a thread). The full softmax adds a (batch, V) score matrix and a (V, D) gradient per thread.

Not counted, as in gensim: the interpreter, NumPy and numba with the compiled kernels (a fixed
amount whatever the vocabulary), the corpus read-ahead (a fixed number of chunks), the CUDA
driver's segment on the host (up to ``config.GPU_CHUNK_TOKENS`` words, 12 bytes a word with its
offsets at most, and its subsampling's temporaries), and what the first pass freed but the
allocator kept, by which a training's resident memory exceeds the
estimate (bench_results/decisions.md#estimate-memory measures both).
"""
import sys

import numpy as np

STR_BYTES = 49 + 8          # a word's str before a vocabulary exists: ASCII, 8 characters
TABLE_BYTES = 150           # lists, dicts, ints and counts per word (measured: 125-160)
MAX_CODE_LENGTH = 40        # word2vec.c's longest Huffman code (its arrays' size)
_INT_BYTES = sys.getsizeof(1 << 20)


def word_bytes(vocab, wv):
    """Bytes per word of the vocabulary's structures (``vocab``, the rows' ``wv``), counted
    from the objects themselves: the words, both lists, both dicts and their ints, the counts."""
    words = vocab.words
    n = max(len(words), 1)
    held = sum(map(sys.getsizeof, words))
    held += sys.getsizeof(words) + sys.getsizeof(wv.index_to_key)
    held += sys.getsizeof(vocab.key_to_index) + sys.getsizeof(wv.key_to_index)
    held += 2 * _INT_BYTES * max(len(words) - 257, 0)    # CPython shares the ints up to 256
    counts = [vocab.counts] + [a for a in wv.expandos.values() if a is not vocab.counts]
    held += sum(np.asarray(a).nbytes for a in counts)
    return held / n


def training_bytes(head, vocab=None):
    """Bytes per word of the tables a training builds: subsampling, and the alias table
    (negative sampling) or the Huffman paths (the longest code of ``vocab``'s tree when given,
    else MAX_CODE_LENGTH)."""
    keep = 4
    if head == "ns":
        return keep + 12
    if head == "hs":
        longest = MAX_CODE_LENGTH
        if vocab is not None and len(vocab) > 1:
            longest = int(vocab.huffman_tree()[2].max())
        return keep + 5 * longest + 4
    return keep


def staged_rows(head, threads, rows, device="cpu"):
    """Rows of copies and snapshots the CPU threads stage (``cpu/_staging.py``)."""
    from .cpu._staging import stage_count
    return 0 if head == "softmax" or device != "cpu" else 2 * threads * stage_count(rows, threads)


def corpus_bytes(corpus, vocab):
    """Bytes the model's ``corpus`` holds besides the vocabulary (``vocab``, whose words a
    prepared corpus's word list shares): ids and offsets in memory, or what a corpus streamed
    from disk keeps (see the module's docstring)."""
    if corpus is None:
        return 0
    prepared = getattr(corpus, "prepared", None)
    if prepared is None:                      # in memory
        return corpus.ids.nbytes + corpus.offsets.nbytes
    words = prepared.words
    shared = {id(w) for w in vocab.words} if vocab is not None else set()
    held = sys.getsizeof(words) + sum(sys.getsizeof(w) for w in words if id(w) not in shared)
    held += prepared.counts.nbytes + np.asarray(corpus.to_id).nbytes
    held += sum(m.nbytes for _, _, m in list(prepared._maps.values()))
    # every sentence end exists only once a caller of ``ends`` asked (no training does)
    held += prepared._ends.nbytes if prepared._ends is not None else 0
    return held


def estimate(model, vocab_size=None, report=None):
    """gensim's report: bytes of ``vocab``, ``vectors`` and the output rows (``syn1neg``,
    ``syn1``, or ``softmax`` for the full softmax with its per-thread buffers), and their
    ``total``, for ``vocab_size`` words (default: the model's vocabulary); for the model's own
    vocabulary with a corpus to train, also ``corpus`` (fastw2v's, not gensim's). ``report`` is
    updated and returned, as gensim's."""
    cfg = model.config
    built = getattr(model, "vocab", None)
    if built is not None and not len(built):
        built = None
    V = int(vocab_size or (len(built) if built is not None else 0))
    D, head, threads = cfg.vector_size, cfg.objective[1], model.workers
    report = {} if report is None else report
    per_word = word_bytes(built, model.wv) if built is not None else STR_BYTES + TABLE_BYTES
    same = built is not None and V == len(built)
    report["vocab"] = int(round(V * (per_word + training_bytes(head, built if same else None))))
    report["vectors"] = V * D * 4
    rows = max(V - 1, 1) if head == "hs" else V
    out = (rows + staged_rows(head, threads, rows, cfg.device)) * D * 4 if V else 0
    if head == "softmax" and V:
        out += 4 * threads * (cfg.softmax_batch * V + V * D)
    report[{"ns": "syn1neg", "hs": "syn1"}.get(head, "softmax")] = out
    if same and getattr(model, "_corpus", None) is not None:
        report["corpus"] = corpus_bytes(model._corpus, built)
    report["total"] = sum(v for k, v in report.items() if k != "total")
    return report

