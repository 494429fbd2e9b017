"""Atomic output: an interrupted write leaves nothing behind; finished files get normal permissions."""

from __future__ import annotations

import os

import pytest

from darkbeam.io.atomic import atomic_path, write_text_atomic


def test_interrupted_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        with open(tmp, "w") as f:
            f.write('{"partial": ')
        raise KeyboardInterrupt
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_file_survives_failed_rewrite(tmp_path):
    target = tmp_path / "out.txt"
    write_text_atomic(target, "complete\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "complete\n"


def test_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "out.txt"
        write_text_atomic(target, "x")
    finally:
        os.umask(old)
    assert (target.stat().st_mode & 0o777) == 0o644
