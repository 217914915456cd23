"""A prepared corpus's sentence ends searched on disk, never all held: the Dask driver cuts
each epoch into pieces at sentence ends, and each worker needs the ends inside its piece. A
corpus of 10-word sentences has 800 MB of ends a billion words, which the client and every
worker would otherwise hold (``PreparedCorpus.ends``).

Every ``STRIDE``-th end is kept in memory (8 bytes a ``STRIDE`` sentences, read once in
chunks); a search finds its block of ``STRIDE`` ends among those and reads that block alone
(8 KiB), so a binary search over the file costs one read, where a memory map would fault in
a page at each of its last levels (and the kernel's read-ahead around each). Measured in
bench_results/decisions.md#dask-ends.
"""
import numpy as np

STRIDE = 1024
_CHUNK_BLOCKS = 1024               # blocks read at a time while keeping every STRIDE-th end


class SentenceEnds:
    """The ``n`` sorted little-endian int64 ends of file ``path``."""

    def __init__(self, path, n, stride=STRIDE):
        self.path, self.n, self.stride = path, n, stride
        kept = []
        with open(path, "rb") as f:
            for lo in range(0, n, stride * _CHUNK_BLOCKS):
                kept.append(self._read(f, lo, lo + stride * _CHUNK_BLOCKS)[::stride])
        self.every = np.concatenate(kept) if kept else np.empty(0, np.int64)

    def __len__(self):
        return self.n

    def read(self, lo, hi):
        """Ends ``[lo, hi)`` (indices), from the file."""
        with open(self.path, "rb") as f:
            return self._read(f, lo, hi)

    def searchsorted(self, values, side="left", blocks=None):
        """``np.searchsorted(ends, values, side)``; ``blocks``: a dict that keeps the blocks
        read, for the next search among the same values."""
        values = np.asarray(values)
        # the answer lies in the block of the last kept end before the value (none: index 0)
        b = np.searchsorted(self.every, values, side) - 1
        out = np.zeros(values.shape, np.int64)
        with open(self.path, "rb") as f:
            for k, at in _groups(b):
                if k >= 0:
                    block = self._block(f, k, blocks)
                    out[at] = k * self.stride + np.searchsorted(block, values[at], side)
        return out

    def take(self, indices, blocks=None):
        """``ends[indices]`` (each in ``[0, n)``)."""
        indices = np.asarray(indices, dtype=np.int64)
        out = np.empty(indices.shape, np.int64)
        with open(self.path, "rb") as f:
            for k, at in _groups(indices // self.stride):
                out[at] = self._block(f, k, blocks)[indices[at] - k * self.stride]
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

    def _block(self, f, k, blocks):
        if blocks is None:
            return self._read(f, k * self.stride, (k + 1) * self.stride)
        if k not in blocks:
            blocks[k] = self._read(f, k * self.stride, (k + 1) * self.stride)
        return blocks[k]

    def _read(self, f, lo, hi):
        lo, hi = max(lo, 0), min(hi, self.n)
        out = np.empty(max(hi - lo, 0), dtype="<i8")
        if out.size:
            f.seek(8 * lo)
            if f.readinto(memoryview(out).cast("B")) != out.nbytes:
                raise ValueError(f"{self.path}: truncated ({self.n} sentence ends expected)")
        return out.astype(np.int64, copy=False)


def _groups(keys):
    """``(key, indices)`` of each distinct key, in one sort (a mask a key would cost keys x
    values: quadratic in the pieces of an epoch)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    firsts = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]])) \
        if keys.size else np.empty(0, np.int64)
    bounds = np.append(firsts, keys.size)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield int(sorted_keys[a]), order[a:b]
