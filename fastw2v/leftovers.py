"""Temporary files named by their owner, so that a later run can remove those of a killed one.

A run's temporary files (the prepared copy of a text corpus, ``prepare``'s directory before
its rename, a Dask run's shared rows in ``/dev/shm``) carry the *tag* of the process that owns
them: the boot, the PID namespace and the process id. Errors, Ctrl-C, SIGTERM and SIGHUP
remove them (``cli.py``); SIGKILL cannot: the kernel's OOM killer, or a job scheduler past
its grace period, leaves a prepared copy as large as the corpus's ids (4 bytes a token) in
TMPDIR, or rows that hold memory in ``/dev/shm`` until a reboot. The next run that makes
such a file in the same directory removes first those whose owner is provably gone: the
same boot, the same PID namespace, and no process with that id. An owner on another host,
in another container (its PID namespace) or from before a reboot is never judged, and a PID
taken again by another process keeps the files until that one ends: a file that cannot be
proven stale stays. A directory also holds a file its owner keeps locked (``flock``, shared)
while it uses it: machines cloned from one snapshot share a boot id and PID namespace, and
on a disk they share (a corpus directory on NFS, where a cluster run puts its prepared copy)
one's sweep must not remove another's live directory.
"""
import os
import shutil
import tempfile
import warnings

LOCK = ".owner"                  # in an owned directory, locked while its owner uses it


def owner_tag():
    """This process's tag, ``<boot>.<pid namespace>.<pid>`` (no ``-``: names put one after
    it). Where there is no /proc (macOS, Windows): ``0.0.<pid>``, which no run judges."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip().replace("-", "")
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return f"0.0.{os.getpid()}"
    return f"{boot}.{namespace}.{os.getpid()}"


def owner_gone(tag):
    """Whether the process of ``tag`` has certainly ended: same boot and PID namespace as
    this process, and no process with its id."""
    parts = tag.split(".")
    mine = owner_tag().split(".")
    if len(parts) != 3 or not parts[2].isdigit() or parts[:2] != mine[:2] or mine[0] == "0":
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):       # another user's process, or not a valid id
        return False
    return False                           # alive (or its id taken again)


def owned_directory(prefix, dir=None):
    """A new directory ``prefix + tag + "-" + random`` in ``dir`` (default: the temporary
    directory), made after removing the killed runs' ones there (``remove_stale``), and an
    open file in it that holds a shared lock on ``LOCK`` while the directory is used:
    ``(path, lock)``. ``release(lock)`` when done with it (or before renaming it)."""
    where = dir if dir is not None else tempfile.gettempdir()
    remove_stale(where, prefix)
    path = tempfile.mkdtemp(prefix=f"{prefix}{owner_tag()}-", dir=where)
    lock = open(os.path.join(path, LOCK), "w")
    try:
        import fcntl
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except (ImportError, OSError):             # Windows; a filesystem without locks
        pass
    return path, lock


def release(lock, remove=False):
    """Let go of an owned directory's lock (``remove``: and its file, before the directory
    is renamed to what it was made for)."""
    if remove:
        try:
            os.remove(lock.name)
        except OSError:
            pass
    lock.close()


def _in_use(path):
    """Whether a directory's owner, or anyone, still holds its lock: ``(in use, the lock's
    file held exclusively, or None)``. No lock file: not in use (its owner died before it)."""
    try:
        lock = open(os.path.join(path, LOCK))
    except FileNotFoundError:
        return False, None
    except OSError:
        return True, None
    try:
        import fcntl
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:
        return False, lock
    except OSError:                            # held (BlockingIOError), or cannot tell
        lock.close()
        return True, None
    return False, lock


def remove_stale(directory, prefix, warn=True):
    """Remove the files and directories in ``directory`` named ``prefix + tag + "-" + ...``
    whose owner is gone, with a warning that names them (``warn_removed``); returns their
    paths."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for name in names:
        if not name.startswith(prefix) or "-" not in name[len(prefix):]:
            continue
        if not owner_gone(name[len(prefix):].split("-", 1)[0]):
            continue
        path = os.path.join(directory, name)
        lock = None
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                in_use, lock = _in_use(path)
                if in_use:
                    continue
                shutil.rmtree(path)
            else:
                os.remove(path)
        except OSError:                    # another run removing it too, or not ours to remove
            continue
        finally:
            if lock is not None:
                lock.close()
        removed.append(path)
    if warn:
        warn_removed(removed, stacklevel=4)
    return removed


def warn_removed(removed, stacklevel=2):
    """The warning for files ``remove_stale`` removed (none: no warning). A Dask worker's
    removals are handed back to the client, which warns where the user sees it."""
    if removed:
        warnings.warn(f"removed {len(removed)} temporary file(s) of fastw2v runs that were killed "
                      f"(SIGKILL, out of memory): {', '.join(removed)}", stacklevel=stacklevel)
