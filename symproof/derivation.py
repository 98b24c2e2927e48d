"""``Derivation``: a calculation chain, each link decided by the kernel.

Start from an expression, an equation or a layer (its element formula, GIVEN), then add links:
``equals(expr)`` claims the current expression equals ``expr``; ``substitute(w=…, b=0)``,
``expand_sums()``, ``collapse()``, ``simplify()`` and ``differentiate(v)`` compute the next
expression with the kernel's own rewriting. Every link, computed or claimed, is then *decided*
by the kernel (:func:`symproof.kernel.prove` or a named rule) on the claim
``previous = next``; a link it cannot justify is kept with its honest status (UNKNOWN or
REFUTED, with the counterexample), never accepted silently. ``proof()`` returns a
:class:`~symproof.proof.Proof` that prints, exports to LaTeX/Markdown and renders in Jupyter
like the worked problems.

>>> import sympy as sp
>>> from symproof import Conv2d, Derivation
>>> from symproof.notation import X, w, i, j
>>> gray = Derivation(Conv2d(3, 1, 1, bias=False), at=(1, i, j))
>>> gray = gray.substitute(sp.Eq(w[1, 1, 1, 1], 0.299), sp.Eq(w[1, 2, 1, 1], 0.587),
...                        sp.Eq(w[1, 3, 1, 1], 0.114))
>>> gray.current
299*X[1, i, j]/1000 + 587*X[2, i, j]/1000 + 57*X[3, i, j]/500
>>> gray.status.name
'PROVED'
>>> copy = Derivation(Conv2d(2, 2, 1, bias=False)).substitute(
...     w=lambda l, g, a, b: sp.KroneckerDelta(l, g))
>>> copy.collapse().current
X[l, i, j]
>>> x = sp.Symbol("x")
>>> Derivation(x + 1).equals(x + 2).status.name
'REFUTED'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp

from .errors import ParameterError
from .kernel import (
    case_split,
    collapse_deltas,
    derivative,
    differentiated,
    expand_sums,
    identity,
    max_commutes,
    normalize,
    prove,
    substituted,
    substitution,
)
from .kernel.context import (
    Context,
    as_conditions,
    as_names,
    broken_range,
    is_condition,
    layer_context,
)
from .kernel.outcome import Outcome, Status, weakest
from .limits import check_expression
from .notation import ARRAYS, INDICES, index_symbol
from .notebook import display_math, with_status
from .params import as_size
from .printing import latex, written_as_decimals
from .proof import Proof, Step
from .prose import Prose, layer_kind, layer_prose, listed
from .text import text

__all__ = ["Derivation", "RULES"]

# The kernel's named rules a link may ask for, with the reason a step shows by default.
RULES = {
    "search": "as claimed",  # every rule of symproof.prove, cheapest first (the default)
    "identity": "an identity",
    "case split": "in both cases of the condition",
    "max commutes": "σ is nondecreasing, so it commutes with the max over the window",
    "substitution": "substitute the definitions",
}

# The indices a body written as an expression is read in, per array of the notation.
_INDICES = ARRAYS
_INDEX_NAMES = frozenset(INDICES)


def _exact(value):
    """A user's number or expression with every float read as the decimal it prints as
    (0.299 is 299/1000): the kernel works in exact arithmetic."""
    if isinstance(value, bool):
        raise ParameterError("value", value, "must be a number or a SymPy expression")
    if isinstance(value, float):
        value = sp.Float(value)
    if isinstance(value, int):
        value = sp.Integer(value)
    if not isinstance(value, sp.Basic):
        raise ParameterError("value", value, "must be a number or a SymPy expression "
                             "(text is never parsed here)")

    check_expression(value, "a value given to the derivation")  # before any work on it
    return value.replace(lambda e: isinstance(e, sp.Float),
                         lambda e: _as_typed(e) if e.is_finite else e)


def _as_typed(number: sp.Float) -> sp.Rational:
    """The rational a float stands for as typed (0.299 → 299/1000, not its binary value):
    what the kernel computes with and what the displays print back as that decimal."""
    return sp.Rational(repr(float(number)))


def _typed_decimals(value) -> frozenset:
    """The exact rationals of the floats a user typed in ``value`` (0.299 → 299/1000): what
    the derivation's displays print as those decimals. Printing only; the kernel sees the
    rationals."""
    if isinstance(value, float):
        value = sp.Float(value)
    if not isinstance(value, sp.Basic) or isinstance(value, bool):
        return frozenset()
    return frozenset(_as_typed(f) for f in value.atoms(sp.Float) if f.is_finite)


def _body(name: str, value) -> sp.Expr:
    """A value substituted: an exact expression, not a truth value or a relation."""
    body = _exact(value)
    if not isinstance(body, sp.Expr):
        raise ParameterError(name, value, "must be a number or an expression to substitute")
    return body


class Derivation:
    """A chain ``lhs = e₀ = e₁ = …`` whose every link the kernel decides.

    ``start`` is an expression (the chain is ``start = e₁ = …``), an ``Eq(lhs, e₀)`` (stated,
    GIVEN) or a layer (its element formula, GIVEN, with what its semantics lets the links
    assume: indices in range, X zero outside its index range; ``at`` fixes the output
    indices, ``input_size`` the input's height and width, symbols H, W by default).
    ``assuming`` holds relations (prose is shown, not used), ``nondecreasing`` names
    functions assumed nondecreasing; ``why`` and ``kind`` describe the start.
    Each method returns the derivation itself, so links chain; ``status`` is the weakest
    derived link's.
    """

    def __init__(self, start, *, assuming: Iterable = (), nondecreasing: Iterable[str] = (),
                 at: tuple | None = None, input_size: tuple | None = None,
                 name: str = "derivation", title: str = "", statement: str | Prose = "",
                 why: str = "", kind: str = "definition"):

        self.name, self.title, self.statement = name, title, statement
        self._definitions: list[sp.Eq] = []
        self._steps: list[Step] = []  # in order: what is stated (GIVEN) and the links
        self._decimals: frozenset = frozenset()  # the numbers the user typed as decimals
        assumptions = as_conditions("assuming", assuming, convert=self._read)
        names = as_names("nondecreasing", nondecreasing)
        is_layer = hasattr(start, "equation") and hasattr(start, "output_shape")
        if not is_layer and (at is not None or input_size is not None):
            name, value = ("at", at) if at is not None else ("input_size", input_size)
            raise ParameterError(name, value, "is only for a layer's element formula")
        if is_layer:
            self._context = self._start_layer(start, at, input_size, why, kind, assumptions,
                                              names)
            words = _layer_words(start)
            self.title = title or (f"the element formula of a {words}" if words else
                                   "from a layer's element formula")
            self.statement = statement or Prose("A derivation from the element formula of ") \
                + layer_prose(start) + "."
        else:
            if isinstance(start, sp.Equality):
                self.lhs, self.current = start.lhs, self._read(start.rhs)
                self._stated(sp.Eq(self.lhs, self.current, evaluate=False), why or "given",
                             kind)
            else:
                self.current = self._read(start)
                if not isinstance(self.current, sp.Expr):
                    raise ParameterError("start", start,
                                         "must be an expression, an Eq or a layer")
                self.lhs = self.current
            self._context = Context(assumptions, names)
            self.title = title or "a chain of equalities"
        # what the links are decided under, shown with the proof: the user's assumptions,
        # then what the layer's semantics gives
        self.assumptions = list(self._context.assumptions)
        if self._context.zero_outside:
            value = self._context.outside_value
            self.assumptions.append(Prose(sp.Symbol("X"), " is ", value,
                                          " outside its index range"
                                          + (" (zero padding)" if value == 0 else "")))

    def _start_layer(self, layer, at, input_size, why: str, kind: str, assumptions: list,
                     names: list):
        """The element formula (GIVEN) at ``at``, for an input of ``input_size``, and the
        context its semantics gives."""

        equation = layer.equation()
        indices = equation.lhs.indices if isinstance(equation.lhs, sp.Indexed) else ()
        values = {}
        if at is not None:  # the formula at given indices, e.g. channel l = 1
            if not isinstance(at, (tuple, list)) or len(at) != len(indices):
                raise ParameterError("at", at, f"must give {len(indices)} indices "
                                     f"({_text(equation.lhs)})")
            values = dict(zip(indices, (as_size("at", _exact(v)) for v in at)))
        size = None
        if hasattr(layer, "window"):
            axes = tuple(index_symbol(name) for name in layer.spec.axes)  # (H, W), or (L,)
            if input_size is None:
                size = axes
            elif not isinstance(input_size, (tuple, list)) or len(input_size) != len(axes):
                raise ParameterError("input_size", input_size,
                                     f"must be ({', '.join(layer.spec.axes)})")
            else:
                size = tuple(as_size("input_size", v) for v in input_size)
                values.update(zip(axes, size))  # a divisor may depend on them
        elif input_size is not None:
            raise ParameterError("input_size", input_size, "is only for a windowed layer")
        equation = equation.xreplace(values)
        self.lhs, self.current = equation.lhs, equation.rhs
        self._stated(sp.Eq(self.lhs, self.current, evaluate=False),
                     why or Prose("the element formula of ") + layer_prose(layer), kind,
                     short_reason=_layer_words(layer))
        general = layer_context(layer, *(size or ()))
        broken = broken_range(general, values)
        if broken is not None:
            raise ParameterError("at", at, f"must lie in the layer's output, where "
                                 f"{_text(broken)}")
        ctx = general.placed(values)
        return Context([*assumptions, *ctx.assumptions], names, zero_outside=ctx.zero_outside,
                       outside_value=ctx.outside_value, extents=ctx.extents)

    # -- the links ---------------------------------------------------------------------------

    def equals(self, expr, why: str = "", *, rule: str = "search", on=None) -> Derivation:
        """Claim the current expression equals ``expr``; the kernel decides it with ``rule``
        (one of :data:`RULES`, by default its whole search; ``on`` is the condition of a
        case split)."""
        after = self._read(expr)
        if not isinstance(after, sp.Expr):
            raise ParameterError("expr", expr, "must be an expression (the next line of the "
                                 "chain), not a relation")
        outcome = self._decide(after, rule, on)
        return self._link(after, why or RULES[rule], outcome)

    def substitute(self, *definitions: sp.Eq, why: str = "", stated: str = "the value "
                   "substituted", kind: str = "definition", **values) -> Derivation:
        """Substitute definitions: ``Eq(w[l, γ, α, β], body)`` (indices symbols or values),
        or by name, ``w=body`` (a number, an expression in the array's usual indices, or a
        function of the indices) and ``k=2`` for a symbol. The definitions are stated, GIVEN
        (``stated`` and ``kind`` say what they are: "the weights the problem proposes",
        "problem data"); the link is decided by the kernel's substitution rule."""

        new = [self._definition(d) for d in definitions]
        new += [self._named(name, value) for name, value in values.items()]
        if not new:
            raise ParameterError("substitute", "", "needs at least one definition")
        for definition in new:
            self._definitions.append(definition)
            self._stated(definition, stated, kind)
        after = substituted(self.current, new)
        shown = Prose("substitute ", *listed(d.lhs for d in new))
        return self._link(after, why or shown, self._decide(after,
                                                                             "substitution"))

    def expand_sums(self, why: str = "") -> Derivation:
        """Write out sums with numeric ranges and pin Kronecker deltas (the kernel's exact
        rules); the link is decided as an identity."""

        after = expand_sums(self.current, partial=True)
        return self._link(after, why or "write out the sums", self._decide(after, "identity"))

    def collapse(self, why: str = "") -> Derivation:
        """Sum out the Kronecker deltas (only the term whose index matches survives), settling
        range conditions the assumptions decide."""

        after, _ = collapse_deltas(self.current, self._context)
        return self._link(after, why or "only the matching term of each δ-sum survives",
                          self._decide(after, "identity"))

    def simplify(self, why: str = "") -> Derivation:
        """The kernel's normal form of the current expression, under the assumptions."""

        after = normalize(self.current, self._context)
        return self._link(after, why or "simplify", self._decide(after, "identity"))

    def differentiate(self, variable: sp.Basic, claimed=None, why: str = "") -> Derivation:
        """Differentiate both sides by ``variable``: the chain continues as ``∂lhs/∂variable
        = …``. The derivative is computed by the kernel (``claimed``, when given, is decided
        against it)."""

        if not isinstance(variable, (sp.Symbol, sp.Indexed)):
            raise ParameterError("variable", variable, "must be a symbol or an array entry")
        if isinstance(variable, sp.Indexed) and self._context.outside(variable):
            raise ParameterError("variable", variable, "lies outside its array's index range, "
                                 "where the padding rule fixes its value: not a variable")
        before = self.current
        if claimed is None:
            claimed = normalize(differentiated(before, variable), self._context, simplify=False)
        claimed = self._read(claimed)
        self.lhs = sp.Derivative(self.lhs, variable)
        return self._link(claimed, why or Prose("differentiate by ", variable),
                          derivative(before, variable, claimed, self._context))

    def assume(self, *relations) -> Derivation:
        """More assumptions, for the links that follow (listed with the proof's)."""
        added = as_conditions("assume", relations, prose=False, convert=self._read)
        self.assumptions += added
        self._context = self._context.extended(*added)
        return self

    # -- reading it --------------------------------------------------------------------------

    @property
    def status(self) -> Status:
        """The weakest status among the links (UNKNOWN before the first link)."""
        return weakest(s.status for s in self._steps)

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    def proof(self) -> Proof:
        """The chain as a Proof: definitions and the start GIVEN, then one step per link. Its
        result is the last line only when every link stands; otherwise no result, and a note
        for each link that does not (a refuted one with its counterexample)."""
        statement = self.statement or Prose("A derivation of ", self.lhs, ".")
        proof = Proof(self.name, self.title, statement, assumptions=list(self.assumptions),
                      steps=self.steps)
        proof.mark_decimals(self._decimals)
        links = [s for s in self._steps if s.status is not Status.GIVEN]
        failing = [(n, s) for n, s in enumerate(self._steps, 1) if not s.ok]
        if links and not failing:
            proof.result = links[-1].claim
        proof.notes = [_failure(n, step) for n, step in failing]
        return proof

    def __repr__(self) -> str:
        return str(self.proof())

    def _repr_markdown_(self) -> str:
        """The chain as a proof, in Markdown with MathJax math (what a notebook shows)."""
        return self.proof()._repr_markdown_()

    def _repr_latex_(self) -> str:
        """The current line of the chain and the chain's status, as one display formula
        (decimals as the user typed them)."""
        with written_as_decimals(self._decimals):
            return self._current_latex()

    def _current_latex(self) -> str:
        if self.lhs == self.current:  # nothing derived yet from a bare expression
            return display_math(latex(self.current))
        return with_status(latex(sp.Eq(self.lhs, self.current, evaluate=False)),
                           self.status.name)

    # -- inside ------------------------------------------------------------------------------

    def _decide(self, after: sp.Expr, rule: str, on=None) -> Outcome:
        before = self.current
        if not isinstance(rule, str) or rule not in RULES:
            raise ParameterError("rule", rule, f"must be one of {', '.join(RULES)}")
        if rule == "case split":
            if not is_condition(on) or on in (sp.true, sp.false):
                raise ParameterError("on", on, "a case split needs a condition, e.g. on=a >= b")
            return case_split(before, after, on, self._context)
        if on is not None:
            raise ParameterError("on", on, "is only for rule='case split'")
        if rule == "identity":
            return identity(before, after, self._context)
        if rule == "max commutes":
            return max_commutes(sp.Eq(before, after, evaluate=False), self._context)
        if rule == "substitution":
            return substitution(before, after, self._definitions, self._context)
        outcome = prove(sp.Eq(before, after, evaluate=False), context=self._context)
        if outcome.status is Status.UNKNOWN and self._definitions:
            tried = substitution(before, after, self._definitions, self._context)
            if tried.status is Status.PROVED:
                return tried
        return outcome

    def _read(self, value):
        """A user's value, exact (:func:`_exact`), remembering the decimals typed in it."""
        self._decimals |= _typed_decimals(value)
        return _exact(value)

    def _stated(self, claim: sp.Basic, why: str | Prose, kind: str, *,
                short_reason: str = "") -> None:
        """A GIVEN step: what the chain starts from or substitutes."""
        self._steps.append(Step(claim, why, Outcome(Status.GIVEN, kind),
                                short_reason=short_reason, decimals=self._decimals))

    def _link(self, after: sp.Expr, why: str, outcome: Outcome) -> Derivation:
        claim = sp.Eq(self.lhs, after, evaluate=False)
        self._steps.append(Step(claim, why, outcome, assumptions=tuple(self.assumptions),
                                decimals=self._decimals))
        # a link the kernel did not justify is kept, marked, and the chain goes on from what
        # was claimed: the proof's status shows it
        self.current = after
        return self

    def _definition(self, definition) -> sp.Eq:
        if not (isinstance(definition, sp.Equality)
                and isinstance(definition.lhs, (sp.Indexed, sp.Symbol))):
            raise ParameterError("definition", definition,
                                 "must read Eq(entry, body) or Eq(symbol, value)")
        return sp.Eq(definition.lhs, self._body("definition", definition.rhs), evaluate=False)

    def _body(self, name: str, value) -> sp.Expr:
        self._decimals |= _typed_decimals(value)
        return _body(name, value)

    def _named(self, name: str, value) -> sp.Eq:
        """``name=value`` as a definition of the array or symbol called ``name``."""
        bases = {e.base.label.name: e for e in self.current.atoms(sp.Indexed)}
        symbols = {s.name: s for s in self.current.free_symbols if isinstance(s, sp.Symbol)}
        if name in bases:
            arity = len(bases[name].indices)
            base = bases[name].base
            indices = _INDICES.get(name, ())
            if len(indices) != arity:
                indices = tuple(f"ι_{n}" for n in range(1, arity + 1))
            pattern = tuple(index_symbol(n) for n in indices)
            if callable(value) and not isinstance(value, sp.Basic):
                return sp.Eq(base[pattern], self._body(name, _call(value, pattern, name)),
                             evaluate=False)
            body = self._body(name, value)
            stray = {s.name for s in body.free_symbols} & _INDEX_NAMES - set(indices)
            if stray:
                raise ParameterError(name, value, f"uses {', '.join(sorted(stray))}, which is "
                                     f"not one of its indices ({', '.join(indices)}): pass a "
                                     f"function of the indices or Eq({name}[…], body)")
            return sp.Eq(base[pattern], body, evaluate=False)
        if name in symbols:
            return sp.Eq(symbols[name], self._body(name, value), evaluate=False)
        known = ", ".join(sorted({*bases, *symbols})) or "none"
        raise ParameterError("substitute", name, f"must name an array or a symbol of the "
                             f"current expression ({known})")


def _call(function: Callable, pattern: tuple, name: str):
    try:
        return function(*pattern)
    except TypeError as error:
        raise ParameterError(name, function, f"must take {len(pattern)} indices ({error})") \
            from None


def _layer_words(layer) -> str:
    """What a layer is, in words, for a model answer's reason ("2-D convolution"); "" when
    it has no spec."""
    return layer_kind(layer) if getattr(layer, "spec", None) is not None else ""


def _failure(number: int, step: Step) -> Prose:
    """Why a chain concludes nothing: the link that fails (refuted, with its counterexample)
    or that the kernel could not decide."""
    claim = step.claim
    if step.status is Status.REFUTED:
        shown = sp.Ne(claim.lhs, claim.rhs, evaluate=False) \
            if isinstance(claim, sp.Equality) else claim
        return (Prose(f"The claim fails: step ({number}), ", shown, " in general; ")
                + step.outcome.counterexample_written() + ".")
    return Prose(f"Not decided: step ({number}), ", claim, "; so the chain concludes nothing.")


def _text(expr) -> str:
    return text(expr)
