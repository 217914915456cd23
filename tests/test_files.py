"""Atomic writes: nothing half-written on failure, the permissions a plain write gives, links
written through; a prepared directory gets the permissions a plain mkdir gives."""
import os
import stat

import pytest

from fastw2v._files import atomic_write


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as f:
            f.write("half")
            raise RuntimeError("boom")
    assert path.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]


def test_new_file_gets_umask_permissions_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.bin") as f:
            f.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.bin").st_mode) == 0o644


def test_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    with atomic_write(path, "w") as f:
        f.write("new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_symbolic_link_is_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "v.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with atomic_write(link, "w") as f:
        f.write("new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(os.listdir(tmp_path / "real")) == ["v.txt"]


def test_a_prepared_directory_gets_the_permissions_of_mkdir(tmp_path):
    from fastw2v.corpus import prepare
    (tmp_path / "c.txt").write_text("a b\n")
    old = os.umask(0o022)
    try:
        prepare(str(tmp_path / "c.txt"), tmp_path / "p")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "p").st_mode) == 0o755      # not mkdtemp's 0700
    (tmp_path / "shared").mkdir()
    os.chmod(tmp_path / "shared", 0o2775)                  # a group's directory: setgid
    (tmp_path / "shared" / "by-hand").mkdir()
    old = os.umask(0o022)
    try:
        prepare(str(tmp_path / "c.txt"), tmp_path / "shared" / "p")
    finally:
        os.umask(old)
    by_hand = stat.S_IMODE(os.stat(tmp_path / "shared" / "by-hand").st_mode)
    assert stat.S_IMODE(os.stat(tmp_path / "shared" / "p").st_mode) == by_hand


def test_the_umask_is_read_without_changing_it(monkeypatch):
    from fastw2v import _files
    old = os.umask(0o027)
    try:
        monkeypatch.setattr(os, "umask", lambda *a: pytest.fail("set the umask"))
        assert _files._umask() == 0o027
    finally:
        monkeypatch.undo()
        os.umask(old)
