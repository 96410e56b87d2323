"""Atomic writes: all or nothing, never a partial file, never a clobbered one."""

import os

import pytest

from trajectories.support.atomic import atomic_path, check_writable, write_bytes


def test_write_replaces_the_file_in_one_go(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    write_bytes(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert os.listdir(tmp_path) == ["a.bin"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode


def test_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        temporary.write_bytes(b"half a fi")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_failure_before_anything_existed_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "new.bin") as temporary:
        temporary.write_bytes(b"partial")
        raise RuntimeError
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(("name", "message"), [("missing/x.bin", "does not exist"), (".", "is a folder")])
def test_unwritable_targets_are_refused_up_front(tmp_path, name, message):
    with pytest.raises(ValueError, match=message):
        check_writable(tmp_path / name)
