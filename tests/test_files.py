"""The one reader and the one writer: nothing is ever lost, clobbered or half written."""

from __future__ import annotations

import errno
import os
import socket
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symproof import files, limits
from symproof.errors import FileError, TooLargeError


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@given(st.binary(max_size=300))
def test_round_trip_keeps_every_byte(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("w")
    text = data.decode("utf-8", "replace")  # CR, LF, form feeds, NULs, anything
    files.write_atomically(folder / "doc.md", text)
    assert files.read_document(folder / "doc.md") == text
    assert (folder / "doc.md").read_bytes() == text.encode("utf-8")
    assert _leftovers(folder) == []


def test_replacing_keeps_the_old_permissions(tmp_path):
    target = tmp_path / "doc.tex"
    target.write_text("old")
    target.chmod(0o640)
    files.write_atomically(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("make, why", [
    (lambda p: p.symlink_to(p.parent / "real.md"), "symbolic link"),
    (lambda p: os.mkfifo(p), "not a regular file"),
    (lambda p: p.mkdir(), "directory"),
])
def test_special_targets_are_refused_and_left_alone(tmp_path, make, why):
    (tmp_path / "real.md").write_text("precious")
    target = tmp_path / "out.md"
    make(target)
    before = os.lstat(target)
    with pytest.raises(FileError, match=why):
        files.write_atomically(target, "x")
    after = os.lstat(target)
    assert (before.st_mode, before.st_ino) == (after.st_mode, after.st_ino)
    assert (tmp_path / "real.md").read_text() == "precious"
    assert _leftovers(tmp_path) == []


def test_a_socket_and_a_device_are_refused(tmp_path):
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(FileError, match="not a regular file"):
            files.write_atomically(path, "x")
    finally:
        server.close()
    with pytest.raises(FileError, match="not a regular file"):
        files.check_target(os.devnull)


def test_missing_or_unwritable_folder(tmp_path):
    with pytest.raises(FileError, match="no such directory"):
        files.write_atomically(tmp_path / "nope" / "a.md", "x")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(FileError, match="not writable"):
            files.write_atomically(locked / "a.md", "x")


@pytest.mark.parametrize("failure", [
    OSError(errno.ENOSPC, "No space left on device"),
    KeyboardInterrupt(),
])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failure):
    target = tmp_path / "doc.md"
    target.write_text("old content")

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(files.os, "fsync", broken)
    with pytest.raises(FileError if isinstance(failure, OSError) else KeyboardInterrupt) as e:
        files.write_atomically(target, "new content")
    if isinstance(failure, OSError):
        assert "no space left on device" in str(e.value) and "intact" in str(e.value)
    assert target.read_text() == "old content"
    assert _leftovers(tmp_path) == []


def test_outputs_must_be_distinct_and_not_inputs(tmp_path):
    (tmp_path / "in.md").write_text("x")
    with pytest.raises(FileError, match="--latex and --markdown both name"):
        files.check_outputs({"--latex": tmp_path / "a", "--markdown": tmp_path / "./a"})
    with pytest.raises(FileError, match="is the input"):
        files.check_outputs({"--annotate": tmp_path / "in.md"}, [tmp_path / "in.md"])
    (tmp_path / "hard.md").hardlink_to(tmp_path / "in.md")  # another name, the same file
    with pytest.raises(FileError, match="is the input"):
        files.check_outputs({"--annotate": tmp_path / "hard.md"}, [tmp_path / "in.md"])
    assert files.check_outputs({"--in-place": tmp_path / "in.md"}, [tmp_path / "in.md"],
                               overwrite_inputs=True)


def test_reading_is_bounded_and_clear(tmp_path):
    with limits.raised(document_bytes=10):
        with pytest.raises(TooLargeError, match="document_bytes = 10"):
            files.read_document("/dev/zero")  # an endless device: refused at once
        (tmp_path / "big.md").write_text("x" * 11)
        with pytest.raises(TooLargeError, match="--limit document_bytes=N"):
            files.read_document(tmp_path / "big.md")
    (tmp_path / "latin1.md").write_bytes(b"caf\xe9")
    with pytest.raises(FileError, match="not UTF-8 text .byte 3 is 0xe9"):
        files.read_document(tmp_path / "latin1.md")
    with pytest.raises(FileError, match="no such file"):
        files.read_document(tmp_path / "missing.md")
    with pytest.raises(FileError, match="is a directory"):
        files.read_document(tmp_path)


def test_a_pipe_whose_writer_is_idle_is_given_up(tmp_path, monkeypatch):
    import subprocess
    import time

    monkeypatch.setattr(files, "_IDLE_SECONDS", 0.5)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"sleep 5 > {fifo}"])
    try:
        start = time.perf_counter()
        with pytest.raises(FileError, match="no data for 0.5 s"):
            files.read_document(fifo)
        assert time.perf_counter() - start < 3
    finally:
        writer.kill()
