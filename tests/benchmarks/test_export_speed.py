"""The LaTeX export must cost little next to the derivations it writes down."""

from __future__ import annotations

import subprocess
import sys

from .conftest import best_time


def test_tex_export_adds_under_20_percent_to_prove(compare, tmp_path):
    base = [sys.executable, "-m", "symproof", "prove", "--brief"]
    baseline = best_time(lambda: subprocess.run(base, check=True, capture_output=True),
                         repeat=3)
    target = base + ["--latex", str(tmp_path / "s.tex")]
    ratio = compare(lambda: subprocess.run(target, check=True, capture_output=True), baseline,
                    rounds=3)
    assert ratio <= 1.2, f"--latex makes symproof prove {ratio:.2f}x slower (target < 1.2x)"
