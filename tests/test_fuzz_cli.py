"""Fuzzing every subcommand and ``check``: whatever hypothesis draws, the command answers with
an exit code and at most one ``error:`` line, never a traceback or an internal error, quickly,
and writes nothing but the outputs it names."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof import cli, limits
from symproof.claims.check import check_text
from symproof.errors import TooLargeError

GOOD = st.one_of(st.integers(0, 12).map(str),
                 st.sampled_from(["F", "S", "P", "k", "m", "n", "C_in", "3x5", "k,k", "m,m"]))
HOSTILE = st.one_of(
    st.integers(-3, 40).map(str),
    st.sampled_from(["l", "alpha", "i", "2x", "x", "", " ", "1e3", "0x1f", "٣", "3.5", "-1",
                     "9" * 400, "1000000000", "__import__('os').system('x')", "k*k", "a b",
                     "F=3", "nan", "∞", "1/0", "\x00", "\x1b[2J"]),
    st.text(max_size=12),
)
VALUES = st.one_of(GOOD, GOOD, GOOD, HOSTILE)  # mostly plausible, so commands get deep

SHAPE_OPTIONS = ["--input", "--kernel-size", "--stride", "--padding", "--dilation",
                 "--output-padding", "--output"]


def _options(names):
    return st.lists(st.tuples(st.sampled_from(names), VALUES), max_size=5).map(
        lambda pairs: [part for name, value in pairs for part in (name, value)])


ARGV = st.one_of(
    st.tuples(st.just(["layer"]),
              st.sampled_from([["conv2d"], ["maxpool2d"], ["avgpool2d"]]),
              st.tuples(st.just("--kernel-size"), VALUES).map(list),
              _options(["--in-channels", "--out-channels", "--stride", "--padding",
                        "--dilation", "--input", "--channels"]),
              st.sampled_from([[], ["--latex"], ["--ceil-mode"], ["--no-bias"]])),
    st.tuples(st.just(["layer", "linear", "--in-features"]), VALUES.map(lambda v: [v]),
              st.just(["--out-features"]), VALUES.map(lambda v: [v])),
    st.tuples(st.just(["shape"]),
              st.sampled_from([["conv2d"], ["maxpool2d"], ["avgpool2d"], ["convtranspose2d"]]),
              st.tuples(st.just("--input"), VALUES, st.just("--kernel-size"), VALUES).map(list),
              _options(SHAPE_OPTIONS[2:6]), st.sampled_from([[], ["--latex"], ["--ceil-mode"]])),
    st.tuples(st.just(["shape", "solve"]),
              st.sampled_from([["padding"], ["stride"], ["dilation"]]),
              st.tuples(st.just("--input"), VALUES, st.just("--output"), VALUES,
                        st.just("--kernel-size"), VALUES).map(list),
              _options(SHAPE_OPTIONS[2:5]), st.sampled_from([[], ["--latex"]])),
    st.tuples(st.just(["prove"]), st.sampled_from([["p2"], ["p3"], ["p4"], ["p1"], ["dv07"]]),
              st.lists(st.tuples(st.sampled_from(["k", "m", "C", "r", "g", "k_1", "k_2",
                                                  "stencil", "padding", "kernel_size", "x"]),
                                 VALUES), max_size=2).map(
                  lambda pairs: [p for name, value in pairs for p in ("--set",
                                                                       f"{name}={value}")]),
              st.sampled_from([["--brief"], ["--json"]])),
    st.tuples(st.just(["--limit"]), st.sampled_from([["claims=3"], ["teapot=1"], ["claims="],
                                                      ["claims=-1"], ["integer_digits=10"]]),
              st.just(["list"])),
    st.lists(st.sampled_from(["layer", "shape", "prove", "check", "list", "tour", "--x", "-",
                              "--help", "conv2d", "--set", "--limit"]), max_size=4).map(
        lambda argv: [argv]),
).map(lambda parts: [word for part in parts for word in part])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(ARGV)
def test_any_command_line(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    try:
        code = cli.main(argv)
    except SystemExit as stop:  # --help and --version print and exit 0
        code = stop.code
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert code in (0, 1, 2, None), (code, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert seconds < 10, f"{argv} took {seconds:.1f} s"
    assert list(tmp_path.iterdir()) == []


TOKENS = st.sampled_from([
    "$$", "$", "\\[", "\\]", "\\begin{align*}", "\\end{align*}", "\\begin{cases}",
    "\\end{cases}", "&=", "=", "\\\\", "{", "}", "_", "^", "\\frac{", "\\sum_{", "\\prod_{",
    "i=1}^{", "X_{1,i,j}", "w_{l,\\gamma,\\alpha,\\beta}", "Y_{l,i,j}", "b_l", "\\left(",
    "\\right)", "\\lfloor", "\\rfloor", "\\sigma", "'", "\\max_{", "\\le", "(", ")", "[", "]",
    "10^{9}", "2^{2^{10}}", "!", "k", "m", "+", "-", "\\cdot", "\\quad", "%", "\n", "\r\n",
    "<!-- symproof conv2d in_channels=2 kernel_size=3 -->", "<!-- symproof assume k \\mid m -->",
    "<!-- symproof mlp -->", "<!--", "-->", "C_{\\rm in} = 1", "F = 3", "\\text{otherwise}",
    "\\operatorname{diag}", "\\partial", "\\delta_{ij}", "0.299", "\\bar{X}", "\\boxed{",
    "\\mathbf{W}", "\\odot", "α", "٣", "\x00", "\\", "\\end{document}", "9" * 50])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=40).map("".join))
def test_any_document(text):
    """check never raises anything but a document-level TooLargeError, and every claim gets a
    verdict with a known status."""
    start = time.perf_counter()
    try:
        verdicts, _ = check_text(text)
    except TooLargeError:
        return
    assert time.perf_counter() - start < 10 * max(1, len(verdicts))
    for verdict in verdicts:
        assert verdict.label in ("PROVED", "VERIFIED", "SPOT_CHECKED", "REFUTED", "UNKNOWN",
                                  "UNPARSED")
        assert isinstance(verdict.reason, str) and verdict.reason


@pytest.mark.parametrize("size", [1_000_000])
def test_a_large_document_is_read_in_linear_time(size):
    """Extraction used to be quadratic (a 5 MB document never finished)."""
    from symproof.claims.extract import extract

    text = "prose line\n$$a_{1} = b$$\n" * (size // 24)
    start = time.perf_counter()
    claims = extract(text)
    assert len(claims) == size // 24 and time.perf_counter() - start < 10
    with limits.raised(claims=10), pytest.raises(TooLargeError, match="claims = 10"):
        check_text(text)
