"""The command line under attack (issue #10): every hostile input an adversary tried ends in
time, within memory, with one readable line and no traceback, and no file changes except the
outputs the command names.

Each case runs in its own process, measured with ``wait4`` (peak memory) and a wall clock.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SYMPROOF = [sys.executable, "-m", "symproof"]
SECONDS, MEGABYTES = 10, 1024

HUGE = "9" * 5000
DOCUMENTS = {
    "prod.md": "$$\\prod_{i=1}^{10^9} i = 1$$\n",
    "factorial.md": "$$(10^9)! = 1$$\n",
    "tower.md": "$$2^{2^{2^{2^{10}}}} = 1$$\n",
    "sum.md": "$$\\sum_{i=1}^{10^{12}} X_{1,i,j} = 0$$\n",
    "channels.md": "<!-- symproof conv2d in_channels=1000000000 kernel_size=3 -->\n"
                   "$$Y_{1,i,j} = 0$$\n",
    "braces.md": "$$" + "{" * 10_000 + "x" + "}" * 10_000 + " = 1$$\n",
    "scripts.md": "$$" + "x_{" * 12 + "2" + "}" * 12 + " = 1$$\n",
    "digits.md": f"C_{{\\rm in}} = {HUGE}, C_{{\\rm out}} = 2, F = 3\n$$Y_{{1,i,j}} = 0$$\n",
    "zero.md": "$C_{\\rm in} = 0$, $C_{\\rm out} = 2$, F = 3, S = 1, P = 1\n$$a + a = 2a$$\n",
    "arabic.md": "<!-- symproof conv2d in_channels=٣ kernel_size=3 -->\n$$a = a$$\n",
    "directive.md": f"<!-- symproof conv2d in_channels={HUGE} kernel_size=3 -->\n$$a = a$$\n",
    "crlf.md": "x\r\n$$\\frac{m-k}{k} + 1 = \\frac{m}{k}$$\r\n\f$$a+1=a$$\r\n",
    "binary.md": "\x00\x01$$\x00 = \x01$$\x02",
    "malformed.tex": "$$\\delta_ = \\begin{cases} 1 \\end{cases}$$\n$$[x]_ = 1$$\n"
                     "%! symproof assume \\delta_\n%! symproof assume \\bar{X}\n$$a+a=2a$$\n",
    "strip.md": "$$" + "~" * 1_900_000 + "x$$\n",
    "verbatim.tex": "\\begin{verbatim}\n$$\\frac{\\partial y_L}{\\partial z}=1$$\n"
                    "\\end{verbatim}\n$$a + a = 2a$$\n",
}

CASES = [
    # (argv, exit codes allowed, outputs it may write)
    (["check", "prod.md"], {0, 1}, ()),
    (["check", "factorial.md"], {0, 1}, ()),
    (["check", "tower.md"], {0, 1}, ()),
    (["check", "sum.md"], {0, 1}, ()),
    (["check", "channels.md"], {0, 1}, ()),
    (["check", "braces.md"], {0, 1}, ()),
    (["check", "scripts.md"], {0, 1}, ()),
    (["check", "digits.md"], {0, 1}, ()),
    (["check", "zero.md"], {0, 1}, ()),
    (["check", "arabic.md"], {0, 1}, ()),
    (["check", "directive.md"], {0, 1}, ()),
    (["check", "binary.md"], {0, 1}, ()),
    (["check", "malformed.tex"], {0}, ()),
    (["check", "strip.md"], {0, 1}, ()),
    (["check", "verbatim.tex", "--annotate", "v.tex"], {0}, ("v.tex",)),
    (["check", "crlf.md", "--annotate", ""], {2}, ()),
    (["check", "crlf.md", "--annotate", "n" * 240 + ".md"], {0, 1}, ("n" * 240 + ".md",)),
    (["check", "big.md"], {2}, ()),
    (["check", "/dev/zero"], {2}, ()),
    (["check", "fifo.md"], {0}, ()),  # a FIFO nobody writes to reads as empty, never hangs
    (["check", "missing.md"], {2}, ()),
    (["check", "."], {2}, ()),
    (["check", "crlf.md", "--annotate", "crlf.md"], {2}, ()),
    (["check", "crlf.md", "--annotate", "link.md"], {2}, ()),
    (["check", "crlf.md", "--annotate", "fifo.md"], {2}, ()),
    (["check", "crlf.md", "--annotate", os.devnull], {2}, ()),
    (["check", "crlf.md", "--annotate", "noted.md"], {0, 1}, ("noted.md",)),
    (["check", "crlf.md", "--in-place"], {0, 1}, ("crlf.md",)),
    (["shape", "solve", "padding", "--input", "1", "--output", "1000000000",
      "--kernel-size", "1"], {1}, ()),
    (["shape", "solve", "kernel-size", "--input", "10001", "--output", "1"], {0}, ()),
    (["shape", "solve", "kernel-size", "--input", HUGE, "--output", "1"], {2}, ()),
    (["shape", "maxpool2d", "--kernel-size", "2", "--padding", "2", "--input", "5"], {2}, ()),
    (["shape", "avgpool2d", "--kernel-size", "k", "--padding", "k", "--input", "m"], {2}, ()),
    (["layer", "conv2d", "--kernel-size", HUGE], {2}, ()),
    (["layer", "conv2d", "--kernel-size", "٣"], {2}, ()),
    (["layer", "conv2d", "--kernel-size", "3", "--stride", "0"], {2}, ()),
    (["prove", "p2", "--set", "k=2", "--set", "m=300", "--brief"], {0}, ()),
    (["prove", "p2", "--set", f"k={HUGE}"], {2}, ()),
    (["prove", "p2", "--set", "k=1000000000"], {2}, ()),
    (["prove", "p4", "--set", "k_1=1000", "--set", "k_2=1000", "--brief"], {0}, ()),
    (["prove", "p3", "--set", "r=1/0"], {2}, ()),
    (["prove", "p2", "--set", "C=1024", "--set", "k=32", "--brief"], {0}, ()),
    (["prove", "p4", "--set", "k_1=1", "--set", "k_2=1", "--brief"], {0}, ()),
    (["prove", "p2", "--set", "k=w"], {2}, ()),
    (["prove", "p3", "--set", f"r={HUGE}"], {2}, ()),
    (["prove", "p2", "--set", "k=m"], {2}, ()),
    (["prove", "p1", "--set", "padding=P"], {2}, ()),
    (["prove", "p3", "--latex", "same.pdf", "--pdf"], {2}, ()),
    (["prove", "p3", "--latex", "a.tex", "--markdown", "a.tex"], {2}, ()),
    (["prove", "p3", "--markdown", "link.md"], {2}, ()),
    (["--limit", "claims=0", "list"], {2}, ()),
    (["--limit", f"claims={HUGE}", "list"], {2}, ()),
    (["--limit", "claim_seconds=10000000000", "check", "crlf.md"], {2}, ()),
    (["--limit", "document_bytes=100000000000", "check", "crlf.md"], {1}, ()),
    (["--limit", "integer_digits=5000", "shape", "conv2d", "--input", "1" + "0" * 4999,
      "--kernel-size", "3"], {0}, ()),
]


def _state(folder: Path) -> dict:
    """Every entry of ``folder``: kind, and content hash for regular files."""
    state = {}
    for entry in folder.iterdir():
        info = entry.lstat()
        if entry.is_symlink():
            state[entry.name] = ("link", os.readlink(entry))
        elif entry.is_file():
            state[entry.name] = ("file", hashlib.sha256(entry.read_bytes()).hexdigest())
        else:
            state[entry.name] = ("other", info.st_mode)
    return state


@pytest.fixture
def hostile(tmp_path):
    for name, text in DOCUMENTS.items():
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    (tmp_path / "big.md").write_bytes(b"$$a = a$$\n" * 300_000)  # 3 MB: over document_bytes
    (tmp_path / "precious.md").write_text("do not touch")
    (tmp_path / "link.md").symlink_to("precious.md")
    os.mkfifo(tmp_path / "fifo.md")
    return tmp_path


def run(argv: list[str], cwd: Path) -> tuple[int, str, str, float, float]:
    """Exit code, stdout, stderr, seconds and peak megabytes of one CLI run (``wait4`` on the
    child itself, so other processes of the test run do not count)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([*SYMPROOF, *argv], cwd=cwd, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > 3 * SECONDS:
                process.kill()
                os.wait4(process.pid, 0)
                pytest.fail(f"symproof {' '.join(argv)[:80]} hung")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return (process.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), seconds, usage.ru_maxrss / 1024)


@pytest.mark.parametrize("argv, codes, outputs", CASES,
                         ids=[" ".join(a)[:60] for a, _, _ in CASES])
def test_hostile_command_lines(hostile, argv, codes, outputs):
    before = _state(hostile)
    code, out, err, seconds, megabytes = run(argv, hostile)
    assert "Traceback" not in err + out and "internal error" not in err
    assert code in codes, (code, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert megabytes < MEGABYTES, f"peak {megabytes:.0f} MB"
    after = _state(hostile)
    changed = {name for name in before.keys() | after.keys()
               if before.get(name) != after.get(name)}
    assert changed <= set(outputs), changed
    assert after["precious.md"] == before["precious.md"]
    assert after["link.md"] == ("link", "precious.md") and after["fifo.md"][0] == "other"


def test_annotating_keeps_every_byte(hostile):
    code, *_ = run(["check", "crlf.md", "--annotate", "noted.md"], hostile)
    original = (hostile / "crlf.md").read_bytes()
    noted = (hostile / "noted.md").read_bytes()
    kept = b"\n".join(line for line in noted.split(b"\n") if b"<!-- symproof:" not in line)
    assert kept == original and b"\r\n\x0c$$" in noted


@pytest.mark.skipif(not os.path.exists("/usr/bin/pdflatex") and not __import__(
    "shutil").which("pdflatex"), reason="needs pdflatex")
def test_sigterm_during_pdflatex_leaves_nothing_behind(tmp_path):
    """A kill while pdflatex runs: exit 130, no scratch folder left, the old PDF intact."""
    (tmp_path / "hw.pdf").write_bytes(b"%PDF old")
    scratch = tmp_path / "scratch"  # the child's own temporary folder: nobody else's counts
    scratch.mkdir()
    process = subprocess.Popen([*SYMPROOF, "prove", "--latex", "hw.tex", "--pdf"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.time() + 60
    while time.time() < deadline and not list(scratch.glob("symproof-tex-*")):
        time.sleep(0.05)
    assert process.poll() is None, "the export finished before it could be interrupted"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and b"interrupted" in err
    assert list(scratch.iterdir()) == []
    assert (tmp_path / "hw.pdf").read_bytes() == b"%PDF old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw.pdf", "scratch"]
