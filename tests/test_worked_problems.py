"""The worked problems as a TA runs them: `symproof prove`, `list`, parameters, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from symproof import MaxPool2d
from symproof.cli import main
from symproof.proof import Status
from symproof.registry import get, groups
from symproof.testing import assert_equivalent


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, timeout=300)


def test_prove_runs_every_problem_and_all_are_proved():
    done = run("prove")
    assert done.returncode == 0, done.stderr
    summary = done.stdout.strip().splitlines()[-6:]
    assert [line.split()[0] for line in summary[:5]] == ["P1", "P2", "P3", "P4", "P6"]
    assert all("PROVED" in line for line in summary[:5])
    assert summary[-1] == "5 proofs: 5 proved"
    assert "(2 kernels synthesised, boundary stated)" in summary[0]


def test_p2_and_p4_are_proved_for_symbolic_sizes():
    p2, p4 = get("p2").run(), get("p4").run()
    assert p2.status is Status.PROVED and p4.status is Status.PROVED
    assert {str(s) for s in p2.parameters.values()} == {"C", "k", "m"}
    assert all(s.outcome.tactic not in ("numeric check", "exhaustive check") for s in p2.steps)
    assert_equivalent(p2.result.rhs, sp.KroneckerDelta(sp.Symbol("l", integer=True,
                                                                 positive=True),
                                                       sp.Symbol("gamma", integer=True,
                                                                 positive=True)) /
                      sp.Symbol("k", integer=True, positive=True) ** 2)


def test_p4_counterexample_really_is_one():
    p4 = get("p4").run()
    negative = [s for s in p4.steps if not s.holds]
    assert len(negative) == 1 and negative[0].status is Status.PROVED
    values = {name: value for name, value in negative[0].outcome.counterexample.items()}
    a, b = float(values["a"]), float(values["b"])
    assert max(a, b) ** 2 != max(a * a, b * b)  # numerically, as a user would check it
    x = np.array([[[a, b]]])
    assert MaxPool2d((1, 2)).evaluate(x) ** 2 != MaxPool2d((1, 2)).evaluate(x ** 2)


def test_p1_kernels_are_the_synthesised_ones(torch):
    p1 = get("p1").run(use_torch=True)
    first, second = p1.result
    assert first.rhs == sp.Matrix([[0, 0, 0], [0, -1, 0], [0, 1, 0]])
    assert second.rhs == sp.Matrix([[0, 0, 0], [0, -1, 1], [0, 0, 0]])
    assert any("PyTorch" in c.justification and c.status is Status.SPOT_CHECKED
               for c in p1.checks)
    assert "where i = H" in p1.notes[0]


@pytest.mark.parametrize("name", ["p1", "p2", "p3", "p4"])
def test_every_problem_cross_checks_with_torch(torch, name):
    proof = get(name).run(use_torch=True)
    assert proof.status is Status.PROVED
    assert any("PyTorch" in c.justification for c in proof.checks)


def test_prove_torch_flag_end_to_end(torch):
    done = run("prove", "p3", "p6", "--torch", "--brief")
    assert done.returncode == 0, done.stderr
    assert "spot-checked vs autograd" in done.stdout


def test_parameters_make_new_variants(capsys):
    assert main(["prove", "p2", "--set", "k=3", "--brief"]) == 0
    assert "P2" in capsys.readouterr().out
    p2 = get("p2").run({"k": "3", "m": "7"})
    assert p2.status is Status.PROVED
    assert any(not s.holds for s in p2.steps)  # 3 does not divide 7: the size is ⌊7/3⌋
    p1 = get("p1").run({"stencil": "second", "kernel_size": "3"})
    assert p1.result[0].rhs == sp.Matrix([[0, 1, 0], [0, -2, 0], [0, 1, 0]])
    p3 = get("p3").run({"r": "0.2126", "g": "0.7152", "b": "0.0722"})
    assert p3.result[0].rhs == sp.Matrix([[sp.Rational(2126, 10000)]])


def test_json_output_is_to_dict():
    done = run("prove", "p3", "--json")
    data = json.loads(done.stdout)
    assert data[0]["name"] == "p3" and data[0]["status"] == "PROVED"
    assert {c["status"] for c in data[0]["checks"]} == {"VERIFIED", "SPOT_CHECKED"}


def test_list_shows_parameters():
    out = run("list").stdout
    assert "p2   average pooling is a conv" in out and "--set k=" in out
    assert "dv15 D&V relationship 15  [dv]" in out


@pytest.mark.parametrize("argv, message", [
    (["prove", "p99"], "error: proof must be one of dv01"),
    (["prove", "p2", "--set", "q=3"], "error: --set must name a parameter of p2 (C, k, m)"),
    (["prove", "p2", "--set", "k=0"], "error: k must be a positive integer, got 0"),
    (["prove", "p2", "--set", "k"], "error: --set must be PARAM=VALUE"),
    (["prove", "p1", "--set", "stencil=sideways"], "error: stencil must be one of forward"),
    (["prove", "p3", "--set", "r=1+1"], "error: r must be a number such as 0.299"),
    (["prove", "--set", "k=3"], "error: --set needs exactly one proof name"),
])
def test_prove_usage_errors(argv, message):
    done = run(*argv)
    assert done.returncode == 2 and done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr


def test_registry_finds_every_module():
    assert [p.name for p in groups()["homework"]] == ["p1", "p2", "p3", "p4", "p6"]
    assert [p.name for p in groups()["dv"]] == [f"dv{n:02d}" for n in range(1, 16)]


def test_derived_results_do_not_drift(snapshot):
    """The regression use of symproof: derived results stored and compared mathematically."""
    snapshot.assert_match(get("p2").run().result, "p2 weights")
    snapshot.assert_match(get("p1").run().result, "p1 kernels")
