"""The one reader of documents and the one writer of every file symproof writes.

Reading is bounded: at most ``document_bytes`` (see :mod:`symproof.limits`) are read, so an
endless device or a huge file is refused at once, and the text comes back exactly as stored
(CRLF, form feeds and all), decoded as UTF-8.

Writing is atomic and never destroys anything: the new content goes to a temporary file in
the target's folder, is flushed to disk, and replaces the target by one rename. A symbolic
link, a device, a FIFO, a socket or a folder is never written over (nor through), two outputs
of one command may not share a path, and an output may not be one of the command's inputs
unless the caller says so. If anything fails, the old file is intact and the temporary file
is gone.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomically(folder / "note.md", "one\\r\\ntwo\\f\\n")
>>> read_document(folder / "note.md") == "one\\r\\ntwo\\f\\n"
True
"""

from __future__ import annotations

import os
import select
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .errors import FileError
from .limits import current, refusal

__all__ = ["read_document", "read_bytes", "write_atomically", "check_target", "check_outputs"]


_IDLE_SECONDS = 10  # how long a pipe or device may stay silent before reading gives up


def _why(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def read_bytes(path: str | os.PathLike, *, what: str = "document",
               limit: str = "document_bytes", regular_only: bool = False) -> bytes:
    """The bytes of ``path``, refused past the limit ``limit``. Opening never blocks (a FIFO
    without a writer reads as empty, a FIFO or device with one is read up to the limit);
    ``regular_only`` also refuses anything but a regular file, and never follows a link."""
    path = Path(path)
    maximum = getattr(current(), limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if regular_only:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise FileError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise FileError(f"cannot read {path}: it is a directory") from None
    except OSError as error:
        link = regular_only and os.path.islink(path)
        raise FileError(f"cannot read {path}: " + ("it is a symbolic link" if link
                                                    else _why(error))) from None
    info = os.fstat(handle)  # the file actually opened
    problem = ("it is a directory" if stat.S_ISDIR(info.st_mode) else
               "it is not a regular file" if regular_only and not stat.S_ISREG(info.st_mode)
               else None)
    if problem or (stat.S_ISREG(info.st_mode) and info.st_size > maximum):
        os.close(handle)
        if problem:
            raise FileError(f"cannot read {path}: {problem}")
        raise refusal(limit, f"{what} {path}", info.st_size, "bytes")
    regular = stat.S_ISREG(info.st_mode)
    with os.fdopen(handle, "rb", buffering=0) as stream:
        if regular:
            os.set_blocking(stream.fileno(), True)
        chunks, size, settling = [], 0, 0 if regular else 3
        try:
            while size <= maximum:  # in pieces: one read of `maximum` bytes would allocate it
                chunk = stream.read(min(maximum + 1 - size, 1 << 20))
                if chunk is None:  # a pipe whose writer has sent nothing yet: wait for it
                    if not select.select([stream], [], [], _IDLE_SECONDS)[0]:
                        raise FileError(f"cannot read {path}: no data for {_IDLE_SECONDS} s (a "
                                        "pipe or device whose writer is idle)")
                    continue
                if not chunk:  # the end (a pipe nobody writes to ends at once)
                    if size == 0 and settling:  # unless a writer is just connecting
                        settling -= 1
                        time.sleep(0.05)
                        continue
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as error:
            raise FileError(f"cannot read {path}: {_why(error)}") from None
        data = b"".join(chunks)
    if len(data) > maximum:
        raise refusal(limit, f"{what} {path}", len(data), "bytes (at least)")
    return data


def read_document(path: str | os.PathLike, *, what: str = "document",
                  limit: str = "document_bytes") -> str:
    """The text of ``path`` (UTF-8, every byte kept), read by :func:`read_bytes`."""
    data = read_bytes(path, what=what, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileError(f"cannot read {path}: not UTF-8 text (byte {error.start} is "
                        f"{data[error.start]:#04x})") from None


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name one file (by inode when both exist, else by resolved path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_target(path: str | os.PathLike, *, option: str = "output") -> Path:
    """``path`` as a Path if symproof may write it, else a ``FileError`` saying why; checked
    before any work, so that a bad path never costs a derivation."""
    path = Path(path)
    where = f"{path} ({option})" if option else str(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise FileError(f"cannot write {where}: {_why(error)}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise FileError(f"cannot write {where}: it is a symbolic link (symproof never "
                            "writes through a link; name the file itself)")
        if stat.S_ISDIR(info.st_mode):
            raise FileError(f"cannot write {where}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise FileError(f"cannot write {where}: it is not a regular file (a device, FIFO "
                            "or socket is never replaced)")
    folder = path.absolute().parent
    if not folder.is_dir():
        raise FileError(f"cannot write {where}: no such directory {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileError(f"cannot write {where}: directory {folder} is not writable")
    return path


def check_outputs(outputs: dict[str, str | os.PathLike], inputs: Iterable[str | os.PathLike] = (),
                  *, overwrite_inputs: bool = False) -> dict[str, Path]:
    """Every output path checked (see :func:`check_target`), no two the same file, and none an
    input unless ``overwrite_inputs``. Keys name the options (``--latex``), for the messages.

    >>> check_outputs({"--latex": "a.tex", "--markdown": "a.tex"})
    Traceback (most recent call last):
    ...
    symproof.errors.FileError: --latex and --markdown both name a.tex: give each output its own file
    """
    checked: dict[str, Path] = {}
    for option, path in outputs.items():
        path = Path(path)
        for other, seen in checked.items():
            if _same(path, seen):
                raise FileError(f"{other} and {option} both name {path}: give each output its "
                                "own file")
        checked[option] = check_target(path, option=option)
    if not overwrite_inputs:
        for source in map(Path, inputs):
            for option, path in checked.items():
                if _same(path, source):
                    raise FileError(f"{option} {path} is the input {source}: refusing to "
                                    "overwrite it")
    return checked


def write_atomically(path: str | os.PathLike, data: str | bytes) -> None:
    """Replace ``path`` by ``data`` (text is written as UTF-8, byte for byte: no newline
    translation) through a temporary file in the same folder, flushed and renamed. On any
    failure, or an interruption, the old file is intact and no temporary file is left."""
    path = check_target(path, option="")
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = path.absolute().parent
    try:
        # a short name: the target's own may already be as long as the system allows
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".symproof-", suffix=".tmp")
    except OSError as error:
        raise FileError(f"cannot write {path}: {_why(error)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException as error:  # interruptions too: never leave the temporary file behind
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise FileError(f"cannot write {path}: {_why(error)} (the old file, if any, is "
                            "intact)") from None
        raise
    _sync_folder(folder)


def _mode_for(path: Path) -> int:
    """The old file's permissions when replacing one; otherwise what ``open`` would give
    (mkstemp's 0600 is for scratch files, not for documents)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (best effort)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
