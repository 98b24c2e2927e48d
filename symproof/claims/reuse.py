"""Exact fingerprints of what a claim's verdict depends on, so that a claim stated again in the
same circumstances (a long document repeats itself: the same chain in every exercise, the same
formula under the same layer) is judged once per run.

A fingerprint is a text that determines its value exactly: SymPy objects by ``srepr`` (which
spells every assumption: a positive ``k`` and a non-negative ``k`` differ), containers and
dataclasses field by field, symproof's own objects attribute by attribute. Anything else has no
fingerprint (None), and then nothing is reused: an unknown object is never guessed equal.

>>> import sympy as sp
>>> fingerprint((sp.Symbol("k", positive=True), {"F": 3})) == fingerprint(
...     (sp.Symbol("k", nonnegative=True), {"F": 3}))
False
>>> fingerprint(object()) is None
True
"""

from __future__ import annotations

import dataclasses

import sympy as sp

__all__ = ["fingerprint"]

_PLAIN = (type(None), bool, int, float, str, bytes)


def fingerprint(value) -> str | None:
    """A text equal for two values only if they are equal in every detail, or None."""
    parts: list[str] = []
    return "".join(parts) if _walk(value, parts, depth=0) else None


def _walk(value, parts: list[str], depth: int) -> bool:
    """Append ``value``'s fingerprint to ``parts``; False when it has none."""
    if depth > 50:  # deeper than anything a context holds: do not guess
        return False
    kind = type(value)
    parts.append(f"<{kind.__module__}.{kind.__qualname__}>")
    if isinstance(value, _PLAIN):
        parts.append(repr(value))
        return True
    if isinstance(value, sp.Basic):
        parts.append(sp.srepr(value))
        return True
    if isinstance(value, (tuple, list, frozenset, set)):
        items = value if isinstance(value, (tuple, list)) else sorted(
            value, key=lambda item: fingerprint(item) or "")
        return _each(items, parts, depth)
    if isinstance(value, dict):
        return _each(list(value.items()), parts, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
        return _each(fields, parts, depth)
    if kind.__module__.startswith("symproof.") and hasattr(value, "__dict__") and not (
            hasattr(value, "__slots__")):
        cached = getattr(value, "cached_attributes", frozenset())  # caches (numeric plans)
        return _each(sorted((k, v) for k, v in vars(value).items() if k not in cached), parts,
                     depth)
    return False


def _each(items, parts: list[str], depth: int) -> bool:
    parts.append("(")
    for item in items:
        if not _walk(item, parts, depth + 1):
            return False
        parts.append(",")
    parts.append(")")
    return True
