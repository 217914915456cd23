"""leftovers.py: the temporary files of a run killed with SIGKILL (the OOM killer, a job
scheduler past its grace period) are removed by the next run that makes one in the same
directory, and only those whose owner is certainly gone."""
import os
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import interrupt_after_epoch_2
from fastw2v.leftovers import owner_gone, owner_tag, remove_stale

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/ns/pid"),
                                reason="a run's tag needs /proc (Linux); elsewhere none is judged")


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _tag(pid):
    boot, namespace, _ = owner_tag().split(".")
    return f"{boot}.{namespace}.{pid}"


def test_the_tag_names_this_boot_this_pid_namespace_and_this_process():
    boot, namespace, pid = owner_tag().split(".")
    with open("/proc/sys/kernel/random/boot_id") as f:
        assert boot == f.read().strip().replace("-", "") and len(boot) == 32
    assert int(namespace) == os.stat("/proc/self/ns/pid").st_ino and pid == str(os.getpid())
    assert "-" not in owner_tag()


def test_only_an_owner_certainly_gone_is_judged_gone():
    dead = _dead_pid()
    boot, namespace, _ = owner_tag().split(".")
    assert owner_gone(_tag(dead))
    assert not owner_gone(owner_tag())                       # this process
    assert not owner_gone(_tag(1))                           # alive
    assert not owner_gone(f"00000000.{namespace}.{dead}")    # another boot (a shared disk)
    assert not owner_gone(f"{boot}.1.{dead}")                # another PID namespace (container)
    assert not owner_gone(f"0.0.{dead}")                     # a system without /proc
    for bad in ("", "abc", f"{boot}.{namespace}.x", f"{boot}.{namespace}.{dead}.1"):
        assert not owner_gone(bad)


def test_another_users_process_is_not_judged_gone(monkeypatch):
    def kill(pid, sig):
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(os, "kill", kill)
    assert not owner_gone(_tag(_dead_pid()))


def test_a_directory_whose_lock_is_held_stays_though_its_tag_says_gone(tmp_path):
    # machines cloned from one snapshot share the boot id and the PID namespace: on a disk
    # they share, another one's live directory can carry a tag that looks gone from here
    import fcntl
    held = tmp_path / f".fastw2v-prepared-{_tag(_dead_pid())}-abc"
    held.mkdir()
    with open(held / ".owner", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)             # the owner's hold, from another open
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert remove_stale(tmp_path, ".fastw2v-prepared-") == []
    with pytest.warns(UserWarning, match="removed 1"):             # let go: stale
        assert remove_stale(tmp_path, ".fastw2v-prepared-") == [str(held)]


def test_an_owned_directory_is_locked_while_used_and_released(tmp_path):
    import fcntl

    from fastw2v.leftovers import owned_directory, release
    path, lock = owned_directory(".x.partial-", tmp_path)
    assert os.path.basename(path).startswith(f".x.partial-{owner_tag()}-")
    with open(os.path.join(path, ".owner")) as other:
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        release(lock, remove=True)
        assert os.listdir(path) == []
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)     # free once released


def test_without_proc_no_owner_is_judged(monkeypatch):
    # macOS, Windows: every run's tag is 0.0.<pid>, which cannot tell hosts or containers apart
    from fastw2v import leftovers
    monkeypatch.setattr(leftovers, "owner_tag", lambda: f"0.0.{os.getpid()}")
    assert not leftovers.owner_gone(f"0.0.{_dead_pid()}")


def test_only_a_gone_owners_entries_are_removed_with_a_warning(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".fastw2v-prepared-{_tag(dead)}-abc"
    (stale / "corpus").mkdir(parents=True)
    (stale / "corpus" / "tokens-00000.i32").write_bytes(b"\0" * 64)
    kept = [tmp_path / f".fastw2v-prepared-{owner_tag()}-def",           # alive
            tmp_path / f".fastw2v-prepared-00000000.1.{dead}-ghi",       # another host's
            tmp_path / ".fastw2v-prepared-q1w2e3",                       # before tags
            tmp_path / f"other-{_tag(dead)}-x"]                          # another prefix
    for path in kept:
        path.mkdir()
    rows = [tmp_path / f"fastw2v-{_tag(dead)}-key-1.rows",
            tmp_path / f"fastw2v-{_tag(dead)}-key-1.rows.4242.tmp"]     # a worker killed too
    for path in rows:
        path.write_bytes(b"x")
    with pytest.warns(UserWarning, match=r"removed 1 temporary file\(s\) of fastw2v runs that were killed"):
        assert remove_stale(tmp_path, ".fastw2v-prepared-") == [str(stale)]
    with pytest.warns(UserWarning, match="removed 2"):
        assert sorted(remove_stale(tmp_path, "fastw2v-")) == sorted(map(str, rows))
    assert sorted(tmp_path.iterdir()) == sorted(kept)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # nothing removed: no warning
        assert remove_stale(tmp_path, ".fastw2v-prepared-") == []
        assert remove_stale(tmp_path / "missing", "fastw2v-") == []


def test_a_sigkilled_training_leaves_its_prepared_copy_and_the_next_removes_it(corpus_file,
                                                                             tmp_path, monkeypatch):
    import tempfile

    from fastw2v import Word2Vec
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cmd = [sys.executable, "-m", "fastw2v.cli", "train", str(corpus_file), "-o",
           str(tmp_path / "v.bin"),
           "--min-count", "1", "--vector-size", "8", "--epochs", "100000", "--workers", "1"]
    rc, _, _, pid = interrupt_after_epoch_2(cmd, signal.SIGKILL, dict(os.environ, TMPDIR=str(tmpdir)))
    assert rc == -signal.SIGKILL
    [left] = list(tmpdir.iterdir())
    assert left.name.startswith(f".fastw2v-prepared-{_tag(pid)}-")
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    with pytest.warns(UserWarning, match="were killed"):
        model = Word2Vec(vector_size=8, min_count=1, epochs=1, workers=1).fit(str(corpus_file))
    [mine] = list(tmpdir.iterdir())                          # the model's own copy, alive
    assert mine.name.startswith(f".fastw2v-prepared-{owner_tag()}-") and len(model.wv) == 20


def test_prepare_removes_a_killed_prepares_partial_directory_of_the_same_output(corpus_file,
                                                                              tmp_path):
    from fastw2v.corpus import prepare
    stale = tmp_path / f".out.partial-{_tag(_dead_pid())}-x1"
    other = tmp_path / f".other.partial-{_tag(_dead_pid())}-x2"          # another output's
    stale.mkdir()
    other.mkdir()
    with pytest.warns(UserWarning, match="were killed"):
        prepare([str(corpus_file)], tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, "corpus.txt", "out"])
    assert ".owner" not in os.listdir(tmp_path / "out")            # its lock left behind


def test_a_workers_rows_file_removes_a_killed_clients_first(tmp_path, monkeypatch):
    # the shared rows of a Dask run whose client was killed (a LocalCluster's workers die with
    # it): memory in /dev/shm until a reboot, and less room for the next run's rows there
    from fastw2v.distributed import shared
    shm, disk = tmp_path / "shm", tmp_path / "disk"
    shm.mkdir()
    disk.mkdir()
    stale = shm / f"{shared.ROWS_PREFIX}{_tag(_dead_pid())}-key-1.rows"
    live = shm / f"{shared.ROWS_PREFIX}{owner_tag()}-key-1.rows"
    stale.write_bytes(b"\0" * 4096)
    live.write_bytes(b"\0" * 4096)
    monkeypatch.setattr(shared, "_possible_directories", lambda: [str(shm), str(disk)])
    monkeypatch.setattr(shared, "_directories", lambda size: [str(shm)])
    layout = shared._Layout(5, 4, 3, slots=2, slot_rows=4)
    rows = (np.ones((5, 3), np.float32), np.ones((4, 3), np.float32))
    name = f"{shared.ROWS_PREFIX}{owner_tag()}-key2-1.rows"
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # the client warns, not the worker
        path, removed = shared.create_rows(name, layout, rows)
    assert sorted(p.name for p in shm.iterdir()) == sorted([live.name, name])
    assert path == str(shm / name) and removed == [str(stale)]


def test_a_worker_forgets_a_removed_rows_files_mapping_when_it_maps_the_next(tmp_path, monkeypatch):
    # a persistent cluster's worker keeps the rows of a killed client mapped (its drop never
    # came); once the next client on the host has removed the file, the worker's next
    # training lets the mapping, and so the memory, go
    from fastw2v.distributed import shared
    monkeypatch.setattr(shared, "_MAPS", {})
    monkeypatch.setattr(shared, "_DROPPED", set())
    monkeypatch.setattr(shared, "_Rows", lambda spec, path, *rest: ("mapped", path))
    killed, live, new = (tmp_path / f"{k}.rows" for k in ("killed", "live", "new"))
    for f in (killed, live, new):
        f.write_bytes(b"")
    for f in (killed, live):
        assert shared._rows(None, str(f), None, 1, 1) == ("mapped", str(f))
    killed.unlink()                                   # the next client's sweep
    assert shared._rows(None, str(live), None, 1, 1) == ("mapped", str(live))
    assert str(killed) in shared._MAPS               # forgotten only when a new file is mapped
    shared._rows(None, str(new), None, 1, 1)
    assert sorted(shared._MAPS) == [str(live), str(new)] and shared._DROPPED == {str(killed)}


def test_a_sigkilled_dask_run_leaves_tagged_rows_and_prepared_copy_that_the_next_removes(
        corpus_file, tmp_path):
    # a LocalCluster's workers die with their client; the rows in /dev/shm and the prepared
    # copy beside the corpus carry the client's tag, which a later run on this host judges
    from conftest import require
    require("distributed")
    from fastw2v.distributed import shared
    shm = "/dev/shm"
    if not os.path.isdir(shm):
        pytest.skip("no /dev/shm here")
    before = set(os.listdir(shm))
    cmd = [sys.executable, "-m", "fastw2v.cli", "train", str(corpus_file), "-o",
           str(tmp_path / "v.bin"),
           "--min-count", "1", "--vector-size", "8", "--epochs", "100000", "--dask-local", "2",
           "-threads", "1"]
    rc, _, _, pid = interrupt_after_epoch_2(cmd, signal.SIGKILL)
    assert rc == -signal.SIGKILL
    rows = sorted(set(os.listdir(shm)) - before)
    prepared = [p.name for p in tmp_path.iterdir() if p.name.startswith(".fastw2v-prepared-")]
    assert len(rows) == 1 and rows[0].startswith(f"{shared.ROWS_PREFIX}{_tag(pid)}-")
    assert len(prepared) == 1 and prepared[0].startswith(f".fastw2v-prepared-{_tag(pid)}-")
    # the next run on a cluster of this host: its workers remove the rows (the client warns),
    # the client the prepared copy beside the corpus
    from fastw2v import Word2Vec
    from fastw2v.distributed.cluster import local_cluster
    client = local_cluster(2)
    try:
        with pytest.warns(UserWarning, match="were killed") as caught:
            Word2Vec(vector_size=8, min_count=1, epochs=1).fit(str(corpus_file), client=client)
    finally:
        client.close()
        client.cluster.close()
    said = " ".join(str(w.message) for w in caught)
    assert rows[0] in said and prepared[0] in said
    assert rows[0] not in os.listdir(shm)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.txt"]
