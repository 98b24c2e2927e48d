"""Progress of a long `symproof check` on a terminal: "judged N of M claims" on stderr,
rewritten in place and erased at the end; nothing on a pipe; stdout the same either way."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from symproof.claims.check import check_text
from symproof.cli import Progress, progress_on

MANY = "".join(f"$${k} + 1 = {k + 1}$$\n" for k in range(60))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_run_shows_its_progress_and_erases_it():
    stream, ticks = Terminal(), iter(range(10_000))
    progress = Progress(stream, clock=lambda: next(ticks))  # a second per tick: never throttled
    verdicts, _ = check_text(MANY, progress=progress)
    shown = stream.getvalue()
    assert "\rjudged 0 of 60 claims" in shown and "\rjudged 60 of 60 claims" in shown
    assert "\n" not in shown
    progress.clear()
    assert stream.getvalue().endswith("\r" + " " * len("judged 60 of 60 claims") + "\r")
    assert [v.label for v in verdicts] == ["PROVED"] * 60


def test_a_short_quick_run_shows_nothing():
    stream = Terminal()
    progress = Progress(stream, clock=lambda: 0.0)
    check_text("$$1 + 1 = 2$$\n", progress=progress)
    progress.clear()
    assert stream.getvalue() == ""


def test_a_slow_run_shows_progress_even_with_few_claims():
    stream, ticks = Terminal(), iter([0.0, 0.5, 2.0, 3.0, 4.0])
    progress = Progress(stream, clock=lambda: next(ticks))
    progress(0, 3)  # 0.5 s in: nothing yet
    progress(1, 3)
    progress(3, 3)
    assert stream.getvalue() == "\rjudged 1 of 3 claims\rjudged 3 of 3 claims"


def test_updates_are_throttled_but_the_last_is_shown():
    stream = Terminal()
    progress = Progress(stream, clock=lambda: 5.0)
    for done in range(1001):
        progress(done, 1000)
    assert stream.getvalue() == "\rjudged 0 of 1000 claims\rjudged 1000 of 1000 claims"


def test_no_progress_off_a_terminal():
    assert progress_on(io.StringIO()) is None
    assert isinstance(progress_on(Terminal()), Progress)


def test_progress_verdicts_are_the_verdicts_without_it():
    with_it, _ = check_text(MANY, progress=Progress(Terminal()))
    without, _ = check_text(MANY)
    assert [v.to_dict() for v in with_it] == [v.to_dict() for v in without]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_pseudo_terminal_progress_goes_to_stderr_and_json_is_unchanged(tmp_path):
    path = tmp_path / "many.md"
    path.write_text(MANY)
    argv = [sys.executable, "-m", "symproof", "check", "--json", str(path)]
    piped = subprocess.run(argv, capture_output=True, timeout=300)
    assert piped.stderr == b""
    leader, follower = os.openpty()
    try:
        run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=follower, timeout=300)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert run.returncode == piped.returncode == 0
    assert run.stdout == piped.stdout
    assert b"judged 60 of 60 claims" in seen and seen.endswith(b"\r")
