"""How the workers' replicas meet: which rows are synchronised after each step, and how the
workers' changes to a row are combined.

**Which rows, how often** (pWord2Vec's schedule, Ji et al. 2016). Rows are ranked by how often
training writes them (``Traffic.order``: frequent words first; for hierarchical softmax the inner
nodes near the root). After step k of a cycle the ``SYNC_ROWS x 2^t`` hottest rows are
synchronised, t the number of trailing zero bits of k: the hottest 1,024 after every step, the
hottest 2,048 after every second, ..., every row at the end of the cycle (``cycle_steps``). With
word frequencies falling as 1/rank (Zipf), every input row then meets the other workers after
about the same number of writes (output rows under negative sampling, count^0.75, and Huffman
nodes less evenly), and the frequent rows, which every worker writes thousands of times a
step, meet often while most of the rows (rare, written by one worker at a time) travel rarely.

**How they combine.** Worker w changed a synchronised row by d_w since the row last met. Adding
the d_w is what Hogwild threads do when each write is small and independent of the others (the
row moves by the sum). But a frequent row is written so often within a step that every worker
drives it most of the way to the same place x*; there adding N changes overshoots by N - 1 times
the distance (the error times 1 - N f): two workers oscillate, four diverge
(bench_results/dask.md). Averaging is right for those rows and wrong for the rest (it divides a
rare word's learning by N). The rule here composes the workers' changes as if they had been
applied one after the other, each a contraction toward its target of strength f:

    one worker:   x -> x + f (x*_w - x),       its change d_w = f (x*_w - x0)
    N in a row:   x0 -> x0 + (1 - (1 - f)^N) (x* - x0)
    so            x = x0 + w(f) sum_w d_w,      w(f) = (1 - (1 - f)^N) / (N f)

w is 1 for a row written rarely (f -> 0: the plain sum) and 1/N for a saturated one (f -> 1: the
mean). f comes from the expected number of writes n since the row last met and the contraction
of one write, c = lr x s' x |h|^2 (an SGNS write to an output row u is u += lr (y - sigmoid(u.h)) h,
whose Jacobian is 1 - lr sigmoid'(u.h) h h^T; h is the input row, or for an input row the output
rows it meets): f = 1 - exp(-n c). s' (``SLOPE``), the typical sigmoid'(u.h) along training, is
the one constant, measured with the simulator (bench_results/dask.md, the merge study): with
4 SGNS replicas 0.02 matches one process, 0.05 loses half an analogy point, and the limit
f -> 0, the plain sum, diverges.

With 2 workers the plain sum is kept (``SUMMED_WORKERS``): its error factor 1 - 2f never falls
below -1, so a saturated row oscillates within its step's distance instead of growing, and it
measured better than the composed weights (WordSim-353 0.496 against 0.475 in SGNS, medians of
3; analogy alike), which damp rows whose writes the estimate of f counts as saturated too soon.
"""
import numpy as np

SYNC_ROWS = 1024          # the hottest rows, synchronised after every step
SLOPE = 0.02              # typical sigmoid'(u.h) of a write (measured, see above)
SUMMED_WORKERS = 2        # up to this many workers, the plain sum (measured, see above)


def cycle_steps(n_rows):
    """Steps in a cycle: the smallest power of two 2^J with SYNC_ROWS x 2^J >= n_rows, so that
    the last step of a cycle synchronises every row."""
    steps = 1
    while SYNC_ROWS * steps < n_rows:
        steps *= 2
    return steps


def sync_count(step, n_rows):
    """How many of the hottest rows meet after ``step`` (1, 2, ...) of a cycle."""
    return min(n_rows, SYNC_ROWS << ((step & -step).bit_length() - 1))


class Traffic:
    """Expected writes per row per word trained, for each matrix; the rows' heat order; and the
    weights of the merge rule.

    ``u_in[r]``, ``u_out[r]``: expected writes to row r per stored word a worker trains (the
    word's share of the corpus x its subsampling keep probability x the writes per kept
    occurrence). Skip-gram (word2vec.c's pairs: the context word's input row and the centre
    word's output row per pair, ``window + 1`` pairs per kept word on average with the reduced
    window): u_in = u_pos = kept x (window + 1); CBOW: u_in = kept x (window + 1), the centre's
    output row once per kept word. Negative sampling adds pairs x negative x noise[r] to the
    output rows; hierarchical softmax writes the inner nodes on each word's path instead."""

    def __init__(self, model, keep):
        cfg = model.config
        counts = model.vocab.counts.astype(np.float64)
        kept = counts / counts.sum() * keep
        self.u_in = kept * (cfg.window + 1)
        centre = self.u_in if cfg.sg else kept          # writes of the centre word's output row
        pairs = centre.sum()                            # (centre, context) pairs per stored word
        arch, head = cfg.objective
        self.centre, self.noise, self.negative, self.path = centre, None, cfg.negative, None
        if head == "ns":
            self.noise = model.vocab.noise_distribution(cfg.ns_exponent)
            self.u_out = centre + pairs * cfg.negative * self.noise
        elif head == "hs":
            _, points, codelens = model.vocab.huffman_tree()
            on_path = np.arange(points.shape[1]) < codelens[:, None]
            weight = np.broadcast_to(centre[:, None], points.shape)
            self.u_out = np.bincount(points[on_path], weights=weight[on_path],
                                     minlength=max(len(counts) - 1, 1))
            # inner nodes one write meets: the path of the centre word, frequent words' shorter
            self.path = _dot(centre, codelens) / max(centre.sum(), 1e-300)
        else:                     # full softmax: row j's writes are weighted by p_j, ~ its share
            self.u_out = centre
        self.cbow = not cfg.sg
        self.cbow_mean = bool(cfg.cbow_mean)
        self.window = cfg.window
        self.order_in = np.argsort(-self.u_in, kind="stable")
        self.order_out = np.argsort(-self.u_out, kind="stable")
        self.since_in = np.zeros(len(self.u_in))        # words per worker when each row last met
        self.since_out = np.zeros(len(self.u_out))
        self.sq_in = self.sq_out = None                 # the rows' squared norms (measure)

    def measure(self, W_in, W_out, rows_in=slice(None), rows_out=slice(None)):
        """Keep the rows' squared norms (of ``rows_in``/``rows_out``, all by default) up to date:
        after every meeting, for the rows that met. The mean |h|^2 a write meets is taken from
        them at each merge: early in training the output rows are zero and every weight is 1,
        and the weights must follow the rows' growth within a cycle (measured once a cycle,
        4 workers diverged in the first epoch)."""
        if self.sq_in is None:
            self.sq_in, self.sq_out = np.zeros(len(W_in)), np.zeros(len(W_out))
        self.sq_in[rows_in] = np.einsum("ij,ij->i", W_in[rows_in], W_in[rows_in])
        self.sq_out[rows_out] = np.einsum("ij,ij->i", W_out[rows_out], W_out[rows_out])

    def all_met(self, words):
        """Every row met at ``words`` words per worker (a cycle's start)."""
        self.since_in[:] = words
        self.since_out[:] = words

    def _norms(self):
        """(|h|^2 of a write to an output row, of a write to an input row), weighted by writes."""
        sq_in, sq_out = self.sq_in, self.sq_out
        mean = lambda u, sq: _dot(u, sq) / u.sum() if u.sum() > 0 else 0.0   # noqa: E731
        h_in = mean(self.u_in, sq_in)     # an input row, as a write's h
        if self.noise is not None:        # the centre's output row and `negative` noise rows
            h_out = mean(self.centre, sq_out) + self.negative * _dot(self.noise, sq_out)
        elif self.path is not None:       # the inner nodes on a word's path
            h_out = mean(self.u_out, sq_out) * self.path
        else:
            h_out = mean(self.u_out, sq_out)
        if self.cbow and self.cbow_mean:
            # an input row is one of ~window rows averaged into h: its share of a write's pull
            h_out /= self.window
            # an output row meets h, that mean: |h|^2 ~ |row|^2 / window for rows that are not
            # aligned (without it 4 CBOW workers lost about a point; bench_results/dask.md)
            h_in /= self.window
        elif self.cbow:                   # cbow_mean=0: h is the sum of the ~window rows, each
            h_in *= self.window           # row takes the whole pull (not measured)
        return h_in, h_out

    def weights(self, matrix, count, words, lr, n_workers):
        """w(f) for the ``count`` hottest rows of ``matrix`` ("in" or "out") meeting now, after
        ``words`` stored words per worker in all."""
        h_in, h_out = self._norms()
        if matrix == "in":
            u, since, order, h = self.u_in, self.since_in, self.order_in, h_out
        else:
            u, since, order, h = self.u_out, self.since_out, self.order_out, h_in
        rows = order[:count]
        writes = (words - since[rows]) * u[rows]
        since[rows] = words
        if n_workers <= SUMMED_WORKERS:
            return np.ones(count, np.float32)
        f = -np.expm1(-writes * lr * SLOPE * h)
        return composed_weight(f, n_workers).astype(np.float32)


def _dot(a, b):
    """sum(a * b) without BLAS. The client merges after every step, and numpy's dot of two
    vocabulary-long vectors wakes OpenBLAS's thread pool in the client's process, whose threads
    then spin between calls, taking the CPU from the workers on the same cores (Dask's nannies
    set OPENBLAS_NUM_THREADS=1 in the workers, not in the client; the cost measured is in
    bench_results/dask.md, "After the BLAS fix")."""
    return float(np.sum(np.multiply(a, b, dtype=np.float64)))


def composed_weight(f, n_workers):
    """(1 - (1 - f)^N) / (N f): N changes of contraction strength f applied one after another,
    as a multiple of their sum; 1 as f -> 0, 1/N at f = 1."""
    f = np.clip(np.asarray(f, dtype=np.float64), 0.0, 1.0)
    small = f < 1e-8
    safe = np.where(small, 0.5, f)
    w = -np.expm1(n_workers * np.log1p(-np.minimum(safe, 1 - 1e-12))) / (n_workers * safe)
    return np.where(small, 1.0, w)


def merge_rows(W, rows, values, weight):
    """W[rows] += weight x sum_w (values_w - W[rows]): the workers' rows ``values`` (each the
    worker's replica of those rows) composed onto the last agreed rows ``W[rows]``."""
    base = W[rows]
    change = np.zeros_like(base)
    for v in values:
        change += v - base
    W[rows] = base + change * weight[:, None]
