"""The LaTeX export must cost little next to the derivations it writes down."""

from __future__ import annotations

import subprocess
import sys

from .conftest import interleaved


def test_tex_export_adds_under_20_percent_to_prove(benchmark, tmp_path):
    base = [sys.executable, "-m", "symproof", "prove", "--brief"]
    target = base + ["--latex", str(tmp_path / "s.tex")]
    plain, exported = interleaved(base, target, runs=3)
    ratio = exported / plain
    benchmark.extra_info.update(prove_seconds=plain, ratio=ratio)
    benchmark.pedantic(lambda: subprocess.run(target, check=True, capture_output=True),
                       rounds=1)
    assert ratio <= 1.2, f"--latex makes symproof prove {ratio:.2f}x slower (target < 1.2x)"
