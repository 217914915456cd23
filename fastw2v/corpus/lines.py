"""``word count`` lines, as word2vec.c's -save-vocab writes them, formatted in Numba.

A prepared corpus keeps every distinct word (``keep_min_count`` 1 by default), so its
vocabulary file holds millions of lines for a large corpus, and formatting each in Python
(an f-string a line) was the largest serial step after a first pass's counting
(bench_results/decisions.md#vocab-lines). Here the words are joined and encoded once and
the lines are written byte by byte into one buffer.
"""
import numpy as np
from numba import njit

from .. import config


def vocab_lines(words, counts):
    r"""``"".join(f"{w} {c}\n" ...)`` of the words and their counts, encoded as UTF-8 (bytes,
    or a uint8 array of them: what a binary file's ``write`` takes). Counts that are not
    integers from int64's range (floats, bools, larger ints) and words holding a newline
    (the joined text could not be split back) are formatted by Python."""
    given = np.asarray(counts)
    if given.size != len(words):
        raise ValueError(f"{len(words)} words but {given.size} counts")
    if len(words) == 0:
        return b""
    text = "\n".join(words).encode("utf-8")
    arena = np.frombuffer(text, dtype=np.uint8)
    breaks = np.flatnonzero(arena == 10)
    if (breaks.size != len(words) - 1 or given.dtype.kind not in "iu" or given.min() < 0
            or given.max() > np.iinfo(np.int64).max):
        return "".join(f"{w} {c}\n" for w, c in zip(words, given.tolist())).encode("utf-8")
    counts = given.astype(np.int64)
    starts = np.empty(len(words) + 1, dtype=np.int64)      # word w: arena[starts[w]:starts[w+1]-1]
    starts[0], starts[1:-1], starts[-1] = 0, breaks + 1, arena.size + 1
    out = np.empty(arena.size + 1 + 21 * len(words), dtype=np.uint8)   # 19 digits, " ", "\n"
    return out[:_format(arena, starts, counts, out)]


@njit(cache=config.CACHE, nogil=True)
def _format(arena, starts, counts, out):
    """Write word w's bytes, a space, ``counts[w]`` in decimal and a newline, for every w;
    returns the bytes written."""
    digits = np.empty(20, dtype=np.uint8)
    p = 0
    for w in range(counts.size):
        a, b = starts[w], starts[w + 1] - 1
        out[p:p + b - a] = arena[a:b]
        p += b - a
        out[p] = 32
        p += 1
        c, n = counts[w], 0
        while True:                               # the digits, last first
            digits[n] = 48 + c % 10
            c //= 10
            n += 1
            if c == 0:
                break
        for t in range(n):
            out[p + t] = digits[n - 1 - t]
        p += n
        out[p] = 10
        p += 1
    return p
