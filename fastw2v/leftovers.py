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
proven stale stays.
"""
import os
import shutil
import warnings


def owner_tag():
    """This process's tag, ``<boot>.<pid namespace>.<pid>`` (no ``-``: names put one after
    it). Where there is no /proc (macOS, Windows): ``0.0.<pid>``, which no run judges."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()[:8]
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


def remove_stale(directory, prefix):
    """Remove the files and directories in ``directory`` named ``prefix + tag + "-" + ...``
    whose owner is gone, with a warning that names them; returns their paths."""
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
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
        except OSError:                    # another run removing it too, or not ours to remove
            continue
        removed.append(path)
    if removed:
        warnings.warn(f"removed {len(removed)} temporary file(s) of fastw2v runs that were killed "
                      f"(SIGKILL, out of memory): {', '.join(removed)}", stacklevel=3)
    return removed
