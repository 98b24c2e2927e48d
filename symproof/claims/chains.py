"""Index-level links of an MLP derivation, judged entry by entry (tracker issue 13, item 5).

A link such as ``\\{σ'([A_ℓ y_{ℓ−1}]_i + [b_ℓ]_i) δ_{ij}\\}_{i,j} = diag(σ'(A_ℓ y_{ℓ−1} + b_ℓ))``
is read with the network's matrices (:func:`symproof.backprop.network_symbols`), both sides
are taken at one generic entry, every written derivative is taken from the network's definition
(``[y_ℓ]_p = σ([A_ℓ y_{ℓ−1} + b_ℓ]_p)``; ``y_L = A_L y_{L−1} + b_L``, or, for a derivative by
layer ℓ's parameters, ``y_L`` through ``y_ℓ`` with the upstream ``∂y_L/∂y_ℓ`` constant, as
:func:`symproof.backprop.differentiated` does), and the kernel decides the two entries equal
(PROVED) or not (REFUTED with exact values), in the index ranges the entries written give and
with ℓ a hidden layer (1 ≤ ℓ ≤ L − 1), the layer ``y_ℓ = σ(…)`` speaks of.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..backprop import network_symbols
from ..backprop.formulas import L, ell, n
from ..calculus import Elementwise, entry
from ..kernel import Context, counterexample, differentiated, identity, safe_doit
from ..proof import Outcome, Status
from ..reductions import MaxOver
from .context import loose_names
from .entries import POSITION, SIZE, Entries, Partial, PartialMatrix, entry_of, partial
from .extract import braced_group
from .normalize import tidy
from .parse import parse_latex

__all__ = ["index_level", "judge_link", "entry_definition", "with_entry_definitions",
           "nonempty_windows", "nondecreasing_said", "divisibility_said", "condition_beside",
           "divisibility_unread"]

# Constructs that make a link index-level: entries, builders, derivative operators, arrays.
_MARKS = ("[", "\\left\\{", "\\frac{\\partial}", "\\delta", "\\begin{array}")
# "All elements except the $i$-th element are 0": where a column [0, ⋮, e, ⋮, 0] holds e.
_STATED = re.compile(r"except the \$?\s*([A-Za-z])\s*\$?-th", re.ASCII)


def index_level(lhs: str, rhs: str) -> bool:
    """Whether a link is written at index level (entries, builders, ∂/∂ operators)."""
    return any(mark in side for side in (lhs, rhs) for mark in _MARKS)


def _network() -> dict[str, MatrixExpr]:
    """The network's matrices by name, with the layers' outputs y_ℓ and y_L."""
    net = network_symbols()
    found = {m.name: m for m in (net.A, net.b, net.y_prev, net.A_L, net.b_L, net.y_Lm1,
                                 net.upstream)}
    found["y_ell"] = sp.MatrixSymbol("y_ell", n[ell], 1)
    found["y_L"] = sp.MatrixSymbol("y_L", 1, 1)
    return found


_HIDDEN = ("A_ell", "b_ell", "y_ell-1", "y_ell")  # layer ℓ's: y_L reaches them through y_ℓ
_INDICES = ("i", "j", "k")


def _read(latex: str):
    known = [*_network().values(), n[ell], n[ell - 1], n[L - 1], ell, L,
             *(sp.Symbol(name, integer=True, positive=True) for name in (*_INDICES, "p", "q"))]
    # p and q index entries as i, j, k do (``[A_ℓ]_{p,k}``): a counterexample gives them
    # positive integers, never p = 4/3
    return parse_latex(tidy(latex), known=known)


def _jacobians(expr):
    """``∂y_ℓ/∂b_ℓ`` read as a name: the Jacobian of those matrices (the upstream
    ``∂y_L/∂y_ℓ`` stays what it is, opaque)."""
    found = _network()

    def named(e) -> bool:
        return (isinstance(e, sp.Symbol) and e.name.startswith("∂") and "/∂" in e.name
                and e.name != network_symbols().upstream.name
                and all(part in found for part in e.name[1:].split("/∂")))

    def meaning(symbol):
        top, _, bottom = symbol.name[1:].partition("/∂")
        return partial(found[top], found[bottom])

    # [∂y_L/∂A_L]_{1,j}: the entry of that Jacobian
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and named(e.base.label),
                        lambda e: entry_of(meaning(e.base.label), tuple(e.indices)))
    return expr.replace(named, meaning)


def _output(entry_name: str, wrt: sp.Basic):
    """``y_L`` in the form a derivative by ``wrt`` needs (see the module docstring)."""
    net = network_symbols()
    p = sp.Symbol("p", integer=True, positive=True)
    base = getattr(wrt, "base", None)
    if base is not None and str(base.label) in _HIDDEN:
        upstream = sp.IndexedBase(net.upstream.name)
        return sp.Sum(upstream[1, p] * sp.IndexedBase("y_ell")[p], (p, 1, n[ell]))
    return entry(net.z_L, 1)


def _defined(expr: sp.Expr, wrt: sp.Basic) -> sp.Expr:
    """The layers' outputs in ``expr`` by their definitions (``y_ℓ`` itself kept when it is
    what ``wrt`` is an entry of)."""
    net = network_symbols()
    by = str(getattr(getattr(wrt, "base", None), "label", ""))
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and str(e.base.label) == "y_L",
                        lambda e: _output("y_L", wrt))
    if by == "y_ell":
        return expr
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and str(e.base.label) == "y_ell",
        lambda e: entry(Elementwise("sigma", net.z), e.indices[0]))


def _taken(expr: sp.Expr) -> sp.Expr:
    """Every written derivative taken (innermost first), from the network's definition."""
    def take(e):
        of, wrt = _taken(e.of), e.wrt
        # the sums over δ collapse by the kernel's own summation (not SymPy's where it errs)
        return safe_doit(differentiated(_defined(of, wrt), wrt))

    return expr.replace(lambda e: isinstance(e, Partial), take)


def _ranges(*sides) -> list:
    """``1 ≤ index ≤ size`` for every index written in an entry of the network's arrays, and
    ℓ a hidden layer."""
    shapes = {name: m.shape for name, m in _network().items()}
    shapes["∂y_L/∂y_ell"] = network_symbols().upstream.shape
    relations = [sp.Le(ell, L - 1)]
    for side in sides:
        for e in side.atoms(sp.Indexed):
            shape = shapes.get(str(e.base.label))
            if shape is None:
                continue
            places = shape if len(e.indices) == 2 else shape[:1]
            relations += [sp.Le(index, size) for index, size in zip(e.indices, places)
                          if isinstance(index, sp.Symbol) and not size.is_Integer
                          and index in side.free_symbols]  # not a sum's own index
    return relations


def _within_sums(*sides) -> list:
    """``index ≤ N`` for each free index and each sum ``Σ_{k=1}^{N}`` written."""
    bounds = {high for side in sides for total in side.atoms(sp.Sum)
              for _, low, high in total.limits if low == 1}
    free = {s for side in sides for s in side.free_symbols if s.name in _INDICES}
    return [sp.Le(index, bound) for index in free for bound in bounds
            if index not in bound.free_symbols]


def _entry_pair(lhs, rhs):
    """The two sides at one generic entry, and that entry's ranges (the shape a side states);
    None when one is a matrix and the other a scalar."""
    def scalar(side):
        return isinstance(side, sp.Expr) and not isinstance(side, MatrixExpr) or \
            side.shape == (1, 1)

    if scalar(lhs) and scalar(rhs):
        return tuple(entry(s, 1, 1) if isinstance(s, MatrixExpr) else s for s in (lhs, rhs)), []
    if scalar(lhs) or scalar(rhs):
        return None
    built = next((s for s in (lhs, rhs) if isinstance(s, Entries)), None)
    i, j = (built.args[1], built.args[2]) if built is not None else (
        sp.Symbol("r", integer=True, positive=True), sp.Symbol("c", integer=True, positive=True))
    if j == 0:
        j = sp.S.One
    ranges = [sp.Le(index, size) for side in (lhs, rhs) for index, size in zip((i, j), side.shape)
              if isinstance(index, sp.Symbol) and not size.is_Integer and size != SIZE]
    return (entry(lhs, i, j), entry(rhs, i, j)), ranges


def _unbound(expr) -> set[str]:
    """Names the network does not define (an unknown function, a matrix it does not have)."""
    allowed = {"sigma", "sigma'"}
    names = {f.func.__name__ for f in expr.atoms(sp.core.function.AppliedUndef)} - allowed
    names |= {str(e.base.label) for e in expr.atoms(sp.Indexed)} - set(_network()) - {
        "n", "∂y_L/∂y_ell"}
    return names | loose_names(expr, allowed={*_INDICES, "ell", "L", "p", "r", "c"})


def judge_link(lhs_latex: str, rhs_latex: str, line_text: str = "") -> tuple[Outcome, str]:
    """The kernel's outcome on one index-level link of an MLP derivation, and why."""
    lhs, rhs = (_jacobians(_read(side)) for side in (lhs_latex, rhs_latex))
    stated = _STATED.search(line_text)
    if lhs.has(POSITION) or rhs.has(POSITION):
        if stated is None:
            return (Outcome(Status.UNKNOWN, "index level", "the column's nonzero entry has no "
                            "stated position"), "the column [0, ⋮, e, ⋮, 0] does not say where "
                    "e stands")
        at = sp.Symbol(stated.group(1), integer=True, positive=True)
        lhs, rhs = (side.xreplace({POSITION: at}) for side in (lhs, rhs))
    found = _entry_pair(lhs, rhs)
    if found is None:
        return (Outcome(Status.UNKNOWN, "index level", "a matrix on one side, a number on the "
                        "other"), "one side is a matrix and the other a number")
    pair, shaped = found
    unbound = sorted(_unbound(pair[0]) | _unbound(pair[1]))
    if unbound:
        return (Outcome(Status.UNKNOWN, "index level", f"uses {', '.join(unbound[:3])}"),
                f"uses {', '.join(unbound[:3])}, which the MLP does not define")
    written = [*_ranges(*pair), *shaped]
    left, right = (_taken(side) for side in pair)
    if left.has(Partial, PartialMatrix) or right.has(Partial, PartialMatrix):
        return (Outcome(Status.UNKNOWN, "index level", "a derivative left untaken"),
                "a derivative symproof could not take")
    why = "entry by entry, from the MLP's definition (numerator layout, ℓ a hidden layer, " \
          "1 ≤ ℓ ≤ L − 1)"
    proof = identity(left, right, Context(written), search=False)
    if proof.status is Status.PROVED:  # most links hold: no search for what cannot exist
        return proof, why
    # A counterexample inside every written sum's range first (the index that breaks the
    # link, not a range it leaves), then anywhere the link's own ranges allow.
    for ctx in (Context([*written, *_within_sums(*pair)]), Context(written)):
        found = counterexample(left, right, ctx)
        if found.status is Status.REFUTED:
            return found, why
    return proof, why


# --- functions whose entries a document defines (P4's ρ) -------------------------------------

def entry_definition(lhs: sp.Expr, rhs: sp.Expr):
    """``[ρ(X)]_{i,j} = E`` (or ``σ([ρ(X)]_{i,j}) = σ(E)``, the same function on both sides),
    with E free of ρ: ρ's entries defined, as ``(ρ, (i, j), E)``; None for anything else."""
    while (isinstance(lhs, sp.core.function.AppliedUndef) and len(lhs.args) == 1
           and getattr(rhs, "func", None) == lhs.func):
        lhs, rhs = lhs.args[0], rhs.args[0]
    if not (isinstance(lhs, sp.core.function.AppliedUndef) and len(lhs.args) > 1
            and isinstance(lhs.args[0], sp.Lambda)):
        return None
    array, indices = lhs.args[0], lhs.args[1:]
    plain = isinstance(array.expr, sp.Indexed) and tuple(array.expr.indices) == tuple(
        array.variables)  # ρ(X) itself, not ρ(σ(X))
    distinct = all(isinstance(i, sp.Symbol) for i in indices) and len(set(indices)) == len(
        indices)
    if not (plain and distinct) or rhs.has(lhs.func):
        return None
    return lhs.func, array.expr.base, tuple(indices), rhs


def with_entry_definitions(expr: sp.Expr, definitions: dict) -> sp.Expr:
    """Every ``ρ(Z, i', j')`` whose ρ the document defines, replaced by its definition at
    (i', j') with each entry of the defining array read from Z."""
    def expand(e):
        base, indices, body = definitions[e.func]
        array, places = e.args[0], e.args[1:]
        at = body.xreplace(dict(zip(indices, places)))
        return at.replace(lambda x: isinstance(x, sp.Indexed) and x.base == base,
                          lambda x: array(*x.indices))

    return expr.replace(lambda e: isinstance(e, sp.core.function.AppliedUndef)
                        and e.func in definitions and len(e.args) > 1
                        and isinstance(e.args[0], sp.Lambda), expand)


def nonempty_windows(*sides) -> list:
    """``low ≤ high`` for every window ``max_{low ≤ p ≤ high}`` written: a pooling window as
    written has entries (a max over nothing is no pooling)."""
    return [sp.Le(low, high) for side in sides for window in side.atoms(MaxOver)
            for _, low, high in window.limits]


# "σ is a nondecreasing function", "\sigma \text{ is nondecreasing}": said of σ
# "σ is nondecreasing / monotone / increasing", not "non-increasing", "nonmonotone"
_NONDECREASING = re.compile(r"\\sigma[^.;]{0,40}?(?<![A-Za-z-])(?<!non )"
                            r"(non-?decreasing|monotone|increasing)")
# "monotone decreasing", "σ decreasing": a decreasing σ, whatever else the line says
_DECREASING = re.compile(r"(?i)(?<!non-)(?<!non )\bdecreasing")


# "$k \mid m$: write $m = k q$" beside a claim: the divisibility it holds under; a name is
# a letter with an optional braced subscript, standing alone: "a k \mid m", "k \mid m + 1",
# "k \mid m^2" state something else. Words of negation, doubt or supposition anywhere on the
# line ("$k \mid m$ fails", "we do not assume", "is it true when $k \mid m$?") void it, and
# so does a comment: what the reader of the document does not see is not said.
_DIVIDES = re.compile(r"([A-Za-z](?:_\{[A-Za-z0-9]+\}|_[A-Za-z0-9])?)\s*\\mid\s*"
                      r"([A-Za-z](?:_\{[A-Za-z0-9]+\}|_[A-Za-z0-9])?)"
                      r"(?=\s*(?:$|[$,.;:)\]]|\\(?:text|quad|qquad|checkmark|square)(?![A-Za-z])"
                      r"|\\[;,:!\s]|\}))")
# what may stand right before the first name: a "$", an opening, a space command or a
# \text{…} (not a factor: "a k \mid m")
_ALONE_BEFORE = re.compile(r"(?:^|[$(\[{,;:]|\\text\s*\{[^{}]*\}|\\[;,:!\s]|\\q?quad)\s*$")
_NEGATED = re.compile(r"(?i)\b(?:without|unless|not|no|never|nor|fails?|failed|false|wrong|"
                      r"otherwise|suppose|supposing|were|would|dropped|drop|counterexamples?|"
                      r"but|general|iff|whether|except|neither|cannot|isn|doesn|"
                      r"don|aren|won)\b|n't|\?|\\(?:nmid|neq?|neg|lnot|not|iff|Leftrightarrow)"
                      r"(?![A-Za-z])|\\not\s*\\mid|\\centernot")
_COMMENT = re.compile(r"(?<!\\)%.*$", re.M)
_CONCLUDED = re.compile(r"(?i)\b(?:so|hence|thus|therefore|implies|implying|gives|giving|"
                        r"shows?|proves?)\b|\\(?:therefore|Rightarrow|implies|to)(?![A-Za-z])")


def divisibility_said(text: str) -> list[str]:
    """``["k \\mid m"]`` when ``text`` (a claim's line: the reason beside it) says the claim
    holds where k divides m; nothing when a word of negation, doubt or supposition stands
    anywhere on it ("without k ∣ m …", "k ∣ m fails", "if k ∣ m … but"): an assumption too few
    never proves too much."""
    text = _COMMENT.sub("", text)
    if _NEGATED.search(text):
        return []
    found = []
    for match in _DIVIDES.finditer(text):
        if _CONCLUDED.search(text, 0, match.start()):
            break  # "…, hence k ∣ m": what the claim implies, not what it holds under
        if _ALONE_BEFORE.search(text, 0, match.start()):
            found.append(f"{match.group(1)} \\mid {match.group(2)}")
    return found


# A condition in a tag or a column of reasons, which the reader drops from the claim: an
# inequality, ≠ or ∈ (``\tag{$a \geq 0$}``, "cases $a \geq b$ …"), or a word of condition
# before a relation ("&& \text{if } a = 0", "(valid for $i = 1$)"), or a reason that sets a
# value ("since $w_{1,1,1,1} = 2$"). ``\mid`` is read apart.
_TAG = re.compile(r"\\tag\*?\s*\{")
_INEQUALITY = re.compile(r"\\(?:geq?|leq?|ge|le|gt|lt|neq?|in|notin|nmid|geqslant|leqslant)"
                         r"(?![A-Za-z])|[<>≥≤≠∈]")
_IF_RELATION = re.compile(r"(?i)\b(?:if|iff|when|whenever|where|provided|assuming|given|for|with"
                          r"|unless|valid|holds?|since|because|as|by|using|taking|setting|let)"
                          r"\b[^.;]{0,60}?(?<![:\\])=")


def condition_beside(text: str) -> str:
    """The condition written in a tag or a ``&&`` column of ``text`` (a claim's lines), or "":
    the claim is read without it, so a counterexample may break it (never REFUTED then)."""
    text = _COMMENT.sub("", text)
    found = []
    for tag in _TAG.finditer(text):
        found.append(braced_group(text, tag.end() - 1)[0])
    found += [line.split("&&", 1)[1] for line in text.splitlines() if "&&" in line]
    for beside in found:
        if _INEQUALITY.search(beside) or _IF_RELATION.search(beside):
            return " ".join(beside.split())
    return ""


def divisibility_unread(text: str) -> bool:
    """Whether ``text`` states a divisibility that :func:`divisibility_said` does not read as
    the claim's condition ("$k \\mid m - 1$", "$S \\mid H + 2P - F$") and does not negate: a
    counterexample may break it."""
    text = _COMMENT.sub("", text)
    return "\\mid" in text.replace("\\nmid", "") and not _NEGATED.search(text) \
        and not divisibility_said(text)


def nondecreasing_said(text: str) -> list[str]:
    """``["sigma"]`` when ``text`` says σ is nondecreasing (the document's own reason); nothing
    when it says so of another ("non-increasing", "nonmonotone", "monotone decreasing") or with
    words of negation or doubt ("σ is not monotone here")."""
    said = _NONDECREASING.search(text)
    # words of negation or doubt anywhere on the line void it, as for a divisibility
    return ["sigma"] if said and not _NEGATED.search(_COMMENT.sub("", text)) \
        and not _DECREASING.search(text) else []
