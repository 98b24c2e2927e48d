"""Compiling solution documents with pdflatex: in a scratch folder, with a clear error when
pdflatex is missing or fails; the PDF reaches its destination through the one atomic writer
(:mod:`symproof.files`), so a failed or interrupted compile never damages an existing PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import SymproofError
from ..files import write_atomically

__all__ = ["ExportError", "compile_pdf", "require_pdflatex", "PDFLATEX_HINT"]

PDFLATEX_HINT = ("pdflatex is not installed: install it with "
                 "'apt-get install texlive-latex-base texlive-latex-recommended'")


_TIMEOUT = 300  # seconds per pdflatex run; a model answer compiles in about one
# kpathsea's "paranoid" file access: \input, \include, \openin and \openout of an absolute
# path, a parent folder or a hidden file are refused (a checked document is untrusted: it must
# not copy /etc/passwd or a key into the PDF its reader shares). With -no-shell-escape,
# \write18 runs nothing.
_PARANOID = {"openin_any": "p", "openout_any": "p"}


class ExportError(SymproofError):
    """A document could not be compiled."""


def require_pdflatex() -> None:
    """An error now, before any work, when pdflatex is missing."""
    if shutil.which("pdflatex") is None:
        raise ExportError(PDFLATEX_HINT)


def compile_pdf(tex: str, pdf_path: Path) -> int:
    """Compile ``tex`` with pdflatex (twice, for the table of contents) in a scratch folder and
    write the PDF to ``pdf_path``; returns its page count. pdflatex reads no file outside the
    scratch folder and its own installation, and runs no command. On failure nothing is written; the
    scratch folder is removed even when the command is interrupted (the CLI turns SIGTERM into
    an exception for that)."""
    require_pdflatex()
    with tempfile.TemporaryDirectory(prefix="symproof-tex-") as scratch:
        source = Path(scratch) / "document.tex"
        source.write_text(tex, encoding="utf-8")
        for _ in range(2):
            # subprocess.run kills pdflatex if this process is interrupted while it waits
            try:
                done = subprocess.run(
                    ["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                     "-no-shell-escape", source.name],
                    cwd=scratch, capture_output=True, text=True, errors="replace",
                    timeout=_TIMEOUT, env={**os.environ, **_PARANOID})
            except subprocess.TimeoutExpired:
                raise ExportError(f"pdflatex took over {_TIMEOUT} s and was stopped") from None
            except OSError as error:
                raise ExportError(f"cannot run pdflatex: {error.strerror or error}") from None
            if done.returncode != 0:
                errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
                raise ExportError(f"pdflatex failed: {errors[0] if errors else 'see its log'}")
        log = (Path(scratch) / "document.log").read_text(errors="replace")
        write_atomically(pdf_path, (Path(scratch) / "document.pdf").read_bytes())
    return _pages(log)


def _pages(log: str) -> int:
    marker = "Output written on document.pdf ("
    if marker not in log:
        return 0
    return int(log.split(marker, 1)[1].split(" page", 1)[0])
