"""Definitions in a checked document, in the forms people write them: GIVEN, never judged as
identities (DESIGN.md), and applied to the claims of their context.

* weights and biases: ``b_1 = 0``, ``b = 0`` (the whole array), ``b_1 = b_2 = 0``, entries side
  by side (``w_{1,1,1,1} = 0.299, \\quad w_{1,2,1,1} = 0.587``, also with ``,`` ``;``
  ``\\text{and}``), ``w_{…} = \\begin{cases}…\\end{cases}`` (conditions in parentheses, after
  ``&``, after ``\\text{if}``; ``\\ne``; joined by ``,`` or ``\\text{and}``; ``otherwise`` /
  ``else``);
* functions of plain variables: ``\\sigma(x) = \\frac{1}{1+e^{-x}}``, whose derivatives
  ``\\sigma'`` the claims may then use;
* an MLP's layer equations ``a^l = \\sigma(w^l a^{l-1} + b^l)``, ``y_\\ell = \\sigma(A_\\ell
  y_{\\ell-1} + b_\\ell)``, recognised by their shape only (they define, they claim nothing).

Two definitions of the same entries that disagree are a conflict: both are reported, and a
claim that needs those entries is left undecided, so no verdict depends on which came first.

>>> chain = [Claim(1, "b_1 = b_2", "b_1", "b_2"), Claim(1, "b_2 = 0", "b_2", "0")]
>>> [(c.lhs, c.rhs) for c in split_side_by_side(chain)]
[('b_1', '0'), ('b_2', '0')]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import sympy as sp

from .. import notation as nt
from ..errors import SymproofError
from .extract import Claim
from .extract import split_top as _split_top

__all__ = ["split_side_by_side", "defining_form", "cases_to_piecewise", "with_weights", "conflicts",
           "with_functions", "function_definition", "layer_equation", "is_target"]

# --- side by side and chained definitions ----------------------------------------------------

# A weight or bias entry as a definition's target: w, b, w_{…} (no nested braces), b_1, b_\ell
_TARGET = re.compile(r"[wb](?:_\{[^{}]*\}|_[A-Za-z0-9]|_\\[A-Za-z]+)?")
# What may stand between two definitions written side by side: at least one real separator
# (a comma, a semicolon, a quad, the word "and"), with any spacing around it.
_SPACING = r"(?:\s|\\,|\\;|\\:|\\!|\\ |~)"
_SEPARATOR = r"(?:,|;|\\qquad|\\quad|\\text\{\s*and\s*\}|\\textrm\{\s*and\s*\}|\\mbox\{\s*and\s*\})"
_BETWEEN = re.compile(rf"{_SPACING}*{_SEPARATOR}(?:{_SPACING}|{_SEPARATOR})*$")


def is_target(text: str) -> bool:
    """Whether ``text`` is written like a weight or bias entry (``w_{1,2,1,1}``, ``b_1``, ``b``)."""
    return _TARGET.fullmatch(text.strip()) is not None


def split_side_by_side(claims: list[Claim]) -> list[Claim]:
    """The claims with definitions written side by side on one line separated, and chains of
    equal definitions (``b_1 = b_2 = 0``) read as one definition per entry. Extraction splits a
    row at ``=`` only, so ``w_a = 1, w_b = 2`` arrives as the links ``w_a = 1, w_b`` and
    ``1, w_b = 2``: the chain is rebuilt and cut where a separator precedes a new target.
    Anything else is left exactly as extracted."""
    out: list[Claim] = []
    for chain in _chains(claims):
        terms = [chain[0].lhs, *(c.rhs for c in chain)]
        equations = _cut(terms)
        rebuilt = [claim for eq in equations for claim in _links_of(chain[0].line, eq)]
        changed = len(equations) > 1 or len(rebuilt) != len(chain) or any(
            (a.lhs, a.rhs) != (b.lhs, b.rhs) for a, b in zip(rebuilt, chain))
        out.extend(rebuilt if changed else chain)
    return out


def _chains(claims: list[Claim]) -> list[list[Claim]]:
    """Consecutive links of one chain: same line, each starting where the last one ended."""
    chains: list[list[Claim]] = []
    for claim in claims:
        last = chains[-1][-1] if chains else None
        if (last is not None and claim.rhs is not None and last.rhs is not None
                and claim.line == last.line and claim.lhs == last.rhs):
            chains[-1].append(claim)
        else:
            chains.append([claim])
    return chains


def _cut(terms: list[str | None]) -> list[list[str]]:
    """The chain's terms cut into equations where a middle term reads ``value, target``."""
    if None in terms:
        return [terms]
    equations, current = [], [terms[0]]
    for term in terms[1:-1]:
        split = _value_then_target(term)
        if split is None:
            current.append(term)
        else:
            current.append(split[0])
            equations.append(current)
            current = [split[1]]
    current.append(terms[-1])
    equations.append(current)
    return equations


def _value_then_target(term: str) -> tuple[str, str] | None:
    """``0.299, \\quad w_{1,2,1,1}`` → (``0.299``, ``w_{1,2,1,1}``); None if not of that form."""
    for match in _TARGET.finditer(term):
        if match.end() != len(term.rstrip()):
            continue
        before = term[:match.start()]
        between = _BETWEEN.search(before)
        if between is None:
            continue
        value = before[:between.start()].strip()
        if value and _balanced(value):
            return value, match.group(0)
    return None


def split_top(text: str, separator: str) -> list[str]:
    """``text`` split at top-level ``separator`` (outside braces and environments)."""
    return [piece for _, piece in _split_top(text, separator)]


def _balanced(text: str) -> bool:
    """Braces, parentheses and brackets all closed (a cut inside ``f(a, b)`` is no cut)."""
    depth = {"{": 0, "(": 0, "[": 0}
    closing = {"}": "{", ")": "(", "]": "["}
    for c in text:
        if c in depth:
            depth[c] += 1
        elif c in closing:
            depth[closing[c]] -= 1
            if depth[closing[c]] < 0:
                return False
    return not any(depth.values())


def _links_of(line: int, terms: list[str]) -> list[Claim]:
    """One equation's claims: ``t_1 = t_2 = … = v`` with every ``t`` a weight entry and ``v``
    none is a definition of each; otherwise its consecutive links."""
    if len(terms) == 1:
        return [Claim(line, terms[0], terms[0], None)]
    if len(terms) > 2 and all(is_target(t) for t in terms[:-1]) and not is_target(terms[-1]):
        return [Claim(line, f"{t} = {terms[-1]}", t, terms[-1]) for t in terms[:-1]]
    return [Claim(line, f"{a} = {b}", a, b) for a, b in zip(terms, terms[1:])]


# --- definitions written with a defining sign ------------------------------------------------

# Signs that say "is defined as": the claim they join defines its left side, it asserts nothing.
_DEFINING = ("\\coloneqq", "\\triangleq", "\\stackrel{\\text{def}}{=}",
             "\\overset{\\text{def}}{=}", "\\stackrel{\\mathrm{def}}{=}",
             "\\overset{\\mathrm{def}}{=}", "\\stackrel{\\triangle}{=}")


def defining_form(claim: Claim) -> Claim | None:
    """The claim as ``lhs = rhs`` if it is written with a defining sign (``:=``,
    ``\\coloneqq``, ``\\triangleq``, ``\\stackrel{\\text{def}}{=}``…), else None."""
    if claim.rhs is not None:
        if claim.lhs.rstrip().endswith(":") and claim.lhs.rstrip()[:-1].strip():
            return Claim(claim.line, claim.latex, claim.lhs.rstrip()[:-1].rstrip(), claim.rhs)
        return None
    for sign in _DEFINING:
        parts = split_top(claim.lhs, sign)
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            return Claim(claim.line, claim.latex, parts[0].strip(), parts[1].strip())
    return None


# --- cases -----------------------------------------------------------------------------------

Reader = Callable[[str], sp.Basic]
_OTHERWISE = {"otherwise", "else", "elsewhere", "sonst"}
_IF = re.compile(r"^(?:\\(?:text|textrm|mbox|mathrm)\{\s*(?:if|for|when)\s*\}|if\b)\s*")
_TEXT = re.compile(r"\\(?:text|textrm|mbox|mathrm)\{([^{}]*)\}")
_AND = re.compile(r"\\(?:text|textrm|mbox|mathrm)\{\s*and\s*\}|\\wedge|\\land|,")
_OR = re.compile(r"\\(?:text|textrm|mbox|mathrm)\{\s*or\s*\}|\\vee|\\lor")


def cases_to_piecewise(latex: str, variables, read: Reader) -> sp.Expr:
    """``\\begin{cases} v & cond \\\\ … & \\text{otherwise} \\end{cases}`` as a Piecewise (a
    sum of Kronecker deltas when every condition fixes indices and no two rows overlap).
    Conditions may name only the definition's indices: anything else is refused."""
    start = latex.index("\\begin{cases}") + len("\\begin{cases}")
    end = latex.index("\\end{cases}")
    pieces = []
    for row in (r.strip() for r in split_top(latex[start:end], "\\\\")):
        if not row:
            continue
        if pieces and pieces[-1][1] is True:
            raise SymproofError(f"the cases row {row!r} follows the 'otherwise' row: it never "
                                "applies")
        value, condition = _row(row, set(variables), read)
        pieces.append((read(value), condition))
    if not pieces or pieces[-1][1] is not True:
        pieces.append((sp.S.Zero, True))  # the document's "0 (otherwise)" may sit outside
    # Index conditions (γ = l, α = 2 ∧ β = 1) with 0 otherwise are sums of Kronecker deltas,
    # which the tactics sum out, when no two rows can hold at once (a sum would add up rows
    # that overlap, where cases take the first that holds); anything else stays a Piecewise.
    rows = [_equalities(c) for _, c in pieces[:-1]]
    if pieces[-1][0] == 0 and all(rows) and disjoint(rows):
        return sp.Add(*(value * sp.Mul(*(sp.KroneckerDelta(e.lhs, e.rhs)
                                         for e in _equalities(condition)))
                        for value, condition in pieces[:-1]))
    return sp.Piecewise(*pieces)


def _row(row: str, variables: set, read: Reader):
    """A cases row as (value, condition): split at ``&``, else before ``\\text{if}``, else at a
    trailing parenthesised condition, else (the ``&`` may have been blanked out) at the first
    gap between words after which a condition reads."""
    parts = split_top(row, "&")
    if len(parts) >= 2:
        return parts[0], _condition(" ".join(parts[1:]), variables, read)
    found = re.search(r"\\(?:text|textrm|mbox|mathrm)\{\s*(?:if|for|when)\b", row)
    if found:
        return row[:found.start()], _condition(row[found.start():], variables, read)
    text = row.rstrip()
    if text.endswith(")"):
        depth = 0
        for at in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[at], 0)
            if depth == 0:
                if text[:at].strip() and _balanced(text[:at]):
                    return text[:at], _condition(text[at:], variables, read)
                break
    why, hint = "", "write value & condition, or value & \\text{otherwise}"
    for gap in sorted(_gaps(text), key=lambda g: (g[1] - g[0] < 2, g[0])):
        value, condition = text[:gap[0]], text[gap[1]:]
        if condition[:1] in "+-*/^=<>,)]}" or not _balanced(value) or "\\text" in value:
            continue
        try:
            return value, _condition(condition, variables, read)
        except SymproofError as error:
            why = why or str(error)  # the likeliest split's reason (the widest gap)
    raise SymproofError(f"the cases row {row.strip()!r} has no condition read "
                        f"({why or hint})")


def _gaps(text: str) -> list[tuple[int, int]]:
    """Where runs of spaces stand outside braces and parentheses: (start, end)."""
    gaps, depth = [], 0
    for match in re.finditer(r"[{(\[]|[})\]]|\s+", text):
        token = match.group(0)
        if token in "{([":
            depth += 1
        elif token in "})]":
            depth -= 1
        elif depth == 0 and match.start() > 0:
            gaps.append((match.start(), match.end()))
    return gaps


def _condition(text: str, variables: set, read: Reader):
    """A row's condition as a SymPy boolean, True for ``otherwise``."""
    text = text.strip().rstrip(".,;").strip()
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    text = _IF.sub("", text).strip()
    words = " ".join(_TEXT.sub(r" \1 ", text).replace(",", " ").split()).lower()
    if words in _OTHERWISE:
        return True
    alternatives = []
    for alternative in _OR.split(text):
        relations = []
        for part in (p.strip() for p in _AND.split(alternative)):
            if part:
                relations.extend(_relations(part, variables, read))
        if not relations:
            raise SymproofError(f"the cases condition {text!r} is empty")
        alternatives.append(sp.And(*relations))
    return sp.Or(*alternatives)


def _relations(part: str, variables: set, read: Reader) -> list:
    """One condition's relations: ``\\alpha \\ne 2``, or a chain ``\\alpha = \\beta = 2`` as
    its links. Each names only the definition's indices."""
    links = split_top(part, "=")
    text = re.sub(r"\\ne(?![a-z])", r"\\neq", part).replace("\\ ", " ")
    pairs = [f"{a} = {b}" for a, b in zip(links, links[1:])] if len(links) > 2 and not any(
        link.rstrip().endswith(("\\le", "\\ge", "<", ">", "!")) for link in links) else [text]
    relations = []
    for pair in pairs:
        relation = read(pair)
        if not isinstance(relation, sp.core.relational.Relational):
            raise SymproofError(f"the cases condition {part!r} is not a relation such as "
                                "\\alpha = 1 or \\alpha \\ne \\beta")
        unknown = sorted(s.name for s in relation.free_symbols - variables)
        if unknown:
            raise SymproofError(f"the cases condition {part!r} names {unknown[0]}, which is "
                                "not an index of the definition")
        relations.append(relation)
    return relations


def disjoint(rows: list[list]) -> bool:
    """Whether every two rows of equalities contradict each other: some index is set to two
    different numbers."""
    def values(row):
        return {e.lhs: e.rhs for e in row if e.rhs.is_number} | {
            e.rhs: e.lhs for e in row if e.lhs.is_number}

    settings = [values(row) for row in rows]
    return all(any(k in b and (a[k] - b[k]).is_zero is False for k in a)
               for n, a in enumerate(settings) for b in settings[n + 1:])


def _equalities(condition) -> list:
    if condition is True or condition is sp.true:
        return []
    parts = condition.args if isinstance(condition, sp.And) else (condition,)
    return list(parts) if all(isinstance(c, sp.Equality) for c in parts) else []


# --- applying weight definitions -------------------------------------------------------------

def with_weights(expr, weights: dict, used: set):
    """Substitute the weight/bias definitions ``weights`` (array name → [(key, (pattern,
    body))]); the keys of those that applied are added to ``used``. A definition such as
    ``w_{1,α,β} = …`` covers the entries whose fixed indices match (here output channel 1);
    where several cover an entry, the one that fixes more indices applies (``w_{1,1,2,2} = 1``
    over ``w_{1,1,α,β} = …``, also inside a sum over α, β). Definitions that fix as many indices
    and cover the same entry agree there (or are a conflict, see :func:`conflicts`)."""
    def definition(entry):
        # Every definition whose fixed indices equal, or may equal, the entry's (a symbolic α
        # may be 2): from the least specific to the most, each overrides the value where its
        # fixed indices match, as a product of Kronecker deltas (exact for integer indices).
        candidates = []
        for key, (pattern, body) in weights.get(entry.base.label.name, []):
            if len(pattern) != len(entry.indices):
                continue
            fixed = [(p, i) for p, i in zip(pattern, entry.indices) if not p.free_symbols]
            if any(sp.Eq(p, i) == sp.false for p, i in fixed):
                continue
            candidates.append((len(fixed), key, pattern, body, fixed))
        if not candidates:
            return None
        value = entry  # an entry no definition covers stays itself
        ordered = sorted(candidates, key=lambda c: c[:2])
        # Definitions of single entries (every index a number, as a kernel matrix gives nine)
        # cover disjoint entries: one sum over them, not an override nested per entry (whose
        # expansion doubles with each); the later definition of the same entry is the one kept.
        entries = {tuple(c[2]): c for c in ordered if c[0] == len(entry.indices)}
        for _, key, pattern, body, fixed in [c for c in ordered if c[0] < len(entry.indices)]:
            used.add(key)
            given = body.xreplace({p: i for p, i in zip(pattern, entry.indices)
                                   if p.free_symbols})
            where = sp.Mul(*(sp.KroneckerDelta(p, i) for p, i in fixed if p != i))
            value = given if where == 1 else value + where * (given - value)
        before, overrides = value, []
        for _, key, _, body, fixed in entries.values():
            used.add(key)
            where = sp.Mul(*(sp.KroneckerDelta(p, i) for p, i in fixed if p != i))
            if where == 1:  # this very entry
                return body
            overrides.append(where * (body - before))
        value = before + sp.Add(*overrides)
        # δ·δ = δ: SymPy's delta sums recurse without end on powers of one delta
        return sp.expand(value).replace(
            lambda e: e.is_Pow and isinstance(e.base, sp.KroneckerDelta) and e.exp.is_positive,
            lambda e: e.base)

    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base in (nt.w, nt.b)
                        and definition(e) is not None, definition)


# --- conflicts -------------------------------------------------------------------------------

#: At most this many entries of an overlap are compared one by one (concrete shapes).
_ENTRIES_COMPARED = 4096


def conflicts(name: str, definitions: list, shape) -> list[tuple]:
    """Pairs of definitions of the array ``name`` that fix as many indices, cover a common
    entry and give it different values (or values not shown equal): ``(key, other key, entry,
    value there, value here)``, the later key first. ``definitions`` is ``[(key, (pattern,
    body))]``; ``shape`` the array's sizes (integers where concrete)."""
    found = []
    entries: dict[tuple, tuple] = {}  # one entry each: found by lookup, not by pairs
    patterns = []
    for key, (pattern, body) in sorted(definitions, key=lambda d: d[0]):
        if all(not p.free_symbols for p in pattern):
            earlier = entries.setdefault(tuple(pattern), (key, body))
            if earlier[0] != key and _differ(earlier[1], body):
                found.append((key, earlier[0], _entry(name, pattern), earlier[1], body))
        else:
            patterns.append((key, pattern, body))
    for (k1, p1, b1), (k2, p2, b2) in itertools.combinations(patterns, 2):
        if sum(not p.free_symbols for p in p1) != sum(not p.free_symbols for p in p2):
            continue  # the more specific one overrides the other (with_weights)
        clash = _clash(p1, b1, p2, b2, shape)
        if clash is not None:
            entry, there, here = clash
            found.append((k2, k1, _entry(name, entry), there, here))
    return found


def _differ(first, second) -> bool:
    """Whether two values are not shown equal (the same, or a difference that simplifies to 0)."""
    if first == second:
        return False
    difference = sp.simplify(first - second)
    return difference != 0


def _clash(p1, b1, p2, b2, shape):
    """An entry both patterns cover with different values: (entry, value 1, value 2), or None."""
    common = []
    for n, (a, c) in enumerate(zip(p1, p2)):
        if not a.free_symbols and not c.free_symbols:
            if (a - c).is_zero is False:
                return None  # they fix this index to different numbers: no common entry
            common.append(a)
        else:
            common.append(a if not a.free_symbols else c if not c.free_symbols
                          else sp.Symbol(f"i{n + 1}", integer=True, positive=True))

    def value(pattern, body, entry):
        return body.xreplace({p: e for p, e in zip(pattern, entry) if p.free_symbols})

    there, here = value(p1, b1, common), value(p2, b2, common)
    if not _differ(there, here):
        return None
    free = [n for n, e in enumerate(common) if e.free_symbols]
    sizes = [shape[n] if shape is not None and n < len(shape) else None for n in free]
    if all(isinstance(s, (int, sp.Integer)) for s in sizes) and (
            _count(sizes) <= _ENTRIES_COMPARED):
        for values in itertools.product(*(range(1, int(s) + 1) for s in sizes)):
            entry = list(common)
            for n, v in zip(free, values):
                entry[n] = sp.Integer(v)
            a, c = value(p1, b1, entry), value(p2, b2, entry)
            if _differ(a, c):
                return tuple(entry), a, c
        return None  # equal on every entry of the layer's array
    return tuple(common), there, here


def _count(sizes: list[int]) -> int:
    total = 1
    for s in sizes:
        total *= s
    return total


def _entry(name: str, indices) -> str:
    return f"{name}[{', '.join(map(str, indices))}]"


# --- functions of plain variables ------------------------------------------------------------

# Functions whose meaning is fixed (the reader keeps gcd and lcm of symbols undefined so that
# SymPy's polynomial gcd does not stand in for them): an equation about one is a claim.
_FIXED = frozenset({"gcd", "lcm"})


def function_definition(lhs, rhs) -> bool:
    """Whether ``lhs = rhs`` defines a function: ``f(x, …)`` of distinct plain variables (not
    arrays) on the left, and the function not on the right."""
    return (isinstance(lhs, sp.core.function.AppliedUndef) and bool(lhs.args)
            and lhs.func.__name__ not in _FIXED
            and all(isinstance(a, sp.Symbol) and a.name not in nt.WINDOW_ARRAYS
                    for a in lhs.args)
            and len(set(lhs.args)) == len(lhs.args) and not rhs.has(lhs.func))


def with_functions(expr, functions: dict):
    """Calls of defined functions replaced by their definitions (``functions``: name →
    (arguments, body)); ``σ'``, ``σ''`` of a function of one variable by its derivatives."""
    def defined(call) -> tuple | None:
        name = call.func.__name__
        base = name.rstrip("'")
        if base not in functions:
            return None
        arguments, body = functions[base]
        order = len(name) - len(base)
        if len(arguments) != len(call.args) or (order and (
                len(arguments) != 1 or not smooth(body))):
            return None
        return arguments, sp.diff(body, arguments[0], order) if order else body

    def apply(call):
        arguments, body = defined(call)
        # simultaneous: σ(y) with σ(x) = … x … must not see y renamed twice
        return body.subs(dict(zip(arguments, call.args)), simultaneous=True)

    return expr.replace(lambda e: isinstance(e, sp.core.function.AppliedUndef)
                        and defined(e) is not None, apply)


def smooth(body) -> bool:
    """Whether SymPy's derivative of ``body`` means what the document means: no kink (max,
    |x|, a floor, cases) where SymPy would answer Heaviside(0) = 1/2 and PyTorch 0."""
    return not body.has(sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.Piecewise, sp.floor,
                        sp.ceiling, sp.sign)


# --- layer equations -------------------------------------------------------------------------

_BOLD = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|mathit)\{([^{}]*)\}")
_ACTIVATION = r"(?:\\[A-Za-z]+|[a-z]|\\operatorname\{[A-Za-z]+\}|\\(?:text|mathrm)\{[A-Za-z]+\})"
_LETTER = r"[A-Za-z]"


def layer_equation(latex: str) -> str | None:
    """The layer index if ``latex`` reads like an MLP's defining equation, ``v^l = σ(M^l
    u^{l-1} + b^l)``, ``v^l = M^l u^{l-1} + b^l`` or ``v^l = σ(z^l)`` (every name with the same
    layer index, written the same way); None otherwise."""
    left, equals, right = _compact(latex).partition("=")
    if not equals or "=" in right:
        return None
    for index in ("l", "\\ell", "k", "L"):
        for form in (_subscript, _superscript, _parenthesised):
            now, previous = form(index), form(f"{index}-1")
            if not re.fullmatch(now, left):
                continue
            affine = rf"{now}{previous}\+{now}"
            if re.fullmatch(affine, right) or (index != "L" and re.fullmatch(
                    rf"{_ACTIVATION}\((?:{affine}|{now})\)", right)):
                return index  # (the last layer, L, is affine: DESIGN.md's MLP)
    return None


def _script(mark: str, index: str) -> str:
    """``_{I}`` (or ``_I`` for a one-token index) after a letter; ``mark`` is ``_`` or ``^``."""
    braced = rf"{_LETTER}\{mark}\{{{re.escape(index)}\}}"
    if "-" in index:
        return braced
    return rf"(?:{braced}|{_LETTER}\{mark}{re.escape(index)})"


def _subscript(index: str) -> str:
    return _script("_", index)


def _superscript(index: str) -> str:
    return _script("^", index)


def _parenthesised(index: str) -> str:
    return rf"{_LETTER}\^\{{\({re.escape(index)}\)\}}"


def _compact(latex: str) -> str:
    """The text without spacing, sizing and bold wrappers: ``\\mathbf{W}^{(l)}`` → ``W^{(l)}``,
    ``\\left(`` → ``(``, ``\\ell`` kept."""
    text = _BOLD.sub(r"\1", latex)
    for old, new in (("\\left", ""), ("\\right", ""), ("\\big", ""), ("\\Big", ""),
                     ("\\,", ""), ("\\;", ""), ("\\!", ""), ("\\ ", ""), ("\\cdot", "")):
        text = text.replace(old, new)
    return re.sub(r"\s+", "", text).rstrip(".,;")
