"""A prepared corpus's sentence ends searched on disk, never all read: the Dask driver cuts
each epoch into pieces at sentence ends, and each worker needs the ends inside its piece. A
corpus of 10-word sentences has 800 MB of ends a billion words, which the client and every
worker would otherwise hold (``PreparedCorpus.ends``).

Every ``STRIDE``-th end is kept in memory (8 bytes a ``STRIDE`` sentences); a search finds
its block of ``STRIDE`` ends among those and reads that block alone (8 KiB), so a binary
search over the file costs one read, where a memory map would fault in a page at each of its
last levels (and the kernel's read-ahead around each). Measured in
bench_results/decisions.md#dask-ends.
"""
import os

import numpy as np

STRIDE = 1024


class SentenceEnds:
    """The ``n`` sorted little-endian int64 ends of file ``path``."""

    def __init__(self, path, n, stride=STRIDE):
        self.path, self.n, self.stride = path, n, stride
        with open(path, "rb") as f:
            self.every = np.array([int(np.frombuffer(os.pread(f.fileno(), 8, 8 * k), "<i8")[0])
                                   for k in range(0, n, stride)], dtype=np.int64)

    def __len__(self):
        return self.n

    def read(self, lo, hi):
        """Ends ``[lo, hi)`` (indices), from the file."""
        lo, hi = max(lo, 0), min(hi, self.n)
        if hi <= lo:
            return np.empty(0, np.int64)
        with open(self.path, "rb") as f:
            raw = os.pread(f.fileno(), 8 * (hi - lo), 8 * lo)
        if len(raw) != 8 * (hi - lo):
            raise ValueError(f"{self.path}: truncated ({self.n} sentence ends expected)")
        return np.frombuffer(raw, dtype="<i8").astype(np.int64)

    def searchsorted(self, values, side="left", blocks=None):
        """``np.searchsorted(ends, values, side)``; ``blocks``: a dict that keeps the blocks
        read, for the next search among the same values."""
        blocks = {} if blocks is None else blocks
        values = np.asarray(values)
        # the answer lies in the block of the last kept end before the value (none: index 0)
        b = np.searchsorted(self.every, values, side) - 1
        out = np.zeros(values.shape, np.int64)
        for k in np.unique(b[b >= 0]).tolist():
            here = b == k
            out[here] = k * self.stride + np.searchsorted(self._block(k, blocks), values[here], side)
        return out

    def take(self, indices, blocks=None):
        """``ends[indices]`` (each in ``[0, n)``)."""
        blocks = {} if blocks is None else blocks
        indices = np.asarray(indices, dtype=np.int64)
        out = np.empty(indices.shape, np.int64)
        b = indices // self.stride
        for k in np.unique(b).tolist():
            here = b == k
            out[here] = self._block(k, blocks)[indices[here] - k * self.stride]
        return out

    def between(self, a, b):
        """The ends ``e`` with ``a < e <= b``."""
        lo, hi = self.searchsorted([a, b], side="right").tolist()
        return self.read(lo, hi)

    def around(self, values, total):
        """For each of ``values``: the last end before it (0 if none) and the first at or
        after it (``total``, the corpus's end, if none)."""
        values = np.asarray(values)
        if self.n == 0:
            return np.zeros(values.shape, np.int64), np.full(values.shape, total, np.int64)
        blocks = {}
        i = self.searchsorted(values, "left", blocks)          # ends[i - 1] < v <= ends[i]
        before = np.where(i > 0, self.take(np.maximum(i - 1, 0), blocks), 0)
        after = np.where(i < self.n, self.take(np.minimum(i, self.n - 1), blocks), total)
        return before, after

    def _block(self, k, blocks):
        if k not in blocks:
            blocks[k] = self.read(k * self.stride, (k + 1) * self.stride)
        return blocks[k]
