"""Files: atomic writes (a failed run never leaves a half-written file behind), and the
compressed files read and written by their suffix (.gz, .bz2, .xz), as gensim's smart_open."""
import bz2
import contextlib
import gzip
import lzma
import os
import shutil
import stat
import tempfile
import weakref

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_WRITERS = {".gz": lambda f: gzip.GzipFile(fileobj=f, mode="wb", mtime=0),
            ".bz2": lambda f: bz2.BZ2File(f, "wb"), ".xz": lambda f: lzma.LZMAFile(f, "wb")}


def open_binary(path):
    """``path`` opened for reading bytes, decompressed when its suffix says so."""
    opener = OPENERS.get(os.path.splitext(os.fspath(path))[1].lower(), open)
    return opener(path, "rb")


class TemporaryDirectory:
    """A new directory (``name``), removed with everything in it by ``cleanup()`` or when
    this object goes: tempfile's, less the ResourceWarning that one gives when the garbage
    collector removes it, which is how a model lets go of its prepared copy of a corpus (it
    keeps the copy as long as it may train on it again). Named and locked by its owner, so
    that a later run removes it if this process is killed (``leftovers.owned_directory``)."""

    def __init__(self, prefix, dir=None):
        from .leftovers import owned_directory
        self.name, lock = owned_directory(prefix, dir)
        self._remove = weakref.finalize(self, _remove_owned, self.name, lock)

    def cleanup(self):
        self._remove()


def _remove_owned(path, lock):
    shutil.rmtree(path, ignore_errors=True)
    lock.close()


@contextlib.contextmanager
def compressing(f, path):
    """``f`` (a binary file being written), compressed as the suffix of ``path`` says."""
    writer = _WRITERS.get(os.path.splitext(os.fspath(path))[1].lower())
    if writer is None:
        yield f
        return
    with writer(f) as z:
        yield z


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside ``path``; rename it over ``path`` only on success.
    Text modes write UTF-8 with "\n" line ends, whatever the locale.

    On any exception the temporary file is removed and ``path`` is left as it was. A
    symbolic link is written through, as open() does: its target is replaced, not the link.
    """
    path = os.path.realpath(path) if os.path.islink(path) else os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path!r}: directory {directory!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".fastw2v-", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else dict(encoding="utf-8", newline="\n"))) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _permissions(path))     # mkstemp makes 0600; give what open() would
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _permissions(path):
    """The mode a plain ``open(path, "w")`` would leave: the old file's, else 0666 minus umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def give_mkdir_permissions(path):
    """Give a directory made by ``tempfile.mkdtemp`` (0700), before it is renamed into place,
    the mode ``os.mkdir`` would have given it: 0777 minus umask, and the setgid bit it
    inherited from a setgid parent kept. Others (a cluster's workers under another user)
    then read it as they would a directory made by hand."""
    os.chmod(path, 0o777 & ~_umask() | (os.stat(path).st_mode & stat.S_ISGID))


def _umask():
    """The process's umask: read from /proc where it can be (setting it to read it back would
    give a file created meanwhile by another thread, a Dask worker's, the mode 0666)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0)
    os.umask(umask)
    return umask


def check_writable(path, what="output"):
    """Raise a ValueError naming ``what`` unless ``path`` can be written: its directory exists
    and takes a new file, and it is not a directory. Checked before long work starts."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"{what} {path!r} is a directory")
    directory = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(directory):
        raise ValueError(f"{what} {path!r}: directory {os.path.dirname(path) or '.'!r} does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".fastw2v-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ValueError(f"{what} {path!r}: cannot write in {directory!r} ({e.strerror})") from None
