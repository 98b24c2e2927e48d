"""What a tactic may assume: relations between symbols, and which functions are nondecreasing.

``Context.implies`` is a small, sound reasoner: it writes every relation as ``e ≥ 0`` and
accepts ``e ≥ 0`` when SymPy's own assumptions prove ``e`` nonnegative, or ``e − g`` for some
assumed ``g ≥ 0`` (so ``l ≤ C`` gives ``C − l ≥ 0`` and hence ``C + 1 − l ≥ 0``), or when it is
``σ(a) ≥ σ(b)`` for a nondecreasing σ and ``a ≥ b`` is implied (likewise ``a^n ≥ b^n`` for odd
``n``, and for even ``n`` when also ``b ≥ 0``). Relations with ``⌊·⌋`` or
``⌈·⌉`` of ``n/d`` are also split by the residue of ``n`` modulo ``d`` (``n = d·t + r``), which
removes the brackets exactly. Anything else is "not known", never "false": the reasoner can only
fail to use an assumption, not invent one.

>>> from symproof.params import symbols
>>> l, C = symbols("l C")
>>> ctx = Context([sp.Le(l, C)])
>>> ctx.implies(sp.Ge(C, l)), ctx.implies(sp.Le(l, C + 1)), ctx.implies(sp.Le(l, 3))
(True, True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import product

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits

from ..errors import ParameterError, SymproofError
from ..notation import index_symbol
from ..shapes import effective_kernel, simplify_size

__all__ = ["Context", "layer_context", "broken_range", "as_conditions", "as_names",
           "respects_assumptions", "is_condition"]


class Context:
    """Assumed relations (SymPy relationals; prose strings are kept for display only) and the
    names of functions known to be nondecreasing."""

    def __init__(self, assumptions: Iterable = (), nondecreasing: Iterable[str] = (),
                 split_residues: bool = True, zero_outside: dict | None = None,
                 outside_value: sp.Expr = sp.S.Zero, extents: dict | None = None):
        self.assumptions = as_conditions("assumptions", assumptions)
        # a conjunction assumed is each of its parts assumed
        self.relations = [part for a in self.assumptions if isinstance(a, sp.Basic)
                          for part in (a.args if isinstance(a, sp.And) else (a,))]
        self.nondecreasing = frozenset(as_names("nondecreasing", nondecreasing))
        self.split_residues = split_residues
        # Arrays that are known outside their index range (the padding rule): base → the upper
        # bound of each index (None: unbounded); every index starts at 1. There an entry is
        # ``outside_value``: 0 for zero padding, −∞ for max pooling.
        self.zero_outside = dict(zero_outside or {})
        self.outside_value = outside_value
        # Arrays whose entries exist only inside their index range (a layer's weights: w has
        # shape (C_out, C_in/G, f1, f2)): base → the upper bound of each index. Values given to
        # an entry that does not exist are no counterexample.
        self.extents = dict(extents or {})
        self._known = [e for r in self.relations for e in _nonnegative_forms(r)]
        self._implied: dict = {}
        self._outside: dict = {}
        self._names: frozenset | None = None
        # what every answer of implies() depends on (see there)
        self._decides = (tuple(self.relations), self.nondecreasing, self.split_residues)
        self._canonical = {r.canonical for r in self.relations
                           if isinstance(r, sp.core.relational.Relational)}

    def extended(self, *relations: sp.Basic) -> Context:
        """This context with more assumptions (e.g. one branch of a case split)."""
        return Context([*self.assumptions, *relations], self.nondecreasing, self.split_residues,
                       self.zero_outside, self.outside_value, self.extents)

    def placed(self, at: dict) -> Context:
        """This context with indices given values (``i = 5``): its relations then speak of
        those values, and those that become true are dropped."""
        placed = [a.xreplace(at) if isinstance(a, sp.Basic) else a for a in self.assumptions]
        return Context([a for a in placed if a not in (True, sp.true)], self.nondecreasing,
                       self.split_residues, self.zero_outside, self.outside_value,
                       self.extents)

    def exists(self, entry: sp.Indexed, values: dict | None = None) -> bool:
        """False when a concrete entry cannot exist: it has another number of indices than its
        array, or an index lies outside the array's ``extents`` (with the sizes at
        ``values``); True otherwise (an entry of an array without a known shape may exist)."""
        bounds = self.extents.get(entry.base)
        padded = self.zero_outside.get(entry.base)
        for shape in (bounds, padded):
            if shape is not None and len(shape) != len(entry.indices):
                return False
        if bounds is None:
            return True
        for index, upper in zip(entry.indices, bounds):
            if values:
                index = index.xreplace(values)
                upper = upper.xreplace(values) if isinstance(upper, sp.Basic) else upper
            if sp.Lt(index, 1) == sp.true or (upper is not None
                                              and sp.Gt(index, upper) == sp.true):
                return False
        return True

    def outside(self, entry: sp.Indexed, values: dict | None = None) -> bool:
        """Whether a concrete entry lies outside its array (sizes at ``values``), where it
        reads as 0. Answers without ``values`` are remembered (normalize asks about the same
        entries in every round)."""
        if values:
            return self._beyond(entry, values)
        if entry not in self._outside:
            self._outside[entry] = self._beyond(entry, None)
        return self._outside[entry]

    def _beyond(self, entry: sp.Indexed, values: dict | None) -> bool:
        bounds = self.zero_outside.get(entry.base)
        if bounds is None or len(bounds) != len(entry.indices):  # not an entry of that array
            return False
        for index, upper in zip(entry.indices, bounds):
            if values:
                index = index.xreplace(values)
                upper = upper.xreplace(values) if upper is not None else None
            # decided by SymPy's assumptions (H + 1 > H for any H) or by the context's
            # relations (i ≥ H gives i + 1 > H), never guessed
            for beyond in (sp.Lt(index, 1), None if upper is None else sp.Gt(index, upper)):
                if beyond is None or beyond == sp.false:
                    continue
                if beyond == sp.true or (not values and not index.is_number
                                         and self.implies(beyond)):
                    return True
        return False

    def implies(self, relation) -> bool:
        """True when the relation follows (see the module docstring); False means unknown.
        Answers are remembered: a context is immutable once built, and the answer depends
        only on its relations, its nondecreasing names and whether it splits residues, so
        contexts built alike (each claim's search builds its own) share what was decided."""
        try:
            return self._implied[relation]
        except KeyError:
            pass
        except TypeError:  # an unhashable argument: decide it, nothing to remember
            return self._implies(relation)
        key = (self._decides, relation)
        answer = _DECIDED.get(key)
        if answer is None:
            answer = self._implies(relation)
            if len(_DECIDED) >= _DECIDED_KEPT:
                _DECIDED.clear()
            _DECIDED[key] = answer
        self._implied[relation] = answer
        return answer

    def _implies(self, relation) -> bool:
        if relation is True or relation == sp.true:
            return True
        if isinstance(relation, sp.And):
            return all(self.implies(part) for part in relation.args)
        if isinstance(relation, sp.Or):
            return any(self.implies(part) for part in relation.args)
        if not isinstance(relation, sp.core.relational.Relational):
            return False
        if relation in self.relations or relation.canonical in self._canonical:
            return True
        if isinstance(relation, (sp.Gt, sp.Lt)) and not (relation.lhs - relation.rhs).is_integer:
            return self._strictly(relation)
        monotone = self._monotone(relation)
        if monotone is not None:
            return monotone
        forms = _nonnegative_forms(relation)
        if bool(forms) and all(self._nonnegative(e) for e in forms):
            return True
        return self.split_residues and self._by_residues(relation)

    def _strictly(self, relation) -> bool:
        """``a > b`` between reals: ``a − b`` positive by SymPy's assumptions, or at least an
        assumed strictly positive ``g`` (``a − b − g ≥ 0``). A non-strict fact never gives a
        strict one (``a ≥ 0`` does not give ``a > 0``)."""
        big, small = (relation.lhs, relation.rhs) if isinstance(relation, sp.Gt) else (
            relation.rhs, relation.lhs)
        gap = sp.expand(big - small)
        if gap.is_positive:
            return True
        strict = [r.lhs - r.rhs if isinstance(r, sp.Gt) else r.rhs - r.lhs
                  for r in self.relations if isinstance(r, (sp.Gt, sp.Lt))]
        return any(self._nonnegative(gap - g) for g in strict)

    def _by_residues(self, relation) -> bool:
        """Case split ``n = d·t + r`` (r = 0 … d−1) for each integer symbol ``n`` inside
        floors/ceilings, d the denominator of its coefficient there; every case must hold."""


        brackets = [e for r in (relation, *self.relations)
                    for e in r.atoms(sp.floor, sp.ceiling)]
        moduli = {}
        for bracket in brackets:
            argument = sp.expand(bracket.args[0])
            for n in argument.free_symbols:
                coefficient = argument.coeff(n)
                if n.is_integer and coefficient.is_Rational and coefficient.q > 1:
                    moduli[n] = sp.ilcm(moduli.get(n, 1), coefficient.q)
        cases = 1
        for d in moduli.values():
            cases *= d
        if not moduli or cases > 36:
            return False
        names = sorted(moduli, key=str)
        for residues in product(*(range(moduli[n]) for n in names)):
            written = {}
            for n, r in zip(names, residues):
                # n = d·t + r with 0 ≤ r < d: t ≥ 0 only when n ≥ 0 (n = −1 is 2·(−1) + 1)
                t = sp.Symbol(f"t_{n}", integer=True,
                              nonnegative=True if n.is_nonnegative else None,
                              positive=(r == 0 and bool(n.is_positive)) or None)
                written[n] = moduli[n] * t + r
            case = Context([simplify_size(a.xreplace(written)) for a in self.relations],
                           self.nondecreasing, split_residues=False)
            if not case.implies(simplify_size(relation.xreplace(written))):
                return False
        return True

    def _nonnegative(self, e: sp.Expr) -> bool:
        """``e ≥ 0`` from SymPy's assumptions and the assumed ``g ≥ 0``
        (:func:`_nonnegative_given`)."""
        try:
            return _nonnegative_given(e, tuple(self._known))
        except TypeError:  # unhashable: decide it without the cache
            return _nonnegative_given.__wrapped__(e, tuple(self._known))

    def _monotone(self, relation) -> bool | None:
        """σ(a) ≥ σ(b) from a ≥ b when σ is nondecreasing (None: rule does not apply)."""
        if not isinstance(relation, (sp.Ge, sp.Le)):
            return None
        big, small = (relation.lhs, relation.rhs) if isinstance(relation, sp.Ge) else (
            relation.rhs, relation.lhs)
        if (isinstance(big, sp.core.function.AppliedUndef) and big.func == small.func
                and big.func.__name__ in self.nondecreasing and len(big.args) == 1):
            return self.implies(sp.Ge(big.args[0], small.args[0], evaluate=False))
        # x ↦ x^n is increasing on the reals for odd n, and on x ≥ 0 for even n
        if (isinstance(big, sp.Pow) and isinstance(small, sp.Pow) and big.exp == small.exp
                and big.exp.is_Integer and big.exp > 0 and big.base.is_real
                and small.base.is_real):
            bases = sp.Ge(big.base, small.base, evaluate=False)
            if big.exp % 2 == 1:
                return self.implies(bases)
            return self.implies(bases) and self.implies(sp.Ge(small.base, 0, evaluate=False))
        return None

    def decide(self, condition) -> bool | None:
        """True/False when the context settles ``condition``, else None."""
        if condition in (True, sp.true):
            return True
        if condition in (False, sp.false):
            return False
        if self.implies(condition):
            return True
        # Negation normal form: ¬(a ∧ b) becomes ¬a ∨ ¬b, and ¬(x ≥ y) becomes x < y.
        negated = sp.logic.boolalg.to_nnf(sp.Not(condition), simplify=False)
        if self.implies(negated):
            return False
        return None

    def resolve(self, expr: sp.Basic) -> sp.Basic:
        """Settle ``Piecewise`` branches, ``Max`` and ``Min`` that the context decides; inside
        a sum, its index is known to lie in the summation range."""
        if not isinstance(expr, sp.Basic) or not expr.args:
            return expr
        if isinstance(expr, ExprWithLimits):
            renamed, inner, back = self.inside(expr)
            if isinstance(renamed, sp.Sum):
                done = sp.Sum(inner.resolve(renamed.function), *renamed.limits)
            else:
                done = self._resolved_args(renamed)
            return done.xreplace(back) if back else done
        return self._resolved_args(expr)

    def _resolved_args(self, expr: sp.Basic) -> sp.Basic:
        if not expr.has(sp.Piecewise, sp.Max, sp.Min):
            return expr
        return self._settle(expr.func(*(self.resolve(a) for a in expr.args)))

    def inside(self, total: ExprWithLimits) -> tuple[ExprWithLimits, Context, dict]:
        """What holds inside a sum (or another expression that binds indices): ``total`` with
        every index it binds that this context also speaks of renamed to a fresh dummy (the
        context's ``i ≤ 2`` is about a free ``i``, never about a bound one), the context inside
        it (a sum's index lies in low…high, when the range runs forward: a backward range, by
        Karr's convention, evaluates terms outside it), and the map that renames back."""
        limits, function, back = list(total.limits), total.function, {}
        spoken = self._spoken_of()
        for n, (variable, _, _) in enumerate(total.limits):
            if variable not in spoken:
                continue
            fresh = sp.Dummy(variable.name, **variable.assumptions0)
            back[fresh] = variable
            function = function.xreplace({variable: fresh})
            # only the limits inside this one (listed before it) see its index in their bounds
            limits = [(fresh if m == n else v, lo.xreplace({variable: fresh}) if m < n else lo,
                       hi.xreplace({variable: fresh}) if m < n else hi)
                      for m, (v, lo, hi) in enumerate(limits)]
        renamed = total.func(function, *limits) if back else total
        if not isinstance(renamed, sp.Sum):
            return renamed, self, back
        inner = self.extended(*(rel for v, low, high in renamed.limits
                                if self.implies(sp.Ge(high, low - 1))
                                for rel in (sp.Le(low, v), sp.Le(v, high))))
        return renamed, inner, back

    def _spoken_of(self) -> frozenset:
        """Every name the context's relations and array bounds mention."""
        if self._names is None:
            names = set()
            for relation in self.relations:
                names |= relation.free_symbols
            for bounds in (*self.zero_outside.values(), *self.extents.values()):
                for bound in bounds or ():
                    names |= getattr(bound, "free_symbols", set())
            self._names = frozenset(names)
        return self._names

    def _settle(self, expr: sp.Basic) -> sp.Basic:
        """The node-level part of :meth:`resolve`."""
        def piecewise(e):
            kept = []
            for value, condition in e.args:
                verdict = self.decide(condition)
                if verdict is True:
                    if not kept:
                        return value
                    kept.append((value, True))
                    break
                if verdict is None:
                    kept.append((value, condition))
            return sp.Piecewise(*kept) if kept else sp.nan

        def extremum(e):
            bigger = sp.Ge if isinstance(e, sp.Max) else sp.Le
            for candidate in e.args:
                if all(other == candidate or self.implies(bigger(candidate, other, evaluate=False))
                       for other in e.args):
                    return candidate
            return e

        if isinstance(expr, sp.Piecewise):
            return piecewise(expr)
        if isinstance(expr, (sp.Max, sp.Min)):
            return extremum(expr)
        return expr

    def satisfied_by(self, values: dict) -> bool:
        """Whether concrete values are admissible: each respects its symbol's own assumptions
        (``positive``, ``integer``, …) and every relational assumption holds. A relation on
        symbols the values do not set must hold for some values of those too (searched among
        small numbers that respect their assumptions); when none is found the values are not
        admissible, so a counterexample never rests on an assumption left unchecked."""
        for symbol, value in values.items():
            if isinstance(symbol, sp.Symbol) and not respects_assumptions(symbol, value):
                return False
        pending = []
        # each relation once, and the first that fails decides (most draws fail one)
        for relation in dict.fromkeys(self.relations):
            try:
                value = relation.xreplace(values)
            except (TypeError, ValueError, ArithmeticError):
                return False  # undefined there (k mod 0): not admissible
            if value in (False, sp.false):
                return False
            if value not in (True, sp.true):
                pending.append(value)
        if not pending:
            return True
        # relations that share no unset symbol are satisfied independently
        groups: list[tuple[set, list]] = []
        for relation in pending:
            names = {s for s in relation.free_symbols if isinstance(s, sp.Symbol)}
            joined = [g for g in groups if g[0] & names]
            for g in joined:
                groups.remove(g)
                names |= g[0]
            groups.append((names, [relation, *(r for g in joined for r in g[1])]))
        return all(_satisfiable(sorted(names, key=str), relations)
                   for names, relations in groups)


def _satisfiable(extra: list, relations: list) -> bool:
    """Whether small values of ``extra`` (respecting their assumptions) satisfy every
    relation; False when none is found, or the search would be too large."""

    if not extra or len(extra) > 6:
        return False  # undecidable as stated, or too much to search: not admissible
    for count, point in enumerate(product(*(_candidates(s) for s in extra))):
        if count > 6000:
            return False
        at = dict(zip(extra, point))
        try:
            if all(r.xreplace(at) in (True, sp.true) for r in relations):
                return True
        except (TypeError, ValueError, ArithmeticError):
            continue
    return False


def broken_range(ctx: Context, at: dict):
    """The first relation of ``ctx`` that the index values ``at`` break (false there, or
    decided false with every relation also stated at those values), or None: ``Y[1, 6, 6]``
    of an output with ``i ≤ 5`` does not exist."""
    placed = ctx.extended(*(r.xreplace(at) for r in ctx.relations))
    for relation in ctx.relations:
        value = relation.xreplace(at)
        if value in (False, sp.false) or placed.decide(value) is False:
            return relation
    return None


def as_conditions(name: str, given, *, prose: bool = True, convert=None) -> list:
    """``given`` as a list of conditions (relations and their logical combinations), and,
    with ``prose``, strings shown but never used; ``convert`` is applied to each condition
    first. The one check of every place that takes assumptions."""
    if not isinstance(given, (list, tuple, set, frozenset)):
        raise ParameterError(name, given, "must be a list of SymPy relations such as [k <= m]")
    out = [a if isinstance(a, str) or convert is None else convert(a) for a in given]
    for a in out:
        if not ((prose and isinstance(a, str)) or is_condition(a)):
            raise ParameterError(name, a, "must hold SymPy relations such as k <= m"
                                 + (" (or prose, shown but not used)" if prose else ""))
    return out


def as_names(name: str, given) -> list[str]:
    """``given`` as a list of function names (``['sigma']``)."""
    if not isinstance(given, (list, tuple, set, frozenset)) or not all(
            isinstance(n, str) for n in given):
        raise ParameterError(name, given, "must be a list of function names such as ['sigma']")
    return list(given)


def is_condition(value) -> bool:
    """A relation or a logical combination of relations (not a bare symbol, which SymPy
    also counts as a boolean)."""
    return isinstance(value, (sp.core.relational.Relational, sp.logic.boolalg.BooleanFunction,
                              sp.logic.boolalg.BooleanAtom))


def respects_assumptions(symbol: sp.Symbol, value) -> bool:
    """Whether a number may stand for ``symbol``: every fact SymPy holds about the symbol
    (integer, positive, nonnegative, real…) holds of the value.

    >>> respects_assumptions(sp.Symbol("x", positive=True), sp.Rational(-7, 3))
    False
    """
    if not isinstance(value, sp.Basic) or not value.is_number:
        return True  # an array entry or a description, not a value of this symbol
    for fact, truth in symbol.assumptions0.items():
        if fact == "commutative":
            continue
        if getattr(value, f"is_{fact}", None) is not truth:
            return False
    return True


def _candidates(symbol: sp.Symbol) -> list:
    """Small values, in order, that respect the symbol's assumptions."""
    numbers = [sp.Integer(v) for v in (0, 1, 2, 3, -1, -2, -3, 4, 5, 6, -4, -5, -6, 8, 12)]
    if not symbol.is_integer:
        numbers += [sp.Rational(1, 2), sp.Rational(-1, 2), sp.Rational(3, 2)]
    return [v for v in numbers if respects_assumptions(symbol, v)]


def layer_context(layer, *sizes, assuming=(), channels=None) -> Context:
    """What a layer's semantics lets every claim about it assume, with ``assuming`` first:
    output indices stay in the output (``l ≤ C_out``, ``i ≤ out_features`` for a dense layer,
    ``i ≤ H_out`` and ``j ≤ W_out`` when the input size is known), the window fits the padded
    input, X is known outside its index range for a windowed layer (0, zero padding, or −∞
    for max pooling: DESIGN.md), and the weights exist only within their shape. ``sizes``
    are the input's spatial sizes, one per axis of the window (``H, W``; ``L`` in 1-D), each
    possibly None (unknown); ``channels`` is the channel count of a layer that has no
    ``in_channels`` of its own (pooling). Read off the layer's attributes, so the kernel needs
    no layer code (:meth:`Context.placed` gives output indices values).

    >>> from symproof import Conv2d, symbols
    >>> layer_context(Conv2d(1, 2, 3, padding=1), *symbols("H W")).relations
    [l <= 2, i <= H, j <= W]
    """

    relations = []
    window = getattr(layer, "window", None)
    axes = len(window.kernel_size) if window is not None else 0
    sizes = (tuple(sizes) + (None,) * axes)[:axes]
    transposed = hasattr(layer, "output_padding")  # any input size is valid for it
    for axis, size in enumerate(sizes):  # the window fits the input, along every axis
        if size is not None and not transposed:
            relations.append(sp.Le(effective_kernel(window.kernel_size[axis],
                                                    window.dilation[axis]),
                                   size + 2 * window.padding[axis]))
    if transposed:
        # output_padding < max(stride, dilation), and an output of at least one row, as
        # PyTorch requires: a counterexample with S = 1, output_padding = 1 is no layer
        for axis in range(axes):
            stride, dilation = window.stride[axis], window.dilation[axis]
            bound = stride if dilation == 1 else dilation if stride == 1 else sp.Max(
                stride, dilation)
            fits = sp.Lt(layer.output_padding[axis], bound)
            if not isinstance(fits, sp.logic.boolalg.BooleanAtom):
                relations.append(fits)
    if window is not None and hasattr(layer, "ceil_mode"):
        # pooling pads at most half its kernel (2P ≤ f, as PyTorch requires): a counterexample
        # with k = 2, p = 2 is no pooling layer at all
        for axis in range(axes):
            fits = sp.Le(2 * window.padding[axis], window.kernel_size[axis])
            if not isinstance(fits, sp.logic.boolalg.BooleanAtom):
                relations.append(fits)
    if getattr(layer, "out_channels", None) is not None:
        relations.append(sp.Le(index_symbol("l"), layer.out_channels))
    elif channels is not None and window is not None:  # pooling keeps the channels
        relations.append(sp.Le(index_symbol("l"), channels))
    if getattr(layer, "out_features", None) is not None and window is None:
        relations.append(sp.Le(index_symbol("i"), layer.out_features))
    if getattr(layer, "widths", None):  # an MLP's output y_L has n_L entries
        relations.append(sp.Le(index_symbol("i"), layer.widths[-1]))
    if axes and all(size is not None for size in sizes):
        try:  # output positions stay in the output: i ≤ H_out, j ≤ W_out
            out = layer.output_shape(getattr(layer, "in_channels", 1), *sizes)[1:]
        except SymproofError:
            out = (None,) * axes
        for index, size in zip(("i", "j"), out):
            if size is not None:
                relations.append(sp.Le(index_symbol(index), size))
    outside = {}
    if window is not None:
        channels = getattr(layer, "in_channels", channels)
        outside = {sp.IndexedBase("X"): tuple(sp.Integer(v) if isinstance(v, int) else v
                                              for v in (channels, *sizes))}
    # a layer's weights and bias exist only within their shapes (w_{l,γ,α,β} with γ ≤ C_in/G)
    extents = {sp.IndexedBase(name): shape
               for name, shape in getattr(layer, "parameter_shapes", {}).items()}
    return Context([*assuming, *(r for r in relations if r not in (True, sp.true))],
                   zero_outside=outside, outside_value=getattr(layer, "fill", sp.S.Zero),
                   extents=extents)


def _nonnegative_forms(relation) -> list[sp.Expr]:
    """``relation`` as expressions that must all be ≥ 0 (integer strictness made explicit)."""
    if isinstance(relation, sp.And):
        return [e for part in relation.args for e in _nonnegative_forms(part)]
    if not isinstance(relation, sp.core.relational.Relational):
        return []
    lhs, rhs = relation.lhs, relation.rhs
    integral = bool((lhs - rhs).is_integer)
    if isinstance(relation, sp.Ge):
        return [lhs - rhs]
    if isinstance(relation, sp.Le):
        return [rhs - lhs]
    # Strict relations: a > b means a − b − 1 ≥ 0 between integers; between reals only the
    # weaker a − b ≥ 0 is kept (sound, if less informative).
    if isinstance(relation, sp.Gt):
        return [lhs - rhs - 1] if integral else [lhs - rhs]
    if isinstance(relation, sp.Lt):
        return [rhs - lhs - 1] if integral else [rhs - lhs]
    if isinstance(relation, sp.Eq):
        return [lhs - rhs, rhs - lhs]
    return []


#: Answers of Context.implies, by what decides them; cleared when this many are kept.
_DECIDED: dict = {}
_DECIDED_KEPT = 20_000


@lru_cache(maxsize=4096)
def _nonnegative_given(e: sp.Expr, known: tuple) -> bool:
    """``e ≥ 0`` from SymPy's assumptions, or ``e − c·g`` nonnegative for an assumed ``g ≥ 0``
    and a small multiple ``c`` (or ``e − g − h`` for two assumptions): sound, since
    ``c·g + h ≥ 0``. A function of ``e`` and ``known`` alone (symbols carry their assumptions),
    remembered across contexts: each claim's search builds its own context with the same
    assumptions, and SymPy's sign queries cost milliseconds."""
    if _is_nonnegative(e):
        return True
    if any(_is_nonnegative(e - c * g) for g in known for c in (1, 2, 3, 4)):
        return True
    return any(_is_nonnegative(e - g - h) for n, g in enumerate(known) for h in known[n + 1:])


def _is_nonnegative(e: sp.Expr) -> bool:
    """``e ≥ 0`` for every value its atoms may take by their own assumptions. A linear form
    with rational coefficients in symbols and array entries is decided exactly, by its
    infimum over the box their assumptions allow (atoms are independent for SymPy too, so
    this proves everything SymPy's sign rules could, without their cost); anything else is
    asked of SymPy."""
    e = sp.expand(e)
    infimum = _linear_infimum(e)
    if infimum is None:
        return bool(e.is_nonnegative)
    return bool(infimum >= 0)


def _linear_infimum(e: sp.Expr):
    """The infimum of the linear form ``e`` over its atoms' allowed values (−∞ when some atom
    is unbounded in the direction that lowers ``e``); None when ``e`` is not such a form."""
    total = sp.S.Zero
    for term in sp.Add.make_args(e):
        coefficient, atom = term.as_coeff_Mul()
        if not coefficient.is_Rational:
            return None
        if atom == 1:
            total += coefficient
            continue
        if not isinstance(atom, (sp.Symbol, sp.Indexed)):
            return None
        bound = _lowest(atom) if coefficient > 0 else _highest(atom)
        if bound is None:
            return sp.S.NegativeInfinity
        total += coefficient * bound
    return total


def _lowest(atom) -> int | None:
    """The least value (or infimum) an atom's assumptions allow, if they bound it below."""
    if atom.is_positive:
        return 1 if atom.is_integer else 0
    return 0 if atom.is_nonnegative else None


def _highest(atom) -> int | None:
    """The greatest value (or supremum) an atom's assumptions allow, if they bound it above."""
    if atom.is_negative:
        return -1 if atom.is_integer else 0
    return 0 if atom.is_nonpositive else None
