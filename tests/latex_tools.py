"""What the tests that compile documents share: pdflatex run as a user runs it, the overfull
boxes and page count read from its log, and a tool missing (a skip here, a failure in CI,
which must compile every document)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must compile the documents, but {tool} is missing")
        pytest.skip(f"{tool} is not installed")


def pdflatex(folder: Path, source: str, runs: int = 1) -> str:
    """Compile ``folder/source`` ``runs`` times (twice for contents and references), asserting
    that each run succeeds; returns the log."""
    for _ in range(runs):
        done = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                               source], cwd=folder, capture_output=True, text=True,
                              errors="replace", timeout=300)
        assert done.returncode == 0, done.stdout[-2000:]
    return (folder / Path(source).with_suffix(".log")).read_text(errors="replace")


def overfull(log: str) -> list[float]:
    """How far (pt) each overfull line of a pdflatex log runs past its box."""
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]


def pages(log: str, pdf: str) -> int:
    """The page count pdflatex reports for ``pdf``."""
    return int(re.search(rf"Output written on {re.escape(pdf)} \((\d+) page", log).group(1))
