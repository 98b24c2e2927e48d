"""Writing solution documents to disk: atomically (a failed export leaves no partial file), and
compiling with pdflatex on request, with a clear error when it is missing or fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import SymproofError

__all__ = ["ExportError", "write_atomically", "compile_pdf", "check_writable", "PDFLATEX_HINT"]

PDFLATEX_HINT = ("pdflatex is not installed: install it with "
                 "'apt-get install texlive-latex-base texlive-latex-recommended'")


class ExportError(SymproofError):
    """A document could not be written or compiled."""


def check_writable(path: Path) -> Path:
    """``path`` resolved, or an error if its folder is missing or not writable (checked before
    any work, so that nothing is half written)."""
    path = Path(path)
    folder = path.resolve().parent
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: no such directory {folder}")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write {path}: directory {folder} is not writable")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    path = check_writable(path)
    handle, temporary = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 is for scratch files, not output
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error


def compile_pdf(tex: str, pdf_path: Path) -> int:
    """Compile ``tex`` with pdflatex (twice, for the table of contents) in a scratch folder and
    move the PDF to ``pdf_path``; returns its page count. On failure nothing is left behind."""
    if shutil.which("pdflatex") is None:
        raise ExportError(PDFLATEX_HINT)
    pdf_path = check_writable(pdf_path)
    with tempfile.TemporaryDirectory(prefix="symproof-tex-") as scratch:
        source = Path(scratch) / "document.tex"
        source.write_text(tex, encoding="utf-8")
        for _ in range(2):
            done = subprocess.run(
                ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", source.name],
                cwd=scratch, capture_output=True, text=True, errors="replace", timeout=300)
            if done.returncode != 0:
                errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
                raise ExportError(f"pdflatex failed: {errors[0] if errors else 'see its log'}")
        log = (Path(scratch) / "document.log").read_text(errors="replace")
        pages = _pages(log)
        shutil.move(str(Path(scratch) / "document.pdf"), pdf_path)
    return pages


def _pages(log: str) -> int:
    marker = "Output written on document.pdf ("
    if marker not in log:
        return 0
    return int(log.split(marker, 1)[1].split(" page", 1)[0])
