"""The backward formulas of ``Conv2d`` written out on a concrete layer and input size: every
entry of a gradient as an exact expression in the entries of ``G``, ``X`` and ``w``
(:func:`instantiated`), its sums expanded, deltas evaluated and ``X`` 0 outside its range. The
exact verification (:mod:`.exact`) and the compiled formulas (:mod:`.numeric`) read these.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import sympy as sp

from ... import notation as nt
from ...limits import check
from ...params import concrete_int
from .formulas import formula
from .spec import checked, entry, named

__all__ = ["instantiated", "inside"]


def instantiated(layer, name: str, H: int, W: int) -> dict[tuple, sp.Expr]:
    """The named formula at every entry of a concrete layer on an ``H × W`` input, written out
    exactly (its sums expanded, deltas evaluated, X 0 outside its range): entry → expression
    in the entries of ``G``, ``X`` and ``w``."""
    layer, name = checked(layer), named(name)
    return dict(_instantiated(layer, name, int(H), int(W)))


@lru_cache(maxsize=16)  # the exact and the numeric checks of a problem write out the same
def _instantiated(layer, name: str, H: int, W: int) -> tuple:
    free = entry(name).indices  # the entry's indices: the formula's free ones
    general = formula(layer, name, sp.Integer(H), sp.Integer(W))
    write = _writer(general, free)
    out = {}
    for index in _entries(layer, name, H, W):
        value = write(index)
        out[index] = value.xreplace({e: 0 for e in value.atoms(sp.Indexed)
                                     if e.base == nt.X and not inside(e, layer, H, W)})
    return tuple(out.items())


def _entries(layer, name: str, H: int, W: int) -> list[tuple[int, ...]]:
    """Every index tuple of the named gradient on a concrete ``H × W`` input."""
    c_in, c_out = (concrete_int(n, v) for n, v in (("in_channels", layer.in_channels),
                                                   ("out_channels", layer.out_channels)))
    f1, f2 = layer.window.concrete()[0]
    shape = {"b": (c_out,), "w": (c_out, c_in, f1, f2), "X": (c_in, H, W)}[name]
    check("expanded_terms", f"the entries of the {name} gradient", math.prod(shape))
    return [tuple(v + 1 for v in index)
            for index in itertools.product(*(range(n) for n in shape))]


def _writer(total: sp.Sum, free: tuple):
    """A function of the free indices' values writing ``total`` out exactly: its Kronecker
    deltas (functions of the indices only) are computed as integers first, and only the
    terms where they are 1 are built (SymPy's term-by-term expansion builds every one)."""
    names = [v for v, _, _ in total.limits]
    deltas = sp.Mul(*(f for f in sp.Mul.make_args(total.function)
                      if isinstance(f, sp.KroneckerDelta)))
    rest = total.function / deltas
    # each delta as the difference of its arguments: a term survives when all are 0
    gaps = [d.args[0] - d.args[1] for d in sp.Mul.make_args(deltas)
            if isinstance(d, sp.KroneckerDelta)]
    compiled = sp.lambdify([*free, *names], gaps, modules="math")

    def test(*values) -> bool:
        return not any(compiled(*values))

    ranges = [range(int(low), int(high) + 1) for _, low, high in total.limits]
    check("expanded_terms", "a gradient formula written out", math.prod(map(len, ranges)))

    def write(index: tuple) -> sp.Expr:
        terms = []
        for point in itertools.product(*ranges):
            if deltas == 1 or test(*index, *point):
                at = dict(zip(free, map(sp.Integer, index)))
                at.update(zip(names, map(sp.Integer, point)))
                terms.append(rest.xreplace(at))
        return sp.Add(*terms)

    return write


def inside(entry: sp.Indexed, layer, H: int, W: int) -> bool:
    """Whether a concrete ``X`` entry lies in the input's index range."""
    bounds = (concrete_int("in_channels", layer.in_channels), H, W)
    return all(1 <= int(v) <= n for v, n in zip(entry.indices, bounds))
