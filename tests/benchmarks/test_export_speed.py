"""The LaTeX export must cost little next to the derivations it writes down."""

from __future__ import annotations

from sympy.core.cache import clear_cache

from symproof.files import write_atomically
from symproof.latex.document import tex_document
from symproof.registry import select

from .conftest import best_time


def test_tex_export_adds_under_20_percent_to_prove(compare, tmp_path):
    """Measured in one process, so that the seconds of interpreter start-up and imports, which
    vary from run to run, do not drown the difference being measured."""
    problems = select([])

    def prove():
        clear_cache()  # each run derives from scratch, as `symproof prove` does
        return [problem.run() for problem in problems]

    proofs = prove()
    baseline = best_time(prove, repeat=3)

    def export():
        write_atomically(tmp_path / "s.tex", tex_document(proofs))

    ratio = compare(export, baseline, rounds=5)
    assert ratio <= 0.2, f"--latex adds {ratio:.0%} to symproof prove (target < 20%)"
