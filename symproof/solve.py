"""Solving the output-size relation for one unknown, and the questions around it.

The relation (one axis, PyTorch): ``o = ⌊(n + 2P − D(F − 1) − 1)/S⌋ + 1``. Given all but one of
``input``, ``output``, ``kernel_size``, ``stride``, ``padding``, ``dilation``, :func:`solve_for`
returns every admissible integer value of the missing one, or a symbolic answer with the
conditions it needs, or says why there is none.

>>> from symproof import symbols
>>> m, F = symbols("m F")
>>> solve_for("padding", input=m, output=m, kernel_size=5)
{P = 2}
>>> solve_for("padding", input=m, output=m, kernel_size=4)
no integer padding: needs D(F − 1) = 3 even
>>> solve_for("padding", input=32, output=16, kernel_size=3, stride=2)
{P = 1}

Nothing is searched. With the span ``D(F − 1) + 1`` and ``a = n + 2P − span``, the floor says
``(o − 1)·S ≤ a ≤ o·S − 1`` (so the kernel fits, ``a ≥ 0``, since ``o ≥ 1``). For each unknown
``x`` that is a pair of linear bounds ``c_lo·x ≥ A`` and ``c_hi·x ≤ B``: the admissible values
are one interval of integers, found with integer arithmetic in the same time for any size, and
returned as a ``range`` (an exact, lazy sequence), or an infinite family:

>>> solve_for("stride", input=10**6, output=2, kernel_size=1)
{S = 500000, 500001, …, 999999}
>>> solve_for("stride", input=5, output=1, kernel_size=3)
{S = 3, 4, 5, …}
>>> solve_for("kernel_size", input=10**12, output=1).values
range(1000000000000, 1000000000001)

A symbolic answer is never inadmissible: either SymPy decides it is, and the result is empty with
the reason, or the value comes with the conditions under which it is admissible:

>>> solve_for("kernel_size", input=m, output=m + 2)
no integer kernel size: would need F = −1 < 1: F = 1 gives only output m, and a larger F gives less
>>> solve_for("padding", input=m, output=m, kernel_size=F)
{P = F/2 - 1/2} if Eq(Mod(F - 1, 2), 0)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

import sympy as sp

from .errors import ParameterError
from .kernel.outcome import Outcome, Result, Status
from .latex import latex
from .limits import check, check_expression
from .notation import LETTERS
from .params import as_size, fails, holds
from .shapes import effective_kernel, simplify_size

__all__ = ["solve_for", "Solutions", "tiles_exactly", "enumerate_configs", "PARAMETERS"]

PARAMETERS = ("input", "output", "kernel_size", "stride", "padding", "dilation")
_LETTER = {name: LETTERS[name] for name in PARAMETERS}
_MINIMUM = {"input": 1, "output": 1, "kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}
# The output shrinks as these grow (it grows with the input and the padding).
_DECREASING = ("kernel_size", "stride", "dilation")
_LISTED = 100  # as_data lists a range of at most this many values; longer ones by their ends


@dataclass(frozen=True)
class Solutions(Result):
    """Every admissible value of ``parameter``, in one of four forms:

    * ``values``: the values, when they are finitely many integers, as a ``range`` (exact and
      lazy: a billion values cost nothing);
    * an infinite family: every integer from ``start`` on (any large stride when the output is
      1, any dilation of a 1-wide kernel); ``value`` is then the parameter's letter;
    * a symbolic ``value``, admissible whenever every one of ``conditions`` (SymPy relations)
      holds; when ``value`` is the parameter's letter itself, the answer is every integer that
      satisfies the conditions (a symbolic interval);
    * none: the result is falsy and ``reason`` says why.

    Like every result it carries an ``outcome`` (:class:`~symproof.kernel.outcome.Result`):
    the values are solved by exact integer arithmetic outside the kernel, so an answer is GIVEN
    (PyTorch's size rule, solved; never counted as proved) and no answer is UNKNOWN with the
    reason; ``bool()`` is the outcome's ``ok``.

    Whenever ``value`` is set, ``value`` under ``conditions`` says it all (a family's
    ``start`` is among the conditions unless it is the parameter's minimum), so
    :meth:`as_data` needs nothing more.
    """

    parameter: str
    values: range = range(0)
    value: sp.Expr | None = None
    conditions: tuple = ()
    reason: str = ""
    start: int | None = None

    @property
    def letter(self) -> sp.Symbol:
        """The parameter's letter, as a SymPy symbol (``stride`` → ``S``)."""
        return symbols_for(self.parameter)

    def as_data(self) -> dict:
        """A plain form for snapshots and tools: value(s), conditions and reason. A long range
        is stored by its ends, ``{"from": first, "to": last}``, never enumerated."""
        values = self.values
        listed = (tuple(values) if _count(values) <= _LISTED
                  else {"from": values[0], "to": values[-1]})
        return {"parameter": self.parameter, "values": listed,
                "value": self.value if self.value is not None else "none",
                "conditions": tuple(self.conditions), "reason": self.reason}

    @property
    def outcome(self) -> Outcome:
        """GIVEN when there is an answer, UNKNOWN with the reason when there is none."""
        if bool(self.values) or self.value is not None:
            return Outcome(Status.GIVEN, "solve_for", f"the size rule solved for {self.parameter}")
        return Outcome(Status.UNKNOWN, "solve_for", self.reason)

    def __bool__(self) -> bool:
        """Whether there is an answer: the outcome's ``ok`` (kept for compatibility)."""
        return self.ok

    def __iter__(self):
        """The values, or the one symbolic value (a family's or interval's letter)."""
        return iter(self.values if self.value is None else (self.value,))

    def _pieces(self, show, dots: str) -> tuple[str, list[str], list[str]]:
        """``(head, items, conditions)`` of the printed set ``{head items} if conditions``,
        with ``show`` for numbers and expressions and ``dots`` for an ellipsis."""
        letter = _LETTER[self.parameter]
        if self.start is not None:
            own = sp.Ge(self.letter, self.start) if self.start > _MINIMUM[self.parameter] else None
            return (f"{letter} = ", [show(self.start + k) for k in range(3)] + [dots],
                    [show(c) for c in self.conditions if c != own])
        if self.value is None:
            values = self.values
            items = ([show(v) for v in values] if _count(values) <= 4
                     else [show(values[0]), show(values[1]), dots, show(values[-1])])
            return f"{letter} = ", items, []
        if self.value == self.letter:  # an interval: every integer meeting the conditions
            return f"{letter} : ", [show(c) for c in self.conditions], []
        return f"{letter} = ", [show(self.value)], [show(c) for c in self.conditions]

    def __repr__(self) -> str:
        if not self:
            return f"no integer {self.parameter.replace('_', ' ')}: {self.reason}"
        head, items, conditions = self._pieces(str, "…")
        shown = "{" + head + ", ".join(items) + "}"
        return shown + (f" if {', '.join(conditions)}" if conditions else "")

    def _repr_latex_(self) -> str:
        if not self:
            return rf"$\text{{no integer {self.parameter.replace('_', ' ')}}}$"

        def show(v):
            return latex(sp.Integer(v) if isinstance(v, int) else v)

        head, items, conditions = self._pieces(show, r"\ldots")
        body = head.replace(" : ", r" \mid ") + r",\ ".join(items)
        if conditions:
            body += r"\quad\text{if } " + r",\ ".join(conditions)
        return f"$\\{{{body}\\}}$"


def _count(values: range) -> int:
    """How many values a range of step 1 holds (``len`` refuses more than 2**63)."""
    return max(0, values.stop - values.start)


def symbols_for(parameter: str) -> sp.Symbol:
    """The letter of a parameter as an integer symbol of its sign (``stride`` → S, positive;
    ``padding`` → P, non-negative)."""
    if parameter == "padding":
        return sp.Symbol("P", integer=True, nonnegative=True)
    return sp.Symbol(_LETTER[parameter], integer=True, positive=True)


def _given(name: str, value) -> sp.Expr:
    return as_size(name, value, _MINIMUM.get(name, 1))


def solve_for(parameter: str, **given) -> Solutions:
    """Every admissible value of ``parameter`` (see the module docstring). Defaults: stride 1,
    padding 0, dilation 1 when they are not the unknown and not given.

    >>> solve_for("input", output=16, kernel_size=3, stride=2, padding=1)
    {n = 31, 32}
    >>> solve_for("dilation", input=7, output=7, kernel_size=1)
    {D = 1, 2, 3, …}
    """
    if not isinstance(parameter, str) or parameter not in PARAMETERS:
        raise ParameterError("parameter", parameter, f"must be one of {', '.join(PARAMETERS)}")
    if parameter in given:
        raise ParameterError(parameter, given[parameter], "is the unknown: do not give it")
    extra = sorted(set(given) - set(PARAMETERS))
    if extra:
        raise ParameterError(extra[0], given[extra[0]], f"is not one of {', '.join(PARAMETERS)}")
    missing = [p for p in ("input", "output", "kernel_size") if p not in given and p != parameter]
    if missing:
        raise ParameterError(missing[0], None, f"must be given to solve for {parameter}")
    values = {"stride": 1, "padding": 0, "dilation": 1}
    values.update(given)
    values.pop(parameter, None)
    known = {name: _given(name, value) for name, value in values.items()}
    letter = _LETTER[parameter]
    for name, value in known.items():
        if not value.is_number:  # the bounds are expanded: refuse (a + b)**10**6 first
            check_expression(value, name)
        # The answer is written with the unknown's letter: a given using it would be confused.
        if any(s.name == letter for s in value.free_symbols):
            raise ParameterError(name, value, f"must not use the symbol {letter}, which names "
                                 f"the unknown {parameter}: choose another name")
    if parameter == "output":
        return _output_size(known)
    bounds = tuple(sp.expand(b) for b in _bounds(parameter, known))
    if all(b.is_Integer for b in bounds):
        return _integer_answer(parameter, known, bounds)
    return _symbolic(parameter, known, bounds)


def _bounds(parameter: str, known: dict) -> tuple:
    """``(c_lo, A, c_hi, B)``: the relation as ``c_lo·x ≥ A`` and ``c_hi·x ≤ B`` for the unknown
    ``x = parameter``, from ``(o − 1)·S ≤ n + 2P − D(F − 1) − 1 ≤ o·S − 1``."""
    n, o, f, s, p, d = (known.get(name) for name in PARAMETERS)
    if parameter == "stride":
        a = n + 2 * p - effective_kernel(f, d)
        return o, a + 1, o - 1, a
    if parameter in ("kernel_size", "dilation"):
        low = n + 2 * p - o * s  # D(F − 1) lies in [low, low + S − 1]
        if parameter == "dilation":
            return f - 1, low, f - 1, low + s - 1
        return d, low + d, d, low + s - 1 + d  # the same for D·F
    span = effective_kernel(f, d)
    if parameter == "input":
        low = (o - 1) * s + span - 2 * p
        return 1, low, 1, low + s - 1
    low = (o - 1) * s + span - n  # padding: 2P in [low, low + S − 1]
    return 2, low, 2, low + s - 1


def _integer_answer(parameter: str, known: dict, bounds: tuple) -> Solutions:
    """The exact interval of integers, when the bounds are numbers (whatever the sizes)."""
    c_lo, low, c_hi, high = (int(b) for b in bounds)
    minimum = _MINIMUM[parameter]
    if c_lo == 0:  # D with F = 1: the lower bound does not involve x
        fits, first = low <= 0, minimum
    else:
        fits, first = True, max(minimum, -(-low // c_lo))
    last = None if c_hi == 0 else high // c_hi  # None: no upper bound (the infinite families)
    fits = fits and (high >= 0 if last is None else first <= last)
    if not fits:
        return Solutions(parameter, reason=_why_none(parameter, known, bounds))
    if last is None:
        return _family(parameter, first, ())
    return Solutions(parameter, values=range(first, last + 1))


def _family(parameter: str, start: int, conditions: tuple) -> Solutions:
    letter = symbols_for(parameter)
    if start > _MINIMUM[parameter]:
        conditions = (sp.Ge(letter, start), *conditions)
    return Solutions(parameter, value=letter, conditions=conditions, start=start)


def _output_size(known: dict) -> Solutions:
    n, f, s, p, d = (known[name] for name in ("input", "kernel_size", "stride", "padding",
                                              "dilation"))
    a = n + 2 * p - effective_kernel(f, d)
    if fails(sp.Ge(a, 0)):
        return Solutions("output", reason=_why_none("output", known, ()))
    value = simplify_size(sp.floor(a / s) + 1)
    fits = holds(sp.Ge(a, 0))
    if value.is_Integer and fits:
        return Solutions("output", values=range(int(value), int(value) + 1))
    conditions = () if fits else (sp.Ge(n + 2 * p, effective_kernel(f, d)),)
    return Solutions("output", value=value, conditions=conditions)


def _symbolic(parameter: str, known: dict, bounds: tuple) -> Solutions:
    """The answer when a bound involves a symbol: one value, or the interval as conditions."""
    c_lo, low, c_hi, high = bounds
    letter, minimum = symbols_for(parameter), _MINIMUM[parameter]
    width = sp.expand(high - low)
    if c_lo == c_hi and c_lo.is_positive and width.is_Integer:
        found = _one_value(parameter, known, bounds, int(width))
        if found is not None:
            return found
    # Every integer x with c_lo·x ≥ A and c_hi·x ≤ B: no division, so no c can be zero.
    if c_lo == c_hi and width == 0:
        relations = (sp.Eq(c_lo * letter, low) if c_lo != 0 else sp.Eq(low, 0),)
    else:  # a zero coefficient (F = 1 for D, o = 1 for S) leaves a condition on the others
        relations = (sp.Ge(c_lo * letter, low) if c_lo != 0 else sp.Le(low, 0),
                     sp.Le(c_hi * letter, high) if c_hi != 0 else sp.Ge(high, 0))
    # c_hi ≥ 0, so c_hi·x ≥ c_hi·minimum: if even that is too large, no x works.
    if any(fails(r) for r in relations) or fails(sp.Le(c_hi * minimum, high)):
        return Solutions(parameter, reason=_why_none(parameter, known, bounds))
    conditions = tuple(dict.fromkeys(r for r in relations if not holds(r)))
    if all(letter not in c.free_symbols for c in conditions):
        return _family(parameter, minimum, conditions)  # every x, when the others allow it
    return Solutions(parameter, value=letter, conditions=conditions)


def _one_value(parameter: str, known: dict, bounds: tuple, width: int) -> Solutions | None:
    """The one candidate when ``c·x`` lies in a single integer (S = 1) or in ``c`` consecutive
    integers: the value, with what it needs; None when there may be several."""
    c, low, _, high = bounds
    minimum = _MINIMUM[parameter]
    conditions = []
    if width == 0:
        # c·x = low: x = low/c, an integer when c divides low.
        divided = low - c if parameter == "kernel_size" else low  # D | D(F − 1) reads better
        value = sp.expand(divided / c) + (1 if parameter == "kernel_size" else 0)
        if value.is_integer is False:
            return Solutions(parameter, reason=_why_none(parameter, known, bounds))
        if value.is_integer is None:
            # Mod unevaluated: SymPy's Mod of a long sum can take seconds to simplify.
            conditions.append(sp.Eq(sp.Mod(divided, c, evaluate=False), 0))
    elif c.is_Integer and width == c - 1:
        # c consecutive integers hold exactly one multiple of c (2P when S = 2, say).
        value = simplify_size(sp.ceiling(low / c))
    else:
        return None
    admissible = sp.Ge(value, minimum)
    if fails(admissible):
        return Solutions(parameter, reason=_why_none(parameter, known, bounds))
    if not holds(admissible):
        conditions.append(admissible)
    if value.is_Integer and not conditions:
        return Solutions(parameter, values=range(int(value), int(value) + 1))
    return Solutions(parameter, value=value, conditions=tuple(conditions))


# --- why there is no solution --------------------------------------------------------------

def _show(value) -> str:
    """A value inside a reason, with a true minus sign."""
    return str(value).replace("-", "−")


def _gives(parameter: str, known: dict, x) -> tuple[bool, str]:
    """Whether the kernel fits when ``parameter`` is ``x``, and the output it gives (or why
    nothing fits)."""
    trial = dict(known, **{parameter: sp.sympify(x)})
    n, f, s, p, d = (trial[name] for name in ("input", "kernel_size", "stride", "padding",
                                              "dilation"))
    a = n + 2 * p - effective_kernel(f, d)
    if fails(sp.Ge(a, 0)):
        return False, (f"nothing: the kernel (span {_show(effective_kernel(f, d))}) does not "
                       f"fit the padded input n + 2P = {_show(n + 2 * p)}")
    return True, _show(simplify_size(sp.floor(a / s) + 1))


def _why_none(parameter: str, known: dict, bounds: tuple) -> str:
    """Why no value of ``parameter`` works, once that is decided."""
    n, o, f, s, p, d = (known.get(name) for name in PARAMETERS)
    if parameter == "output":
        return (f"the kernel (span {_show(effective_kernel(f, d))}) does not fit the padded input "
                f"n + 2P = {_show(n + 2 * p)}")
    c_lo, low, c_hi, high = (sp.sympify(b) for b in bounds)
    letter, minimum = _LETTER[parameter], _MINIMUM[parameter]
    if c_lo == 0 and c_hi == 0:  # the dilation of a 1-wide kernel
        return (f"a 1-wide kernel ignores the dilation, and gives output "
                f"{_gives(parameter, known, 1)[1]}, not {_show(o)}")
    fits, smallest = _gives(parameter, known, minimum)
    if parameter in _DECREASING:
        if not fits:  # a larger kernel, dilation or stride never helps
            return f"even {letter} = {minimum} gives {smallest}"
        too_far = (f"{letter} = {minimum} gives only output {smallest}, and a larger {letter} "
                   "gives less")
    else:
        too_far = f"even {letter} = {minimum} gives output {smallest} > {_show(o)}"
        if parameter == "padding":
            too_far += ", and only a larger kernel or stride can shrink it"
    if c_lo == c_hi and c_lo.is_positive and (high - low).is_zero:  # one candidate: c·x = A
        value = (low - c_lo) / c_lo + 1 if parameter == "kernel_size" else low / c_lo
        if holds(sp.Lt(value, minimum)):
            return f"would need {letter} = {_show(value)} < {minimum}: {too_far}"
        if value.is_integer is False:
            if parameter == "padding":
                if s == 1 and (o - n).is_zero:
                    return f"needs D(F − 1) = {_show(low)} even"
                return f"needs 2P = {_show(low)}, which is odd"
            return f"would need {letter} = {_show(value)}, not an integer"
    if holds(sp.Gt(c_hi * minimum, high)):  # even the smallest value is too far
        if parameter in _DECREASING:
            return f"an output of {_show(o)} is larger than any configuration gives: {too_far}"
        return too_far
    last = sp.floor(high / c_hi) if c_hi.is_positive else None
    if last is not None and last.is_Integer:  # x = last overshoots, every larger x undershoots
        return (f"no {parameter.replace('_', ' ')} gives exactly {_show(o)}: {letter} = {last} "
                f"gives {_gives(parameter, known, last)[1]}, and {letter} = {last + 1} gives "
                f"{_gives(parameter, known, last + 1)[1]}")
    return f"no {parameter.replace('_', ' ')} gives output {_show(o)}"


def tiles_exactly(input: object, kernel_size: object, stride: object = 1, padding: object = 0,
                  dilation: object = 1) -> bool | sp.Basic:
    """Whether the windows reach the last row: ``S`` divides ``n + 2P − D(f − 1) − 1`` (else the
    last ``remainder`` rows of the padded input are dropped). A bool for numbers, a relation for
    symbols.

    >>> tiles_exactly(32, 3, stride=2, padding=1)
    False
    >>> from symproof import symbols
    >>> k, q = symbols("k q")
    >>> tiles_exactly(k * q, k, stride=k)
    True
    """
    n, f, s = _given("input", input), _given("kernel_size", kernel_size), _given("stride", stride)
    p, d = _given("padding", padding), _given("dilation", dilation)
    remainder = sp.Mod(sp.expand(n + 2 * p - effective_kernel(f, d)), s)
    if remainder.is_number:
        return bool(remainder == 0)
    relation = sp.Eq(remainder, 0)
    return bool(relation) if relation in (sp.true, sp.false) else relation


_DEFAULT_RANGES = {"kernel_size": (1, 7), "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3)}


def _whole(name: str, value, minimum: int) -> int:
    """``value`` as a Python int ``>= minimum``: enumerating needs numbers, not symbols."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sp.Integer)):
        kind = "positive" if minimum >= 1 else "non-negative"
        raise ParameterError(name, value, f"must be a {kind} integer (enumerate_configs needs "
                             "numbers)")
    return int(as_size(name, value, minimum))


def enumerate_configs(input: int, output: int, ranges: dict | None = None) -> list[dict]:
    """Every ``(kernel_size, stride, padding, dilation)`` in ``ranges`` (inclusive
    ``(low, high)`` per name; defaults 1…7, 1…4, 0…3, 1…3) mapping ``input`` to ``output``,
    ordered by kernel size, then stride, padding and dilation.

    The grid's size is checked against the limit ``search_space`` before any work. The paddings
    are not searched: for each kernel size, stride and dilation they are one interval.

    >>> same = enumerate_configs(8, 8, {"stride": (1, 1), "dilation": (1, 1)})
    >>> [(c["kernel_size"], c["padding"]) for c in same]
    [(1, 0), (3, 1), (5, 2), (7, 3)]
    """
    n, o = _whole("input", input, 1), _whole("output", output, 1)
    limits = dict(_DEFAULT_RANGES)
    if ranges is not None and not isinstance(ranges, dict):
        raise ParameterError("ranges", ranges, f"must be a dict mapping {', '.join(limits)} "
                             "to (low, high)")
    for name, bounds in (ranges or {}).items():
        if name not in limits:
            raise ParameterError("ranges", {name: bounds},
                                 f"must map {', '.join(limits)} to (low, high) with low ≤ high")
        if isinstance(bounds, (str, bytes)) or not isinstance(bounds, Sequence) or len(
                bounds) != 2:
            raise ParameterError(f"ranges[{name!r}]", bounds, "must be a pair (low, high)")
        minimum = _MINIMUM[name]
        low = _whole(f"ranges[{name!r}] low", bounds[0], minimum)
        high = _whole(f"ranges[{name!r}] high", bounds[1], minimum)
        if low > high:
            raise ParameterError(f"ranges[{name!r}]", tuple(bounds), "must have low ≤ high")
        limits[name] = (low, high)
    check("search_space", "the grid of enumerate_configs",
          prod(high - low + 1 for low, high in limits.values()))
    (f_lo, f_hi), (s_lo, s_hi), (p_lo, p_hi), (d_lo, d_hi) = limits.values()
    found = []
    for f in range(f_lo, f_hi + 1):
        for s in range(s_lo, s_hi + 1):
            for d in range(d_lo, d_hi + 1):
                # 2P in [A, A + S − 1], with A = (o − 1)S + D(F − 1) + 1 − n (see _bounds).
                twice = (o - 1) * s + effective_kernel(f, d) - n
                first, last = max(p_lo, -(-twice // 2)), min(p_hi, (twice + s - 1) // 2)
                found.extend((f, s, p, d) for p in range(first, last + 1))
    found.sort()
    return [dict(zip(limits, row)) for row in found]
