"""Bytes -> tokens in Numba: split on whitespace, count distinct words, emit their ids.

This is the first pass's inner loop (``firstpass.py`` drives it over files and byte ranges).
It splits exactly as Python's ``bytes.decode("utf-8").split()`` does on valid UTF-8: on every
character ``str.isspace()`` accepts, ASCII (tab, newline, VT, FF, CR, FS, GS, RS, US, space)
and the nine multi-byte ones (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
U+205F, U+3000). In valid UTF-8 a lead byte (0xC2, 0xE1, 0xE2, 0xE3) always starts a
character, so matching those byte sequences finds exactly those characters; the tests check
the list against ``str.isspace`` over all of Unicode. Invalid UTF-8 never matches a space, so
it lands inside a token, and the caller decodes every distinct token once, which finds it.

A line (``\\n``) ends a sentence when it holds a token; other whitespace only separates tokens.

Distinct words live in an open-addressing hash table (FNV-1a, linear probing) whose keys are
byte ranges of an arena, as word2vec.c's vocab hash: ids are given in order of first sight.
Words are appended to the arena in id order, so word w's bytes end where word w + 1's start.
"""
import numpy as np
from numba import njit

from .. import config

_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)

# the table's state, one int64 array: how many words, arena bytes used, tokens so far in this
# unit, the token count at the last sentence end, whether a newline came before any token, and
# the newlines seen (word2vec.c's count of its "</s>" token, empty lines included)
N_WORDS, ARENA_USED, TOKENS, LAST_END, NEWLINE_FIRST, LINE_ENDS = range(6)


@njit(cache=config.CACHE, inline="always")
def space_length(buf, i, n):
    """Length in bytes of the whitespace character at buf[i] (0 if none)."""
    b = buf[i]
    if b == 32 or 9 <= b <= 13 or 28 <= b <= 31:
        return 1
    if b == 0xC2 and i + 1 < n and (buf[i + 1] == 0x85 or buf[i + 1] == 0xA0):
        return 2
    if i + 2 < n:
        c, d = buf[i + 1], buf[i + 2]
        if b == 0xE1 and c == 0x9A and d == 0x80:
            return 3
        if b == 0xE2 and c == 0x80 and (0x80 <= d <= 0x8A or d == 0xA8 or d == 0xA9 or d == 0xAF):
            return 3
        if b == 0xE2 and c == 0x81 and d == 0x9F:
            return 3
        if b == 0xE3 and c == 0x80 and d == 0x80:
            return 3
    return 0


@njit(cache=config.CACHE, inline="always")
def _slot_of(slots, start, arena, key, pre, src, i, j):
    """The slot of the word ``src[i:j]`` (FNV-1a hash ``key``, first 8 bytes packed ``pre``):
    the one that holds it, or the empty one where it belongs (linear probing). The hash, the
    prefix and the length settle a word of up to 8 bytes; a longer one compares its other
    bytes with the arena's copy."""
    mask = (slots.size >> 2) - 1
    size = j - i
    k = np.int64(np.uint64(key) & np.uint64(mask))
    while True:
        w = slots[4 * k + 2]
        if w < 0:
            return k
        if slots[4 * k] == key and slots[4 * k + 1] == pre and slots[4 * k + 3] == size:
            a = start[w]
            same = True
            for t in range(8, size):
                if arena[a + t] != src[i + t]:
                    same = False
                    break
            if same:
                return k
        k = (k + 1) & mask


@njit(cache=config.CACHE, inline="always")
def _add(slots, k, start, arena, state, key, pre, src, i, j):
    """Give the word ``src[i:j]`` the next id, in the empty slot ``k``, its bytes appended to
    the arena (the caller made room); returns the id. Its count and first sight are the
    caller's to set."""
    w = state[N_WORDS]
    state[N_WORDS] += 1
    a = state[ARENA_USED]
    arena[a:a + j - i] = src[i:j]
    state[ARENA_USED] = a + j - i
    slots[4 * k], slots[4 * k + 1], slots[4 * k + 2], slots[4 * k + 3] = key, pre, w, j - i
    start[w] = a
    return w


@njit(cache=config.CACHE, nogil=True)
def tokenize(buf, i, n, base, table, state, out_ids, out_ends, n_ids, n_ends, limit):
    """Tokenise buf[:n] (cut after whitespace by the caller) into ``table``.

    ``table = (slots, start, counts, first, arena)``. ``slots`` has 4 int64 per slot (a power
    of two of them): the word's hash, its first 8 bytes packed, its id (-1 = empty) and its
    length, so that a word of up to 8 bytes is found without touching the arena. Word w's
    bytes are ``arena[start[w]:...]``, its count ``counts[w]``, the byte offset of its first
    occurrence ``first[w]`` (``base`` = offset of buf[0]). Starts at byte i with n_ids ids
    and n_ends ends written; stops early, before a new word, once the table holds ``limit``
    words (the caller grows it and calls again): returns (n_ids, n_ends, i). The caller
    guarantees room for ``limit`` words and n more arena bytes. Writes each token's id to
    ``out_ids`` and, at every newline closing a non-empty sentence, the unit's token count to
    ``out_ends``.
    """
    slots, start, counts, first, arena = table
    while i < n:
        b = buf[i]
        if b <= 32 or b >= 0xC2:                         # only these bytes can start a space
            s = space_length(buf, i, n)
            if s:
                if b == 10:
                    state[LINE_ENDS] += 1
                    if state[TOKENS] > state[LAST_END]:
                        out_ends[n_ends] = state[TOKENS]
                        n_ends += 1
                        state[LAST_END] = state[TOKENS]
                    elif state[TOKENS] == 0:
                        state[NEWLINE_FIRST] = 1
                i += s
                continue
        j = i
        h = _FNV_OFFSET
        prefix = np.uint64(0)
        while j < n:
            b = buf[j]
            if (b <= 32 or b >= 0xC2) and space_length(buf, j, n):
                break
            h = (h ^ np.uint64(b)) * _FNV_PRIME
            if j - i < 8:
                prefix |= np.uint64(b) << np.uint64(8 * (j - i))
            j += 1
        key, pre = np.int64(h), np.int64(prefix)
        k = _slot_of(slots, start, arena, key, pre, buf, i, j)
        w = slots[4 * k + 2]
        if w < 0:                                       # a new word
            if state[N_WORDS] >= limit:
                return n_ids, n_ends, i
            w = _add(slots, k, start, arena, state, key, pre, buf, i, j)
            first[w] = base + i
        counts[w] += 1
        out_ids[n_ids] = w
        n_ids += 1
        state[TOKENS] += 1
        i = j
    return n_ids, n_ends, i


@njit(cache=config.CACHE, nogil=True)
def last_space(buf, n):
    """The length of buf[:n] up to and including its last ASCII whitespace byte (0 if none):
    a cut there splits no token and no multi-byte character."""
    for i in range(n - 1, -1, -1):
        b = buf[i]
        if b == 32 or 9 <= b <= 13 or 28 <= b <= 31:
            return i + 1
    return 0


@njit(cache=config.CACHE, nogil=True)
def rehash(old, new):
    """Move every filled slot of ``old`` into ``new`` (4 int64 a slot, larger, all ids -1)."""
    mask = (new.size >> 2) - 1
    for s in range(old.size >> 2):
        if old[4 * s + 2] >= 0:
            k = np.int64(np.uint64(old[4 * s]) & np.uint64(mask))
            while new[4 * k + 2] >= 0:
                k = (k + 1) & mask
            new[4 * k:4 * k + 4] = old[4 * s:4 * s + 4]


@njit(cache=config.CACHE, nogil=True)
def absorb(table, state, arena, starts, counts, first, out):
    """Merge a finished table's words (word w is ``arena[starts[w]:starts[w + 1]]``, seen
    ``counts[w]`` times, first at sight key ``first[w]``) into ``table`` (``tokenize``'s
    layout, room made by the caller): a word new to it is appended, a known one adds its
    count and keeps the smaller sight key. Writes each word's id in ``table`` to ``out``.
    The words' hashes and slots are tokenize's, so a word has one id whichever table or
    unit it came from."""
    slots, start, total, seen, into = table
    for w in range(starts.size - 1):
        i, j = starts[w], starts[w + 1]
        h = _FNV_OFFSET
        prefix = np.uint64(0)
        for t in range(i, j):
            h = (h ^ np.uint64(arena[t])) * _FNV_PRIME
            if t - i < 8:
                prefix |= np.uint64(arena[t]) << np.uint64(8 * (t - i))
        key, pre = np.int64(h), np.int64(prefix)
        k = _slot_of(slots, start, into, key, pre, arena, i, j)
        v = slots[4 * k + 2]
        if v < 0:                                       # a new word
            v = _add(slots, k, start, into, state, key, pre, arena, i, j)
            total[v], seen[v] = 0, first[w]
        else:
            seen[v] = min(seen[v], first[w])
        total[v] += counts[w]
        out[w] = v


class WordTable:
    """A growable hash table of byte strings for ``tokenize`` (one per worker thread)."""

    def __init__(self, capacity=1 << 16):
        self.slots = np.full(4 * 2 * capacity, -1, dtype=np.int64)
        self.start = np.zeros(capacity, dtype=np.int64)
        self.counts = np.zeros(capacity, dtype=np.int64)
        self.first = np.zeros(capacity, dtype=np.int64)
        self.arena = np.zeros(8 * capacity, dtype=np.uint8)
        self.state = np.zeros(LINE_ENDS + 1, dtype=np.int64)

    @property
    def n_words(self):
        return int(self.state[N_WORDS])

    def _grow(self, words, n_bytes):
        """Room for ``words`` words (slots at most half full) and n_bytes more arena bytes."""
        if words > self.start.size:
            for name in ("start", "counts", "first"):
                old = getattr(self, name)
                new = np.zeros(words, dtype=old.dtype)
                new[:old.size] = old
                setattr(self, name, new)
        if 2 * words > self.slots.size // 4:
            slots = np.full(4 << int(np.ceil(np.log2(2 * words))), -1, dtype=np.int64)
            rehash(self.slots, slots)
            self.slots = slots
        need = int(self.state[ARENA_USED]) + n_bytes
        if need > self.arena.size:
            arena = np.zeros(max(need, 2 * self.arena.size), dtype=np.uint8)
            arena[:self.arena.size] = self.arena
            self.arena = arena

    def absorb(self, other):
        """Merge ``other`` (a finished table's ``TableCount``) into this table; returns each of
        its words' id here (int64)."""
        n = other.starts.size - 1
        self._grow(max(self.start.size, 1 << int(np.ceil(np.log2(max(self.n_words + n, 1))))),
                   other.arena.size)
        out = np.empty(n, dtype=np.int64)
        absorb((self.slots, self.start, self.counts, self.first, self.arena), self.state,
               other.arena, other.starts, other.counts, other.first, out)
        return out

    def run(self, buf, n, base, out_ids, out_ends):
        """Tokenise buf[:n]; returns (ids written to out_ids, ends written to out_ends). The
        table doubles whenever it fills, so its slots stay small enough to stay in cache."""
        i = n_ids = n_ends = 0
        while True:
            self._grow(self.start.size, n)
            n_ids, n_ends, i = tokenize(
                buf, i, n, base, (self.slots, self.start, self.counts, self.first, self.arena),
                self.state, out_ids, out_ends, n_ids, n_ends, self.start.size)
            if i >= n:
                return n_ids, n_ends
            self._grow(2 * self.start.size, n)
