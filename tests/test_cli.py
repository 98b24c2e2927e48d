"""The symproof command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symproof.cli import main


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, timeout=120)


def test_layer_conv2d_concrete_input():
    done = run("layer", "conv2d", "--in-channels", "1", "--out-channels", "2",
               "--kernel-size", "3", "--padding", "1", "--input", "5x6")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(None, 1) if not line.startswith("output shape") else
                 ("output shape", line[len("output shape"):].strip())
                 for line in done.stdout.splitlines())
    assert lines["layer"] == "Conv2d(1, 2, kernel_size=3, padding=1)"
    assert lines["output shape"] == "(2, 5, 6)"
    assert lines["element"] == \
        "Y[l,i,j] = b[l] + Σ_{α=1}^{3} Σ_{β=1}^{3} w[l,1,α,β]·X[1,i+α-2,j+β-2]"
    assert "X[γ,p,q] = 0 outside 1 ≤ p ≤ 5, 1 ≤ q ≤ 6" in lines["padding"]


def test_layer_symbolic_and_latex(capsys):
    assert main(["layer", "conv2d", "--kernel-size", "F", "--stride", "S", "--padding", "P",
                 "--input", "m,m", "--latex"]) == 0
    out = capsys.readouterr().out
    assert r"\left\lfloor{\frac{- F + 2 P + m}{S}}\right\rfloor + 1" in out
    assert r"X_{1,S\left(i-1\right)+\alpha-P,S\left(j-1\right)+\beta-P}" in out


def test_layer_pool_and_linear(capsys):
    assert main(["layer", "maxpool2d", "--kernel-size", "2", "--input", "3x5x5",
                 "--ceil-mode"]) == 0
    out = capsys.readouterr().out
    assert "(3, 3, 3)" in out and "max_{1≤α≤2, 1≤β≤2} X[l,2*i+α-2,2*j+β-2]" in out
    assert "−∞ outside" in out
    assert main(["layer", "linear", "--in-features", "n", "--out-features", "2"]) == 0
    assert "Σ_{k=1}^{n} A[i,k]·x[k]" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["layer", "conv2d", "--kernel-size", "3", "--stride", "0"],
     "error: stride must be a positive integer, got 0"),
    (["layer", "conv2d", "--kernel-size", "3", "--input", "2x2"],
     "error: kernel_size must fit the padded input"),
    (["layer", "conv2d", "--kernel-size", "3*3"], "error: kernel_size must be an integer (digits "
                                                  "0-9) or a symbol name such as F, got '3*3'"),
    (["layer", "conv2d", "--kernel-size", "__import__('os')"], "error: kernel_size must be"),
    (["layer", "conv2d", "--kernel-size", "3", "--bogus"],
     "error: unrecognized arguments: --bogus"),
    (["layer", "avgpool2d", "--kernel-size", "3", "--padding", "2"],
     "error: padding must be at most half the kernel size"),
    (["layer", "teapot"], "error: argument KIND: invalid choice: 'teapot'"),
])
def test_errors_are_one_line_and_exit_2(argv, message):
    done = run(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_help_version_and_tour():
    assert run("--version").stdout.strip().startswith("symproof 0.")
    assert "layer" in run("--help").stdout
    done = run("tour")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("== ") == 6
    assert "(C, floor(m/k), floor(m/k))" in done.stdout


def test_shape_command_numbers_symbols_and_latex():
    done = run("shape", "conv2d", "--input", "32", "--kernel-size", "3", "--stride", "2",
               "--padding", "1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("formula   o = floor(")
    assert lines[2] == "output    16"
    assert "no: the last rows" in lines[3]
    symbolic = run("shape", "conv2d", "--input", "m", "--kernel-size", "F", "--padding", "1")
    assert "output    -F + m + 3" in symbolic.stdout
    latex = run("shape", "conv2d", "--input", "m", "--kernel-size", "F", "--stride", "S",
                "--latex")
    assert r"\left\lfloor{\frac{- F + m}{S}}\right\rfloor + 1" in latex.stdout
    up = run("shape", "convtranspose2d", "--input", "16", "--kernel-size", "3", "--stride", "2",
             "--padding", "1", "--output-padding", "1")
    assert "output    32" in up.stdout


def test_shape_solve_command():
    done = run("shape", "solve", "padding", "--input", "32", "--output", "32",
               "--kernel-size", "5")
    assert done.returncode == 0 and done.stdout.strip() == "{P = 2}"
    none = run("shape", "solve", "padding", "--input", "m", "--output", "m", "--kernel-size", "4")
    assert none.returncode == 1
    assert none.stdout.strip() == "no integer padding: needs D(F − 1) = 3 even"
    bad = run("shape", "solve", "padding", "--input", "32", "--kernel-size", "5")
    assert bad.returncode == 2 and bad.stderr.startswith("error: output must be given")
