"""Workers on one host train one copy of the rows, in shared memory.

Dask workers on one machine are processes, but nothing makes them keep a replica each: the
rows (W_in, W_out) can live in one file mapped by every worker of the host (``/dev/shm``, a
file in memory, when it has room), which they train together as the threads of one process
do (Hogwild, with ``cpu/_staging.py``'s per-thread copies of the hottest output rows, each
process in its own rows after W_out). Nothing has to meet, so there are no steps to keep
short: the client queues every piece of the epoch at once, about ``SHARED_STEP_WORDS`` tokens
a worker thread each (the rate along each piece as in ``driver.py``), Dask hands them to the
workers as they free up, and the client reads the rows back at the epoch's end. This is
pWord2Vec's layout within a node (threads on shared rows); the replicas of ``driver.py`` are
for workers on different hosts.

The file (``/dev/shm``, else the host's temporary directory): a header of slot flags, then
W_in, then W_out with ``slots x stage rows`` spare rows after it. A task claims a free slot
(an atomic compare-exchange on the shared flag) for its threads' staged copies and frees it
when done; a task that finds none (workers killed mid-task leave theirs claimed) trains
without staging.

**Faults.** A task is not pure here: it writes the shared rows as it trains. When a worker
dies, Dask runs its task again on a live one, which trains that piece again over what the
dead one had written of it: a lost worker costs one piece's work (its words trained a second
time, as a rerun word2vec.c thread would), not the epoch's; the file outlives the worker.
Losing the host loses the rows: training fails (a multi-host cluster keeps replicas instead).

Not reproducible with several workers (their processes interleave as Hogwild threads do);
``config.DASK_SHARED_ROWS = False`` gives every worker a replica of its own, reproducible with
one thread a worker.
"""
import collections
import mmap
import os
import threading
import time

import numpy as np

from ..leftovers import owner_tag, remove_stale, warn_removed
from .cluster import worker_threads
from .rounds import WorkerModel, _train, plan_rounds, read_piece

# Tokens a worker thread trains per task. A lost worker costs one task's piece; the client
# reports progress and loss as tasks end. Each task costs the client and the scheduler a few ms
# of a core that the workers share on a small machine: larger pieces train a little faster
# there, but 500k words a piece did not keep SGNS's WordSim-353 as surely as 200k did
# (bench_results/decisions.md#dask-piece-size).
SHARED_STEP_WORDS = 200_000
MIN_STEPS = 4                     # pieces a worker at least gets an epoch (progress)
_HEADER = 4096                    # slot flags (int32), padded to a page

ROWS_PREFIX = "fastw2v-"          # then the client's tag (``leftovers.py``), the training, ...
_MAPS = {}                        # path -> _Rows, per worker process
_DROPPED = set()                  # paths dropped here: a piece starting late must not map one
_MAPS_LOCK = threading.Lock()


class _RowsError(OSError):
    """The shared rows' file could not be mapped."""


def host_of(client):
    """The one host every worker of ``client`` runs on, or None when they span several."""
    hosts = set(_hosts(client))
    return hosts.pop() if len(hosts) == 1 else None


def crowded_hosts(client):
    """``{host: workers}`` of the hosts that run several workers, when the workers span
    several hosts (then each worker keeps a replica: ``driver.py``); else ``{}``."""
    hosts = collections.Counter(_hosts(client))
    if len(hosts) < 2:
        return {}
    return {h: k for h, k in sorted(hosts.items()) if k > 1}


def _hosts(client):
    return [w["host"] for w in client.scheduler_info(n_workers=-1)["workers"].values()]


class _Layout:
    """Where the rows lie in the file of ``V`` input and ``R`` output rows of ``D`` floats."""

    def __init__(self, V, R, D, slots, slot_rows):
        self.V, self.R, self.D, self.slots, self.slot_rows = V, R, D, slots, slot_rows
        self.w_in = _HEADER
        self.w_out = self.w_in + 4 * V * D
        self.out_rows = R + slots * slot_rows
        self.size = self.w_out + 4 * self.out_rows * D

    def views(self, buf):
        """(slot flags, W_in, W_out with its spare rows) on ``buf``."""
        flags = np.ndarray((self.slots,), np.int32, buffer=buf, offset=0)
        W_in = np.ndarray((self.V, self.D), np.float32, buffer=buf, offset=self.w_in)
        W_out = np.ndarray((self.out_rows, self.D), np.float32, buffer=buf, offset=self.w_out)
        return flags, W_in, W_out


def _possible_directories():
    """``/dev/shm`` (memory), then the host's temporary directory (a file on disk, in the
    page cache while it trains; Dask's ``temporary-directory`` if set). Not a worker's own
    directory: Dask removes that when the worker dies, and the file must outlive it."""
    import tempfile

    import dask
    tmp = dask.config.get("temporary-directory", None) or tempfile.gettempdir()
    return ["/dev/shm", os.path.abspath(os.path.expanduser(tmp))]


def _directories(size):
    """Where the file may go, in turn: ``/dev/shm`` when it has room for ``size`` bytes and a
    quarter more, then the temporary directory (``_possible_directories``)."""
    shm, tmp = _possible_directories()
    try:
        st = os.statvfs(shm)
        if st.f_bavail * st.f_frsize >= 1.25 * size:
            return [shm, tmp]
    except OSError:
        pass
    return [tmp]


def create_rows(name, layout, rows):
    """On a worker: the file ``name`` of a training's rows, filled with ``rows = (W_in,
    W_out)``. Its blocks are reserved first (``posix_fallocate``: a full ``/dev/shm`` is
    then an error here, not a SIGBUS when a page is first written), and it is written under a
    temporary name and renamed, so that a file with its name is whole. Returns its path and
    the killed clients' files removed first (``leftovers.py``: memory back in ``/dev/shm``),
    for the client to warn about."""
    errors, removed = [], []
    for directory in _possible_directories():
        removed += remove_stale(directory, ROWS_PREFIX, warn=False)
    for directory in _directories(layout.size):
        path = os.path.join(directory, name)
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            with open(tmp, "w+b") as f:
                if hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(f.fileno(), 0, layout.size)
                else:                     # macOS: no such call (and no /dev/shm)
                    f.truncate(layout.size)
                with mmap.mmap(f.fileno(), layout.size) as buf:
                    views = layout.views(buf)
                    views[1][:] = rows[0]
                    views[2][:layout.R] = rows[1]
                    del views
            os.replace(tmp, path)
            return path, removed
        except OSError as e:
            errors.append(f"{directory}: {e.strerror or e}")
            try:
                os.remove(tmp)
            except OSError:
                pass
    raise OSError(f"no room for the shared rows ({layout.size / 2**20:.0f} MiB): "
                  + "; ".join(errors))


def sees(path, size):
    """On each worker: whether it maps the same file (a worker of another machine, or of
    another container of one, has no file there, or another one)."""
    try:
        return os.path.getsize(path) == size
    except OSError:
        return False


class _Rows(WorkerModel):
    """A worker's mapping of the file, its model built on those rows, and its block runners."""

    def __init__(self, spec, path, layout, sharing, threads):
        from ..cpu._staging import stage_count
        try:
            with open(path, "r+b") as f:          # the mapping outlives the descriptor
                buf = mmap.mmap(f.fileno(), layout.size)
        except OSError as e:
            raise _RowsError(f"cannot map the shared rows {path!r}: {e}") from None
        # never closed: the views hold it (``np.ndarray(buffer=)`` does not count as an export,
        # so closing it would unmap the rows under a piece still training); it goes with them
        self.flags, W_in, W_out = layout.views(buf)
        super().__init__(spec, threads, W_in, W_out[:layout.R])
        self.layout, self.sharing = layout, sharing
        staged = (0 if self.model.config.objective[1] == "softmax" else
                  stage_count(layout.R, sharing))
        # a worker that joined later with more threads than a slot has rows for stages nothing
        self.fits = self.threads * staged <= layout.slot_rows
        self.runners = {}                         # slot -> block runner

    def runner(self, slot):
        """The block runner whose staged copies are slot ``slot``'s rows (none for -1)."""
        from ..training import block_runner
        if slot not in self.runners:
            lay = self.layout
            shared = ((lay.R + slot * lay.slot_rows, self.sharing) if slot >= 0 and self.fits
                      else (lay.R, 0))            # sharing 0: stage nothing
            self.runners[slot] = block_runner(self.model, self.threads, shared)
            self.model.W_out = self.model.W_out[:lay.R]
        return self.runners[slot]


def _rows(spec, path, layout, sharing, threads):
    with _MAPS_LOCK:
        if path in _DROPPED:          # a cancelled piece starting as training ended
            raise _RowsError(f"the shared rows {path!r} were removed: training ended")
        rows = _MAPS.get(path)
        if rows is None:
            _forget_removed()
            rows = _MAPS[path] = _Rows(spec, path, layout, sharing, threads)
        return rows


def _forget_removed():
    """Forget the mappings of rows files that are gone: a client killed before it could
    drop them (``drop``) leaves its file mapped in a long-lived cluster's workers, and
    the next client on the host removes the file (``leftovers.py``); the worker lets the
    memory go once it maps the next training's rows."""
    for path in [p for p in _MAPS if not os.path.exists(p)]:
        del _MAPS[path]
        _DROPPED.add(path)


def train_piece(spec, path, layout, sharing, piece, lr0, lr1, stream):
    """Train stored tokens ``piece = (a, b)`` into the host's shared rows, the rate falling
    from ``lr0`` to ``lr1``; ``stream`` picks the random streams. Returns ``loss, pairs,
    worker, threads, seconds`` and the ``slot`` its staged rows took (-1: none free; None:
    nothing to train)."""
    from distributed import get_worker

    from ..cpu._staging import claim_slot, free_slot
    worker = get_worker()
    t0 = time.perf_counter()
    if not sees(path, layout.size):
        raise FileNotFoundError(
            f"worker {worker.address} does not see {path!r}, the rows the workers of its host "
            "train: it joined from another host or container during training (train such a "
            "cluster with fastw2v.config.DASK_SHARED_ROWS = False)")
    try:
        rows = _rows(spec, path, layout, sharing, worker.state.nthreads)
        with rows.lock:
            ids, offsets = read_piece(rows.corpus, rows.to_id, *piece)
    except _RowsError as e:
        raise OSError(f"worker {worker.address}: {e}") from None
    except (OSError, IndexError) as e:
        raise OSError(f"worker {worker.address} cannot read the prepared corpus "
                      f"{spec['prepared']!r}: {e}") from None
    loss = pairs = 0.0
    slot = staged = None
    with rows.lock:               # a worker's Dask threads take turns; each task runs its threads
        if ids.size:
            slot = int(claim_slot(rows.flags))
            try:
                rows.run = rows.runner(slot)
                staged = rows.run.stage[1] if rows.run.stage is not None else 0
                loss, pairs = _train(rows, ids, offsets, lr0, lr1, stream)
            finally:
                if slot >= 0:
                    free_slot(rows.flags, slot)
    return dict(loss=loss, pairs=pairs, worker=worker.address, threads=rows.threads, slot=slot,
                staged=staged, seconds=time.perf_counter() - t0)


def read_rows(path, layout):
    """On a worker: a copy of the rows (W_in, W_out without the spare rows)."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), layout.size, access=mmap.ACCESS_READ) as buf:
        views = layout.views(buf)
        out = views[1].copy(), views[2][:layout.R].copy()
        del views                 # none may outlive the mapping closed here
        return out


def drop(path):
    """On every worker: forget the file and remove it (once, on the host that has it). A
    piece still training (cancelled, but Dask does not stop a running task) keeps its
    mapping until it ends; the memory goes with the last mapping."""
    with _MAPS_LOCK:
        _MAPS.pop(path, None)
        _DROPPED.add(path)
    try:
        os.remove(path)
    except OSError:
        pass


def shared_epochs(model, data, schedule, progress, client, spec, spec_future, pauses=False):
    """(run_epoch, finish) on the workers of one host, one copy of the rows; None when the
    workers do not all see the file (then ``driver.py`` gives each a replica). ``spec``: the
    training's, scattered as ``spec_future``; ``pauses`` as ``training.epoch_runner``'s."""
    from ..cpu._staging import stage_count
    workers = worker_threads(client)
    addresses = [a for a, _ in workers]
    n = len(addresses)            # pieces a round, fixed for the run (the random streams)
    corpus = data.prepared
    cfg = model.config
    W_in, W_out = model.wv.vectors, model.W_out
    sharing = sum(t for _, t in workers)
    most = max(t for _, t in workers)
    count = 0 if cfg.objective[1] == "softmax" else stage_count(len(W_out), sharing)
    # a slot per worker and as many again for tasks rerun while a dead worker's slot stays taken
    layout = _Layout(len(W_in), len(W_out), W_in.shape[1], 2 * n + 2, most * count)
    per_epoch = corpus.n_tokens
    total = schedule.total * per_epoch
    steps = plan_rounds(corpus, n, min(SHARED_STEP_WORDS * most,
                                       max(1, per_epoch // (n * MIN_STEPS))))
    # the file; made again from the client's rows after finish(), which a checkpoint or a
    # callback calls between epochs (they read and may change the client's rows)
    state = dict(path=None, made=0)

    def on_one(fn, *args, rows=False):
        if rows:                  # scattered, not pickled into the task graph
            [future] = client.scatter([(W_in, W_out)], workers=addresses[:1], hash=False)
            args += (future,)
        return client.submit(fn, *args, workers=addresses[:1], allow_other_workers=True,
                             pure=False).result()

    def place():
        """The file holding the client's rows; False when some worker does not see it. Each
        file its own name: a worker that could not be told to forget the last one (finish()
        is quiet about unreachable workers) must not train that one's rows."""
        if state["path"] is None:
            state["made"] += 1
            name = f"{ROWS_PREFIX}{owner_tag()}-{spec['key']}-{state['made']}.rows"
            state["path"], removed = on_one(create_rows, name, layout, rows=True)
            warn_removed(removed)
            return all(client.run(sees, state["path"], layout.size).values())
        return True

    def rows_back():
        """The file's rows into the client's: read here when the client is on the workers'
        host (as a LocalCluster's is), else shipped by a worker."""
        path = state["path"]
        if sees(path, layout.size):
            W_in[:], W_out[:] = read_rows(path, layout)
        else:
            W_in[:], W_out[:] = on_one(read_rows, path, layout)

    def warm_up():
        """Each worker loads its kernel from numba's cache (or compiles it) on a few words at
        learning rate 0 (no row changes), before the clock starts, as one process does."""
        ends = corpus.sentence_ends().between(0, 1000)
        first = (0, int(min(per_epoch, ends[0] if ends.size else per_epoch, 1000)))
        client.gather([client.submit(train_piece, spec_future, state["path"], layout, sharing,
                                     first, 0.0, 0.0, (0, 0), workers=[a],
                                     allow_other_workers=True, pure=False) for a in addresses])

    pending = {}                  # epoch -> its pieces' futures, sizes, rates, ended results

    def queue(epoch):
        """Every piece of ``epoch`` queued, earlier ones first (Dask runs higher priorities
        first), each to whichever worker is free (pinned to workers, the faster one waited at
        every epoch's end for the other's last pieces)."""
        futures, sizes, rates = [], [], []      # per piece
        done = 0
        for r, pieces in enumerate(steps):
            at = epoch * per_epoch + done
            size = sum(b - a for a, b in pieces)
            lr0, lr1 = schedule.stretch(at, size, total)
            for w, piece in enumerate(pieces):
                futures.append(client.submit(
                    train_piece, spec_future, state["path"], layout, sharing, piece, lr0, lr1,
                    (schedule.run + epoch, r * n + w), retries=3, pure=False,
                    priority=-(epoch * len(steps) + r)))
                sizes.append(piece[1] - piece[0])
                rates.append((lr0, lr1))
            done += size
        pending[epoch] = dict(futures=futures, sizes=sizes, rates=rates, ended={})

    def cancel():
        futures = [f for p in pending.values() for f in p["futures"] if f is not None]
        pending.clear()
        if futures:
            client.cancel(futures)

    def run_epoch(epoch):
        if epoch not in pending:
            addresses[:] = [a for a, _ in worker_threads(client)]   # new ones after a loss
            if not place():               # made again after a pause: a worker joined since
                blind = [a for a, ok in client.run(sees, state["path"], layout.size).items()
                         if not ok]
                raise RuntimeError(
                    f"worker(s) {', '.join(blind)} do not see {state['path']!r}, the rows the "
                    "workers of one host train: they joined from another host or container "
                    "during training (train such a cluster with "
                    "fastw2v.config.DASK_SHARED_ROWS = False)")
            queue(epoch)
        # the next epoch queued behind this one, so that no worker waits at the epoch's end
        # for the others' last pieces and the client's turn; not when the caller reads the
        # rows between epochs (then they must hold this epoch's end exactly)
        if not pauses and epoch + 1 < schedule.total and epoch + 1 not in pending:
            queue(epoch + 1)
        mine = pending[epoch]
        sums = dict(loss=0.0, pairs=0.0, trained=0, lr=mine["rates"][0][0], t0=time.perf_counter())

        def account(i, out):
            sums["loss"] += out["loss"]
            sums["pairs"] += out["pairs"]
            sums["trained"] += mine["sizes"][i]
            sums["lr"] = min(sums["lr"], mine["rates"][i][1])
            model.running_training_loss += out["loss"]
            model.round_log.append(dict(
                seconds=time.perf_counter() - sums["t0"], words=mine["sizes"][i], rows=None,
                lr=mine["rates"][i], compute=[out["seconds"]], workers=[out["worker"]],
                threads=[out["threads"]], slot=out["slot"], staged=out["staged"],
                bytes_back=0, bytes_out=0, snapshot=0))
            progress.update(epoch, sums["trained"] * data.raw_words / per_epoch, sums["lr"])
            sums["t0"] = time.perf_counter()

        try:
            for i, out in sorted(mine["ended"].items()):  # ended while the epoch before ran
                account(i, out)
            left = sum(f is not None for f in mine["futures"])
            where = {f.key: (e, i) for e, p in pending.items()
                     for i, f in enumerate(p["futures"]) if f is not None}
            if left:
                from distributed import as_completed
                outstanding = [f for p in pending.values() for f in p["futures"] if f is not None]
                for future in as_completed(outstanding, loop=client.loop):
                    e, i = where[future.key]
                    out = future.result()
                    # let go of each piece as it ends, this epoch's or the next's: a piece
                    # whose result a lost worker held would be trained again (Dask recomputes
                    # what a client still holds). By release(), not by dropping the future: a
                    # Ctrl-C landing in a finalizer is lost (Python ignores exceptions there)
                    future.release()
                    pending[e]["futures"][i] = None
                    if e != epoch:
                        pending[e]["ended"][i] = out
                        continue
                    account(i, out)
                    left -= 1
                    if not left:
                        break
        except BaseException:         # an error or Ctrl-C: the rest are not trained
            cancel()
            raise
        del pending[epoch]
        # this epoch's rows, for the checks between epochs and kept if training fails later
        # (with the next epoch queued they may hold its first words too; the last epoch's
        # and, with pauses, every epoch's are exact)
        rows_back()
        return sums["loss"], sums["pairs"]

    def finish():
        """Remove the file (training stopped, or a checkpoint or callback between epochs:
        then the next epoch makes it again from the client's rows)."""
        cancel()                  # an epoch queued ahead, when training stopped after one
        path, state["path"] = state["path"], None
        if path is not None:
            try:
                client.run(drop, path)
            except Exception:             # noqa: BLE001  (the error that stopped us matters)
                pass
            if sees(path, layout.size):   # the client on the workers' host, they unreachable
                try:
                    os.remove(path)
                except OSError:
                    pass

    model.round_log = []
    try:
        if not place():
            finish()
            return None
        warm_up()
    except BaseException:         # a worker that cannot read the corpus, Ctrl-C: no file left
        finish()
        raise
    return run_epoch, finish
