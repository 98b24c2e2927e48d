"""Speed targets of the hardening issue (#10): reasonable sizes stay fast, and what the limits
refuse is refused at once. Ratios against baselines measured in the same run."""

from __future__ import annotations

import sys

from sympy.core.cache import clear_cache

from symproof.claims.parse import _parse_claim, parse_latex
from symproof.errors import TooLargeError
from symproof.registry import get

from .conftest import best_time, interleaved


def test_p2_on_a_300_pixel_image_costs_little_more_than_the_symbolic_proof(compare):
    """``prove p2 --set k=2 --set m=300`` took 27 s (an exact check of 45,000 cases, one
    SymPy substitution each); the vectorised exact check makes it a few times the symbolic
    proof (target: whole command under 3 s)."""
    problem = get("p2")
    problem.run()
    symbolic = best_time(lambda: (clear_cache(), problem.run()), repeat=3)
    ratio = compare(lambda: (clear_cache(), problem.run({"k": "2", "m": "300"})), symbolic,
                    rounds=3)
    assert ratio <= 5, f"p2 with m = 300 takes {ratio:.1f}x the symbolic proof (target <= 5x)"


def test_the_p2_command_on_300_pixels_is_under_3_seconds(benchmark):
    argv = [sys.executable, "-m", "symproof", "prove", "p2", "--set", "k=2", "--set", "m=300",
            "--brief"]
    sympy_s, prove_s = interleaved([sys.executable, "-c", "import sympy"], argv, runs=3)
    benchmark.extra_info.update(sympy_seconds=sympy_s, prove_seconds=prove_s,
                                ratio=prove_s / sympy_s)
    benchmark.pedantic(lambda: None, rounds=1)
    # 3 s is about 8x import sympy on these machines: the ratio keeps the target honest on a
    # slower or loaded machine, the absolute bound is the issue's own.
    assert prove_s / sympy_s <= 8 and prove_s < 3 * max(1.0, sympy_s / 0.4), (
        f"{prove_s:.2f} s, {prove_s / sympy_s:.1f}x import sympy")


def test_explosive_claims_are_refused_faster_than_a_small_one_is_read(compare):
    """Refusals happen before work: a power tower is refused in less time than it takes to
    read a one-line claim (it used to grow past 589 MB)."""
    small = r"\frac{m - k}{k} + 1 = \frac{m}{k}"
    parse_latex(small)  # both are parsed once first: their grammar work is cached alike
    # read afresh every time: parse_latex remembers a claim it has read (a refusal it never
    # remembers), and the baseline is the reading
    baseline = best_time(lambda: _parse_claim.__wrapped__(small, (), None), repeat=5)

    def refuse():
        try:
            parse_latex(r"2^{2^{2^{2^{10}}}} = 3")
        except TooLargeError:
            return
        raise AssertionError("not refused")

    ratio = compare(refuse, baseline, rounds=5)
    assert ratio <= 2, f"the refusal took {ratio:.1f}x reading a small claim"
