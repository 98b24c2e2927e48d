"""Pictures must cost little next to the derivations: exporting every homework problem with
its figures (LaTeX with TikZ, Markdown with its SVG files) stays under the time of ``prove``
itself, so that ``prove`` plus the export stays under twice ``prove`` alone."""

from __future__ import annotations

from sympy.core.cache import clear_cache

from symproof.files import write_atomically
from symproof.latex.document import markdown_files, tex_document
from symproof.registry import select

from .conftest import best_time


def test_export_with_figures_stays_under_twice_prove(compare, tmp_path):
    """Measured in one process, baseline and target in the same run (see conftest)."""
    problems = select([])

    def prove():
        clear_cache()  # each run derives from scratch, as `symproof prove` does
        return [problem.run() for problem in problems]

    proofs = prove()
    assert all(p.figures for p in proofs)  # every homework problem has its picture
    baseline = best_time(prove, repeat=3)

    def export():
        write_atomically(tmp_path / "s.tex", tex_document(proofs))
        for path, content in markdown_files(proofs, tmp_path / "s.md").items():
            write_atomically(path, content)

    ratio = compare(export, baseline, rounds=5)
    assert 1 + ratio < 2, f"prove + export with figures takes {1 + ratio:.2f}× prove (target < 2×)"
