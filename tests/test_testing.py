"""symproof.testing: mathematical equality and snapshots, as a library author uses them."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from symproof import symbols
from symproof.errors import SnapshotError
from symproof.testing import Snapshot, assert_equivalent

m, k, q = symbols("m k q")


def test_assert_equivalent_is_mathematical():
    assert_equivalent(sp.floor((m - k) / k) + 1, sp.floor(m / k))
    assert_equivalent({"P": (k - 1) / 2}, {"P": k / 2 - sp.Rational(1, 2)})
    assert_equivalent(sp.Eq(q, (m + k) / k), sp.Eq(q, m / k + 1))
    assert_equivalent(sp.Matrix([[1, k * (k + 1)]]), sp.Matrix([[1, k**2 + k]]))


def test_assert_equivalent_shows_a_readable_difference():
    with pytest.raises(AssertionError) as caught:
        assert_equivalent(sp.floor((m - k) / k) + 1, m / k, assumptions=[sp.Le(k, m)])
    message = str(caught.value)
    assert "REFUTED" in message and "left:  floor((-k + m)/k) + 1" in message
    assert "counterexample k = 2, m = 3" in message
    with pytest.raises(AssertionError, match="keys differ"):
        assert_equivalent({"P": 1}, {"S": 1})


def test_snapshot_records_compares_and_refuses_silent_creation(tmp_path):
    path = tmp_path / "snap.json"
    with pytest.raises(AssertionError, match="--snapshot-update"):
        Snapshot(path).assert_match(m / k)
    Snapshot(path, update=True).assert_match(sp.floor((m - k) / k) + 1, "size")
    stored = json.loads(path.read_text())["size"]
    assert stored["latex"] and stored["srepr"].startswith("Add(")
    # Same mathematics, another printed form: passes.
    Snapshot(path).assert_match(sp.floor(m / k), "size")
    # Other mathematics: fails with the difference.
    with pytest.raises(AssertionError, match="not proved equal"):
        Snapshot(path).assert_match(sp.ceiling(m / k), "size")


def test_snapshot_never_evaluates_stored_text(tmp_path):
    path = tmp_path / "evil.json"
    path.write_text(json.dumps({"x": {"srepr": "__import__('os')", "latex": "",
                                      "tree": ["eval", ["1"]]}}))
    with pytest.raises(SnapshotError) as caught:
        Snapshot(path).assert_match(sp.Integer(1), "x")
    # The file, the snapshot, the place in the tree and the rule broken.
    assert str(caught.value).startswith(f"{path}: snapshot 'x': tree: 'eval' is not a kind of "
                                        "node snapshots may rebuild")


def test_snapshot_of_a_solve_for_result(tmp_path):
    """User story 4: a derivation snapshot passes on a printed-form change, fails otherwise."""
    from symproof import solve_for

    f = symbols("F")
    path = tmp_path / "same_padding.json"
    Snapshot(path, update=True).assert_match(solve_for("padding", input=m, output=m,
                                                       kernel_size=f))
    Snapshot(path).assert_match(solve_for("padding", input=m, output=m, kernel_size=f))
    with pytest.raises(AssertionError):
        Snapshot(path).assert_match(solve_for("padding", input=m, output=m + 2, kernel_size=f))
