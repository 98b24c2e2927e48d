"""Solving the output-size relation for one unknown, and the questions around it.

The relation (one axis, PyTorch): ``out = ⌊(n + 2P − D(f − 1) − 1)/S⌋ + 1``. Given all but one of
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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .errors import ParameterError
from .params import as_size, fails, holds

__all__ = ["solve_for", "Solutions", "tiles_exactly", "enumerate_configs", "PARAMETERS"]

PARAMETERS = ("input", "output", "kernel_size", "stride", "padding", "dilation")
_LETTER = {"input": "n", "output": "o", "kernel_size": "F", "stride": "S", "padding": "P",
           "dilation": "D"}
_SEARCH_LIMIT = 10_000


@dataclass
class Solutions:
    """Admissible values of ``parameter``: concrete ``values``, or a symbolic ``value`` valid
    under ``conditions``; ``reason`` says why there is none."""

    parameter: str
    values: list = field(default_factory=list)
    value: sp.Expr | None = None
    conditions: list = field(default_factory=list)
    reason: str = ""

    def as_data(self) -> dict:
        """A plain form for snapshots and tools: value(s), conditions and reason."""
        return {"parameter": self.parameter, "values": tuple(self.values),
                "value": self.value if self.value is not None else "none",
                "conditions": tuple(self.conditions), "reason": self.reason}

    def __bool__(self) -> bool:
        return bool(self.values) or self.value is not None

    def __iter__(self):
        return iter(self.values if self.value is None else [self.value])

    def __repr__(self) -> str:
        letter = _LETTER[self.parameter]
        if not self:
            return f"no integer {self.parameter.replace('_', ' ')}: {self.reason}"
        if self.value is not None:
            shown = f"{{{letter} = {self.value}}}"
            return shown + (f" if {', '.join(map(str, self.conditions))}"
                            if self.conditions else "")
        return "{" + ", ".join(f"{letter} = {v}" for v in self.values) + "}"

    def _repr_latex_(self) -> str:
        from .latex import latex

        letter = _LETTER[self.parameter]
        if not self:
            return rf"$\text{{no integer {self.parameter.replace('_', ' ')}}}$"
        items = [self.value] if self.value is not None else self.values
        body = r",\ ".join(f"{letter} = {latex(sp.sympify(v)) if not isinstance(v, int) else v}"
                           for v in items)
        if self.conditions:
            body += r"\quad\text{if } " + r",\ ".join(latex(c) for c in self.conditions)
        return f"$\\{{{body}\\}}$"


def _given(name: str, value) -> sp.Expr:
    minimum = 0 if name == "padding" else 1
    return as_size(name, value, minimum)


def solve_for(parameter: str, **given) -> Solutions:
    """Every admissible value of ``parameter`` (see the module docstring). Defaults: stride 1,
    padding 0, dilation 1 when they are not the unknown and not given."""
    if parameter not in PARAMETERS:
        raise ParameterError("parameter", parameter, f"must be one of {', '.join(PARAMETERS)}")
    if parameter in given:
        raise ParameterError(parameter, given[parameter], "is the unknown: do not give it")
    unknown_names = [p for p in ("input", "output", "kernel_size") if p not in given
                     and p != parameter]
    if unknown_names:
        raise ParameterError(unknown_names[0], None, f"must be given to solve for {parameter}")
    values = {"stride": 1, "padding": 0, "dilation": 1}
    values.update(given)
    values.pop(parameter, None)
    known = {name: _given(name, value) for name, value in values.items()
             if name in PARAMETERS}
    if set(values) - set(PARAMETERS):
        extra = sorted(set(values) - set(PARAMETERS))[0]
        raise ParameterError(extra, values[extra], f"is not one of {', '.join(PARAMETERS)}")
    if all(v.is_Integer for v in known.values()):
        return _search(parameter, {k: int(v) for k, v in known.items()})
    return _symbolic(parameter, known)


def _output(n, f, s, p, d):
    return (n + 2 * p - d * (f - 1) - 1) // s + 1


def _search(parameter: str, known: dict[str, int]) -> Solutions:
    """Every integer that works, by checking a range that provably contains them all."""
    n, o = known.get("input"), known.get("output")
    f, s, p, d = (known.get(k) for k in ("kernel_size", "stride", "padding", "dilation"))
    unbounded = _unbounded(parameter, n, o, f, s, p, d)
    if unbounded is not None:
        return unbounded
    if parameter == "input":
        # out is nondecreasing in n and grows by at least one every S steps of n.
        low = max(1, (o - 1) * s + d * (f - 1) + 1 - 2 * p)
        candidates = range(low, low + s)
    elif parameter == "output":
        candidates = [_output(n, f, s, p, d)] if n + 2 * p >= d * (f - 1) + 1 else []
    elif parameter == "padding":
        # P larger than this makes the output exceed o (each +1 in P adds 2 rows).
        candidates = range(0, max(0, (o * s + d * (f - 1) - n) // 2 + s + 1))
    else:
        candidates = range(1, min(_SEARCH_LIMIT, n + 2 * p + 2))
    found = []
    for value in candidates:
        trial = dict(input=n, output=o, kernel_size=f, stride=s, padding=p, dilation=d)
        trial[parameter] = value
        span = trial["dilation"] * (trial["kernel_size"] - 1) + 1
        if trial["input"] + 2 * trial["padding"] < span:
            continue
        out = _output(trial["input"], trial["kernel_size"], trial["stride"], trial["padding"],
                      trial["dilation"])
        if parameter == "output" or out == o:
            found.append(out if parameter == "output" else value)
    if found:
        return Solutions(parameter, values=found)
    return Solutions(parameter, reason=_why_none(parameter, known))


def _unbounded(parameter, n, o, f, s, p, d) -> Solutions | None:
    """The two infinite families: any dilation when f = 1, any large stride when o = 1."""
    letter = symbols_for(parameter)
    if parameter == "dilation" and f == 1 and _output(n, 1, s, p, 1) == o:
        return Solutions(parameter, value=letter, conditions=[
            "any dilation: a 1-wide kernel ignores it"])
    if parameter == "stride" and o == 1 and n + 2 * p >= d * (f - 1) + 1:
        bound = n + 2 * p - d * (f - 1)
        return Solutions(parameter, value=letter, conditions=[sp.Ge(letter, bound)])
    return None


def symbols_for(parameter: str) -> sp.Symbol:
    """The letter of a parameter as a positive-integer symbol (``stride`` → S)."""
    return sp.Symbol(_LETTER[parameter], integer=True, positive=True)


def _why_none(parameter: str, known: dict[str, int]) -> str:
    n, o = known.get("input"), known.get("output")
    f, s, p, d = (known.get(k) for k in ("kernel_size", "stride", "padding", "dilation"))
    if parameter == "output":
        return f"the kernel (span {d * (f - 1) + 1}) does not fit the padded input {n + 2 * p}"
    if parameter == "padding" and s == 1:
        need = o - n + d * (f - 1)
        if need < 0:
            return (f"even P = 0 gives {_output(n, f, s, 0, d)} > {o}: the output can only "
                    "shrink by a larger kernel or stride")
        return f"needs 2P = {need}, which is odd"
    growing = parameter in ("kernel_size", "stride", "dilation")
    if growing and o is not None and n is not None and o > n + 2 * p:
        return f"an output of {o} is larger than any configuration gives from {n + 2 * p}"
    return f"no {parameter} in the admissible range gives output {o} from input {n}"


def _symbolic(parameter: str, known: dict[str, sp.Expr]) -> Solutions:
    """Closed forms when the floor is exact (S = 1) or the unknown sits outside it."""
    n, o = known.get("input"), known.get("output")
    f, s, p, d = (known.get(k) for k in ("kernel_size", "stride", "padding", "dilation"))
    if parameter == "output":
        from .shapes import conv_output_size

        return Solutions(parameter, value=conv_output_size(n, f, s, p, d))
    if s is not None and s != 1:
        if parameter == "input":
            low = (o - 1) * s + d * (f - 1) + 1 - 2 * p
            return Solutions(parameter, value=low, conditions=[
                f"or any of the next S − 1 = {s - 1} sizes"])
        raise ParameterError("stride", s, f"must be 1 to solve for {parameter} symbolically "
                             "(the floor hides it): give numbers to search instead")
    if parameter == "padding":
        twice = sp.expand(o - n) + d * (f - 1)
        value = twice / 2
        # Parity from the assumptions only: SymPy's Mod of a large sum can take seconds.
        odd = (twice % 2 == 1) if twice.is_number else (value.is_integer is False)
        if odd:
            span = d * (f - 1)
            return Solutions(parameter, reason=f"needs D(F − 1) = {span} even" if (
                o - n).is_zero else f"needs {twice} even")
        conditions = []
        if not value.is_integer:
            conditions.append(sp.Eq(sp.Mod(twice, 2, evaluate=False), 0))
        if not holds(sp.Ge(value, 0)):
            if fails(sp.Ge(value, 0)):
                return Solutions(parameter, reason=f"would need P = {value} < 0")
            conditions.append(sp.Ge(value, 0))
        return Solutions(parameter, value=value, conditions=conditions)
    if parameter == "input":
        return Solutions(parameter, value=sp.expand(o - 2 * p + d * (f - 1)))
    if parameter == "kernel_size":
        value = sp.simplify((n + 2 * p - o) / d + 1)
        conditions = [] if value.is_integer else [sp.Eq(sp.Mod(n + 2 * p - o, d), 0)]
        return Solutions(parameter, value=value, conditions=conditions)
    if parameter == "dilation":
        value = sp.simplify((n + 2 * p - o) / (f - 1))
        return Solutions(parameter, value=value, conditions=[sp.Eq(sp.Mod(n + 2 * p - o, f - 1),
                                                                   0)])
    raise ParameterError("parameter", parameter, "cannot be solved for symbolically here")


def tiles_exactly(input, kernel_size, stride=1, padding=0, dilation=1):
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
    remainder = sp.Mod(sp.expand(n + 2 * p - d * (f - 1) - 1), s)
    if remainder.is_number:
        return bool(remainder == 0)
    relation = sp.Eq(remainder, 0)
    return bool(relation) if relation in (sp.true, sp.false) else relation


def enumerate_configs(input: int, output: int, ranges: dict | None = None) -> list[dict]:
    """Every ``(kernel_size, stride, padding, dilation)`` in ``ranges`` (inclusive
    ``(low, high)`` per name; defaults 1…7, 1…4, 0…3, 1…3) mapping ``input`` to ``output``,
    computed over the whole grid at once.

    >>> same = enumerate_configs(8, 8, {"stride": (1, 1), "dilation": (1, 1)})
    >>> [(c["kernel_size"], c["padding"]) for c in same]
    [(1, 0), (3, 1), (5, 2), (7, 3)]
    """
    import numpy as np

    n, o = int(_given("input", input)), int(_given("output", output))
    limits = {"kernel_size": (1, 7), "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3)}
    for name, bounds in (ranges or {}).items():
        if name not in limits or len(bounds) != 2 or bounds[0] > bounds[1]:
            raise ParameterError("ranges", {name: bounds},
                                 f"must map {', '.join(limits)} to (low, high) with low ≤ high")
        limits[name] = (int(bounds[0]), int(bounds[1]))
    axes = [np.arange(lo, hi + 1) for lo, hi in limits.values()]
    f, s, p, d = np.meshgrid(*axes, indexing="ij")
    span = d * (f - 1) + 1
    valid = (n + 2 * p >= span) & ((n + 2 * p - span) // s + 1 == o)
    names = list(limits)
    rows = np.stack([f[valid], s[valid], p[valid], d[valid]], axis=1)
    return [dict(zip(names, map(int, row))) for row in rows]
