"""Judging a written solution claim by claim, in the context of the layer it talks about.

Each claim gets a :class:`Verdict`: a proof step (claim, reason, the kernel's outcome) with its
source line, whose status (DESIGN.md) is its outcome's; a claim that cannot be read is UNKNOWN
and shown as UNPARSED (its ``label``):

* an element formula ``Y_{l,i,j} = …``: the left side is what the layer in context computes
  (its element formula, with the document's weights substituted when it defines them, even
  further down), the right side is the claim; they must be equal for all indices;
* an output size ``W_out = …`` / ``H_out = …``: the left side is the layer's output size;
* a Jacobian ``∂y_L/∂A_ℓ = …`` of an MLP: the left side is symproof's formula (numerator
  layout);
* a weight or bias definition (``w_{…} = \\begin{cases}…``) is recorded in the context; its
  verdict is whether the layer with those weights computes what the document claims of it;
* anything else: an identity, proved, refuted with a counterexample, or UNKNOWN.

Writing conventions are normalised first (``X_{i,j}`` on a one-channel input is ``X_{1,i,j}``,
``w_{l,α,β}`` is ``w_{l,1,α,β}``; sizes named in the context, like F = 3, are substituted).
A claim that names something the context does not define is UNKNOWN, never refuted.

Without directives, the context is inferred per section: a convolution from prose such as
``C_in = 1, C_out = 2, F = 3, S = 1, P = 1``, an MLP from ``y_L = A_L y_{L−1} + b_L``.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy as sp

from .. import limits
from .. import notation as nt
from ..backprop import check_formula, derive, network_symbols
from ..errors import SymproofError, TooLargeError
from ..kernel import divisible_floor, prove
from ..kernel.context import broken_range, layer_context
from ..limits import check_expression
from ..proof import Outcome, Status, Step
from .chains import (
    function_definition,
    index_level,
    judge_link,
    nondecreasing_said,
    nonempty_windows,
    with_functions,
)
from .context import (
    DocumentContext,
    Problem,
    assume_all,
    contexts_from_directives,
    infer_context,
    sections,
    unbound_beside,
)
from .extract import Claim, directives, extract
from .normalize import tidy
from .parse import ParseError, parse_latex
from .reuse import fingerprint
from .runon import split_run_on
from .vocabulary import (
    bare_sum_bounds,
    rename,
    renamed_indices,
)

__all__ = ["Verdict", "check_text", "DocumentContext"]

#: How a claim that could not be read is shown (its status is UNKNOWN).
UNPARSED = "UNPARSED"
#: The tactic of the outcome of a claim that could not be read.
UNREAD = "unparsed"
#: The tactic of the outcome of a weight definition, until the claims that use it decide it.
WEIGHTS = "weight definition"
_INDEX_NAMES = (*nt.INDICES, nt.LAYER_INDEX)


@dataclass
class Verdict(Step):
    """The result for one claim: a :class:`~symproof.proof.Step` (its ``justification`` is the
    reason, its ``outcome`` what decided it) with its source ``line`` and ``latex``, and the
    ``evidence`` shown to tools. ``status`` is the outcome's :class:`Status`; a strong one is
    always an outcome the kernel produced for this claim, or for the claim about the layer
    that decided a weight definition. A claim that could not be read has an UNKNOWN outcome
    with the tactic ``"unparsed"``: ``parsed`` is False and ``label`` (what the CLI, JSON and
    notes print) is ``"UNPARSED"``; otherwise ``label`` is the status's name.

    >>> v = Verdict.of(3, "a = ", Outcome(Status.UNKNOWN, UNREAD, "no right side"), "no right side")
    >>> v.status.name, v.parsed, v.label, v.to_dict()["status"]
    ('UNKNOWN', False, 'UNPARSED', 'UNPARSED')
    """

    line: int = 0
    latex: str = ""
    evidence: dict = field(default_factory=dict)

    @classmethod
    def of(cls, line: int, latex: str, outcome: Outcome, reason: str,
           evidence: dict | None = None) -> Verdict:
        """The verdict on the claim ``latex`` at ``line``, decided by ``outcome``."""
        return cls(None, reason, outcome, line=line, latex=latex, evidence=dict(evidence or {}))

    @property
    def reason(self) -> str:
        """Why: the step's justification."""
        return self.justification

    @property
    def parsed(self) -> bool:
        """Whether the claim could be read at all."""
        return self.outcome.tactic != UNREAD

    @property
    def label(self) -> str:
        """The status's name, or UNPARSED for a claim that could not be read."""
        return self.status.name if self.parsed else UNPARSED

    def to_dict(self) -> dict:
        return {"line": self.line, "latex": self.latex, "status": self.label,
                "reason": self.reason, "evidence": self.evidence}

    def to_latex(self, *, inline: bool = False, layout: str | None = None) -> str:
        """The claim as the document wrote it (``$…$`` with ``inline``)."""
        return f"${self.latex}$" if inline else self.latex


def _undecided(line: int, latex: str, tactic: str, reason: str) -> Verdict:
    """An UNKNOWN verdict: ``tactic`` names what left the claim undecided."""
    return Verdict.of(line, latex, Outcome(Status.UNKNOWN, tactic, reason), reason)


def _unparsed(line: int, latex: str, reason: str) -> Verdict:
    """The verdict on a claim (or directive) that could not be read: UNKNOWN, shown UNPARSED.
    The reason is one line, at most :data:`_REASON_CHARS` characters."""
    reason = " ".join(reason.split())
    if len(reason) > _REASON_CHARS:
        reason = reason[:_REASON_CHARS - 1] + "…"
    return Verdict.of(line, latex, Outcome(Status.UNKNOWN, UNREAD, reason), reason)


#: The longest reason an UNPARSED claim is shown with (the claim itself is shown beside it).
_REASON_CHARS = 240


def _known_symbols() -> list[sp.Basic]:
    names = [sp.Symbol(n, integer=True, positive=True) for n in _INDEX_NAMES]
    # Generic sizes m and L, and the course letters of the positive layer sizes (a padding may
    # be 0); every axis's input and output sizes (H_in, W_out, L_in…).
    positive = ("input", "channels", "kernel_size", "stride", "dilation", "in_channels",
                "out_channels", "groups")
    axes = [a for names in nt.AXES.values() for a in names]
    letters = (*(nt.LETTERS[p] for p in positive), *nt.AXIS_LETTERS["kernel_size"], *axes,
               *(f"{a}_{end}" for a in axes for end in ("in", "out")))
    sizes = [sp.Symbol(n, integer=True, positive=True) for n in ("m", "L", *letters)]
    return names + sizes + [sp.Symbol(nt.LETTERS["padding"], integer=True, nonnegative=True)]


KNOWN = _known_symbols()


def _read(latex: str, extra=()):
    return parse_latex(tidy(latex), known=[*KNOWN, *extra])


# --- context ---------------------------------------------------------------------------------

# --- judging --------------------------------------------------------------------------------

def _conventions(expr, ctx: DocumentContext):
    """Shorthand in full (:func:`_in_full`), the padded image X̄ as the input it pads, and
    named sizes substituted."""
    expr = rename(expr, ctx.names, _bound(ctx))  # the document's letters as the model's
    expr = bare_sum_bounds(expr, {nt.w: getattr(ctx.layer, "parameter_shapes", {}).get("w")}
                           if hasattr(ctx.layer, "parameter_shapes") else {})
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed),
                        lambda e: e.base[_in_full(e.base, tuple(e.indices), ctx)])
    expr = _unpadded(expr, ctx.layer)
    values = {s: sp.sympify(ctx.values[s.name]) if isinstance(ctx.values[s.name], int)
              else ctx.values[s.name] for s in expr.free_symbols
              if isinstance(s, sp.Symbol) and s.name in ctx.values}
    return expr.xreplace(values)


def _in_context(expr, ctx: DocumentContext):
    """``expr`` (an assumption) in the names of the context it joins: the document's letters
    as the model's, and the sizes its directive binds (so ``W_1`` is the positive integer
    input width ``input=H_1xW_1`` gave)."""
    return rename(expr, ctx.names, _bound(ctx))


def _bound(ctx: DocumentContext) -> dict[str, sp.Basic]:
    """What the context binds, by name: its sizes (``H_in``, ``F``…) and the symbols its
    directive gave as values (``kernel_size=k`` binds k, a positive integer)."""
    bound = {s.name: s for value in ctx.values.values() if isinstance(value, sp.Basic)
             for s in value.free_symbols}
    bound.update({name: sp.Integer(value) if isinstance(value, int) else value
                  for name, value in ctx.values.items()})
    return bound


def _index_clash(lhs, rhs, ctx: DocumentContext) -> str:
    """Why a claim cannot be read in a context that renames an index letter (``i=L_in``):
    it writes array entries, whose indices would silently become sizes."""
    letters = renamed_indices(ctx.names)
    if letters and any(side.atoms(sp.Indexed) for side in (lhs, rhs)):
        return (f"{', '.join(letters)} name{'s' if len(letters) == 1 else ''} sizes in this "
                "context (a names directive), so they cannot be indices of an entry here")
    return ""


def _channels(ctx: DocumentContext) -> tuple:
    """The layer's input and output channel counts (a pooling layer's are the directive's
    ``channels``), None where unknown."""
    layer = ctx.layer
    if getattr(layer, "spec", None) is None:
        return None, None
    if hasattr(layer, "in_channels"):
        return layer.in_channels, layer.out_channels
    named = ctx.values.get(nt.LETTERS["channels"])
    return named, named


def _in_full(base, indices: tuple, ctx: DocumentContext) -> tuple:
    """An entry's indices with the one-channel shorthand written out: ``X_{p,q}`` is
    ``X_{1,p,q}`` on a one-channel input, ``Y_{i,j}`` is ``Y_{1,i,j}`` on a one-channel output,
    and ``w`` drops the channel that has size 1 (``w_{l,α,β}`` when C_in = 1, ``w_{γ,α,β}``
    when C_out = 1). Anything else is left as written: a shorthand on several channels
    names no entry."""
    spec = getattr(ctx.layer, "spec", None)
    if spec is None or not spec.axes:
        return indices
    axes = len(spec.axes)
    c_in, c_out = _channels(ctx)
    if base in (nt.X, nt.Xbar) and len(indices) == axes and c_in == 1:
        return (1, *indices)
    if base == nt.Y and len(indices) == axes and c_out == 1:
        return (1, *indices)
    shape = getattr(ctx.layer, "parameter_shapes", {}).get("w")
    if base == nt.w and shape is not None and len(indices) == len(shape) - 1:
        # the channel of size 1 is left out: the second (w_{l,α,β} when C_in = 1 for a
        # convolution, whose w is (C_out, C_in/G, …); C_out = 1 for a transposed one) or else
        # the first
        if shape[1] == 1:
            return (indices[0], 1, *indices[1:])
        if shape[0] == 1:
            return (1, *indices)
    return indices


def _unpadded(expr, layer):
    """``X̄_{γ,p,q}`` as ``X_{γ,p−P,q−P}``: the padded image is the input it pads, so that the
    padding rule (X is 0 outside its range) speaks of both."""
    spec = getattr(layer, "spec", None)
    if spec is None or "padded coordinates" not in spec.capabilities or not expr.has(nt.Xbar):
        return expr  # X̄ is defined for the layers that pad their input
    padding = layer.padding
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == nt.Xbar
        and len(e.indices) == 1 + len(padding),
        lambda e: nt.X[(e.indices[0], *(p - pad for p, pad in zip(e.indices[1:], padding)))])


def _wrong_rank(expr, ctx: DocumentContext) -> str:
    """An entry of X, w, b or Y with another number of indices than the layer's arrays: it
    names nothing the layer has."""
    spec = getattr(ctx.layer, "spec", None)
    if spec is None or not spec.axes:
        return ""
    axes = len(spec.axes)
    ranks = {nt.X: axes + 1, nt.Xbar: axes + 1, nt.Y: axes + 1, nt.b: 1}
    if hasattr(ctx.layer, "parameter_shapes"):
        ranks[nt.w] = len(ctx.layer.parameter_shapes["w"])
    for entry in sorted(expr.atoms(sp.Indexed), key=str):
        wanted = ranks.get(entry.base)
        if wanted is not None and len(entry.indices) != wanted:
            return (f"{entry.base}[{', '.join(map(str, entry.indices))}] has "
                    f"{len(entry.indices)} indices, but {entry.base} of {ctx.layer!r} has "
                    f"{wanted}")
    return ""


def _with_weights(expr, ctx: DocumentContext, used: set[int]):
    """Substitute the document's weight/bias definitions; the lines of those that applied are
    added to ``used``. A definition such as ``w_{1,α,β} = …`` covers the entries whose fixed
    indices match (here output channel 1); where several cover an entry, the one that fixes
    more indices applies (``w_{1,1,2,2} = 1`` over ``w_{1,1,α,β} = …``, also inside a sum
    over α, β), then the first."""
    def definition(entry):
        # Every definition whose fixed indices equal, or may equal, the entry's (a symbolic α
        # may be 2): from the least specific to the most, each overrides the value where its
        # fixed indices match, as a product of Kronecker deltas (exact for integer indices).
        candidates = []
        for line, (pattern, body) in ctx.weights.get(entry.base.label.name, []):
            if len(pattern) != len(entry.indices):
                continue
            fixed = [(p, i) for p, i in zip(pattern, entry.indices) if not p.free_symbols]
            if any(sp.Eq(p, i) == sp.false for p, i in fixed):
                continue
            candidates.append((len(fixed), -line, line, pattern, body, fixed))
        if not candidates:
            return None
        value = entry  # an entry no definition covers stays itself
        for _, _, line, pattern, body, fixed in sorted(candidates, key=lambda c: c[:2]):
            used.add(line)
            given = body.xreplace({p: i for p, i in zip(pattern, entry.indices)
                                   if p.free_symbols})
            where = sp.Mul(*(sp.KroneckerDelta(p, i) for p, i in fixed if p != i))
            value = given if where == 1 else value + where * (given - value)
        # δ·δ = δ: SymPy's delta sums recurse without end on powers of one delta
        return sp.expand(value).replace(
            lambda e: e.is_Pow and isinstance(e.base, sp.KroneckerDelta) and e.exp.is_positive,
            lambda e: e.base)

    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base in (nt.w, nt.b)
                        and definition(e) is not None, definition)


def _cases_to_piecewise(latex: str, variables) -> sp.Expr:
    """``\\begin{cases} v (cond) \\\\ … (\\text{otherwise}) \\end{cases}`` as a Piecewise."""
    start = latex.index("\\begin{cases}") + len("\\begin{cases}")
    end = latex.index("\\end{cases}")
    pieces = []
    for row in latex[start:end].split("\\\\"):
        row = row.strip()
        if not row:
            continue
        value, _, condition = row.partition("(")
        condition = condition.rsplit(")", 1)[0].strip()
        parsed_value = _read(value.replace("&", ""))
        if "otherwise" in condition:
            pieces.append((parsed_value, True))
            continue
        parts = [c.strip() for c in condition.replace("\\ ", "").split(",") if c.strip()]
        relations = [_read(c) for c in parts]
        pieces.append((parsed_value, sp.And(*relations)))
    if not pieces or pieces[-1][1] is not True:
        pieces.append((sp.S.Zero, True))  # the document's "0 (otherwise)" may sit outside
    # Index conditions (γ = l, α = 2 ∧ β = 1) with 0 otherwise are sums of Kronecker deltas,
    # which the tactics sum out, when no two rows can hold at once (a sum would add up rows
    # that overlap, where cases take the first that holds); anything else stays a Piecewise.
    rows = [_equalities(c) for _, c in pieces[:-1]]
    if pieces[-1][0] == 0 and all(rows) and _disjoint(rows):
        return sp.Add(*(value * sp.Mul(*(sp.KroneckerDelta(e.lhs, e.rhs)
                                         for e in _equalities(condition)))
                        for value, condition in pieces[:-1]))
    return sp.Piecewise(*pieces)


def _disjoint(rows: list[list]) -> bool:
    """Whether every two rows of equalities contradict each other: some index is set to two
    different numbers."""
    def values(row):
        return {e.lhs: e.rhs for e in row if e.rhs.is_number} | {
            e.rhs: e.lhs for e in row if e.lhs.is_number}

    settings = [values(row) for row in rows]
    return all(any(k in b and (a[k] - b[k]).is_zero is False for k in a)
               for n, a in enumerate(settings) for b in settings[n + 1:])


def _equalities(condition) -> list:
    parts = condition.args if isinstance(condition, sp.And) else (condition,)
    return list(parts) if all(isinstance(c, sp.Equality) for c in parts) else []


def _layer_context(ctx: DocumentContext):
    """The kernel's context for a claim: the document's assumptions, and what the layer's
    semantics gives (indices in range, X known outside its index range)."""

    layer = ctx.layer if ctx.layer != "mlp" else None
    axes = layer.spec.axes if getattr(layer, "spec", None) is not None else ()
    return layer_context(layer, *(ctx.values.get(f"{axis}_in") for axis in axes),
                         assuming=[a for a in ctx.assumptions if isinstance(a, sp.Basic)],
                         channels=_channels(ctx)[0])


def _judge_index_level(claim: Claim, ctx: DocumentContext) -> Verdict:
    """A link of an MLP derivation written at index level (:mod:`.chains`)."""
    line = claim.words
    outcome, reason = judge_link(claim.lhs, claim.rhs, line)
    evidence = {"tactic": outcome.tactic, "detail": outcome.detail}
    if outcome.counterexample:
        evidence["counterexample"] = {k: str(v) for k, v in outcome.counterexample.items()}
        shown = ", ".join(f"{k} = {v}" for k, v in list(outcome.counterexample.items())[:8])
        reason += f"; counterexample {shown}"
    elif outcome.status is Status.UNKNOWN:
        reason += f": {outcome.detail}"
    return Verdict.of(claim.line, claim.latex, outcome, reason, evidence)


def _judge_equation(claim: Claim, ctx: DocumentContext) -> Verdict:
    clash = _index_clash(_read(claim.lhs), _read(claim.rhs), ctx) if ctx.names else ""
    if clash:
        return _undecided(claim.line, claim.latex, "undefined names", clash)
    if ctx.layer == "mlp" and index_level(claim.lhs, claim.rhs):
        return _judge_index_level(claim, ctx)
    lhs = _conventions(_read(claim.lhs), ctx)
    if ctx.layer == "mlp" and isinstance(lhs, sp.Symbol) and lhs.name.startswith("∂"):
        return _judge_jacobian(claim, lhs)  # its right side names matrices: read it there
    rhs = _conventions(_read(claim.rhs), ctx)
    applied = False  # whether a function the document defines (ρ) is applied here
    if ctx.functions:  # [ρ(σ(X))]_{i,j} by the document's definition of ρ
        arrays = [array for array, _, _ in ctx.functions.values()]
        applied = any(side.has(*ctx.functions, *arrays) for side in (lhs, rhs))
        lhs, rhs = with_functions(lhs, ctx.functions), with_functions(rhs, ctx.functions)
    if (isinstance(lhs, sp.core.function.AppliedUndef) and lhs.args
            and all(isinstance(a, sp.Symbol) and a.name not in nt.WINDOW_ARRAYS
                    for a in lhs.args)
            and len(set(lhs.args)) == len(lhs.args) and not rhs.has(lhs.func)):
        # σ(x) = 1/(1 + e^{−x}) names what σ is: a definition, not a claim about every σ
        return _undecided(claim.line, claim.latex, "definition",
                          f"a definition of {lhs.func.__name__} (not judged)")
    reason = "identity"
    used: set[int] = set()  # the lines of the weight definitions substituted
    if ctx.weights and (lhs.has(nt.w, nt.b) or rhs.has(nt.w, nt.b)):
        # The document's weights apply to every claim of their context, wherever defined.
        lhs, rhs = _with_weights(lhs, ctx, used), _with_weights(rhs, ctx, used)
    context = _layer_context(ctx)
    spec = getattr(ctx.layer, "spec", None)
    outputs = spec.output_indices if spec is not None and spec.axes else ()
    about_the_layer = False
    wrong = _wrong_rank(lhs, ctx) or _wrong_rank(rhs, ctx)
    if wrong:
        return _undecided(claim.line, claim.latex, "undefined names", wrong)
    if (isinstance(lhs, sp.Indexed) and lhs.base == nt.Y and outputs
            and len(lhs.indices) == len(outputs)):
        indices = tuple(lhs.indices)
        beyond = broken_range(context, dict(zip((nt.index_symbol(n) for n in outputs),
                                                indices)))
        if beyond is not None:  # no such entry: nothing to judge (and nothing to refute)
            return _undecided(claim.line, claim.latex, "output range",
                              f"Y at ({', '.join(map(str, indices))}) is outside the layer's "
                              f"output, where {beyond}")
        model = ctx.layer.element(*indices, padded=True) if ctx.padded else (
            ctx.layer.element(*indices))
        # the input's size where the formula names it (a transposed convolution's sums)
        model = _unpadded(model, ctx.layer).xreplace({
            nt.index_symbol(axis): ctx.values[f"{axis}_in"] for axis in spec.axes
            if f"{axis}_in" in ctx.values})
        if any(n in ctx.weights for n in ("w", "b")) and not rhs.has(nt.w):
            model = _with_weights(model, ctx, used)
        unread = sorted({str(e.base) for e in model.atoms(sp.Indexed)
                         if e.base in (nt.w, nt.b) and str(e.base) in ctx.unread})
        if unread and not rhs.has(nt.w, nt.b):
            # Y = X_{i-1,j-1} is about the weights the document defines in a form not read:
            # judged with other weights it would be refuted for nothing
            lines = ", ".join(str(n) for name in unread for n in ctx.unread[name])
            undecided = _undecided(claim.line, claim.latex, "undefined names",
                                   f"the claim is about the layer's {' and '.join(unread)}, "
                                   f"defined at line {lines} in a form symproof does not read")
            return replace(undecided, evidence={"weights used": sorted(used),
                                                "element formula": True})
        lhs, reason = model, f"against {ctx.layer!r}'s element formula"
        # what the layer computes with the document's weights (a formula with w on its
        # right side holds or fails for every weight: it judges no definition)
        about_the_layer = not rhs.has(nt.w)
    elif isinstance(lhs, sp.Symbol) and spec is not None and lhs.name in (
            f"{axis}_out" for axis in spec.axes):
        axis = lhs.name[:-len("_out")]
        size = ctx.values.get(f"{axis}_in")
        if size is None:
            return _undecided(claim.line, claim.latex, "output size",
                              "output size, but the context gives no input size")
        # the other axes' sizes do not matter to this one: give them the same size
        shape = ctx.layer.output_shape(getattr(ctx.layer, "in_channels", 1),
                                       *(size,) * len(spec.axes))
        lhs = sp.sympify(shape[1 + spec.axes.index(axis)])
        reason = f"against {ctx.layer!r}'s output size"
    if reason != "identity":
        # a name the context defines (padding=p) is that quantity in the claim too, whatever
        # the reader guessed it to be (p read as a positive index)
        defined = {sym.name: sym for sym in lhs.free_symbols if isinstance(sym, sp.Symbol)}
        rhs = rhs.xreplace({sym: defined[sym.name] for sym in rhs.free_symbols
                            if isinstance(sym, sp.Symbol) and sym.name in defined
                            and defined[sym.name] != sym})
    undefined = _undefined_names(lhs, rhs, defined_weights=bool(ctx.weights) or reason != (
        "identity")) - _defined_names(ctx)
    if undefined:
        # A side names something the context does not define (Y without a layer, W_out, a
        # derivative, ρ(X)…): treating it as a free variable would "refute" a definition.
        return _undecided(claim.line, claim.latex, "undefined names",
                          f"uses {', '.join(sorted(undefined)[:3])}, which the context does not "
                          "define (add a symproof directive)")
    unbound = _unbound(lhs, rhs, ctx, sizes=reason.endswith("output size"))
    if unbound:
        return _undecided(claim.line, claim.latex, "undefined names", unbound)
    for side in (lhs, rhs):  # the layer's model may hold sums that the claim does not
        check_expression(side, "the claim in its context")
    # One judging path: the kernel's search, with every assumption of the document (ranges,
    # relations, divisibility), which also filter any counterexample it shows.
    windows = nonempty_windows(lhs, rhs)
    if windows:
        context = context.extended(*windows)
        reason += ", its windows nonempty as written"
    line = claim.words
    said = nondecreasing_said(line)  # "(∵ σ is a nondecreasing function)"
    outcome = prove(sp.Eq(lhs, rhs, evaluate=False), context=context, nondecreasing=said)
    if said and outcome.tactic == "induction over the window":
        reason += ", σ nondecreasing (as the document says)"
    if applied and outcome.status is Status.REFUTED:
        # ρ's definition gives no index ranges (the sizes of X and ρ(X) are the problem's,
        # and the claims of its section speak of that X):
        # values found may lie outside them, which is no counterexample
        outcome = Outcome(Status.UNKNOWN, "search", "a difference found, at indices that may "
                          "lie outside ρ's ranges, which the document does not give")
        reason += "; not decided: the document gives no index ranges for its definition"
    unbound = unbound_beside(ctx, lhs, rhs) if outcome.status is Status.REFUTED else []
    if unbound:  # a counterexample would give the writer's own size another value
        return _undecided(claim.line, claim.latex, "undefined names",
                          f"relates the context's sizes to {', '.join(unbound[:3])}, which "
                          "nothing binds (state it, e.g. with a symproof directive)")
    if outcome.tactic == "floor with divisibility":
        reason += ", with the divisibility assumed"
    note = ""
    evidence = {"tactic": outcome.tactic, "detail": outcome.detail}
    if used:
        lines = sorted(used)
        note = f" with the weights defined at line {', '.join(map(str, lines))} substituted"
        evidence["weights used"] = lines
    if about_the_layer:  # what the layer computes: what a weight definition is judged by
        evidence["element formula"] = True
    if outcome.counterexample:
        evidence["counterexample"] = {k: str(v) for k, v in outcome.counterexample.items()}
    text = reason + note
    if outcome.status is Status.REFUTED:
        shown = ", ".join(f"{k} = {v}" for k, v in list(outcome.counterexample.items())[:6])
        text += f"; counterexample {shown}"
        condition = _holds_when(lhs, rhs)
        if condition:
            text += f"; it holds when {condition}"
            evidence["holds when"] = condition
    return Verdict.of(claim.line, claim.latex, outcome, text, evidence)


# Free variables of identities: indices and generic sizes. Names of a layer's parameters
# (F, S, P, f_1, W_in, W_out, C_in, …) are not: without a context giving them, a claim about
# them is a statement about a layer symproof does not know.
_VARIABLES = set(_INDEX_NAMES) | {"m", "n", "k", "q", "r", "t", "u", "v", "z", "a", "x", "C",
                                  "L"}


def _defined_names(ctx: DocumentContext) -> set[str]:
    """The symbols a directive gives as values (``kernel_size=F``): the context defines them."""
    return {s.name for value in ctx.values.values() if isinstance(value, sp.Basic)
            for s in value.free_symbols}


def _undefined_names(*sides, defined_weights: bool = False) -> set[str]:
    """Names in the claim that are not variables, array entries or known functions."""
    names = set()
    for side in sides:
        for s in side.free_symbols:
            variable = s.name in _VARIABLES or (len(s.name) == 1 and s.name.islower())
            if isinstance(s, sp.Symbol) and not variable and not any(
                    s == e.base.label for e in side.atoms(sp.Indexed)):
                names.add(s.name)
        for e in side.atoms(sp.Indexed):
            if e.base not in (nt.X, nt.w, nt.b):  # X̄ is X once the layer pads (_unpadded)
                names.add(str(e.base))
            elif e.base in (nt.w, nt.b) and not defined_weights:
                names.add(f"{e.base} (weights the document does not define)")
        for f in side.atoms(sp.core.function.AppliedUndef):
            if f.func.__name__.rstrip("'") not in ("sigma",):
                names.add(f.func.__name__)
    return names


def _unbound(lhs, rhs, ctx: DocumentContext, sizes: bool) -> str:
    """Why a claim names a quantity nothing binds, or "". ``o = ⌊(i + 2p − k)/s⌋ + 1`` with
    ``o`` free is no identity for all o (refuting it with o = −7/3 says nothing): a side that
    is one symbol, absent from the other side and not bound by the context, names something
    the context must bind (a names directive, ``output=o``). Against a layer's output size,
    every symbol of the claim must be one the context binds (``s`` with ``stride=1`` is not)."""
    bound = set(_bound(ctx))
    for one, other in ((lhs, rhs), (rhs, lhs)):
        if (isinstance(one, sp.Symbol) and one not in other.free_symbols
                and one.name not in bound):
            return (f"{one.name} is not bound by the context: name what it is (e.g. "
                    f"<!-- symproof names {one.name}=H_out -->, or output={one.name} in the "
                    "layer directive)")
    if sizes:
        free = sorted(s.name for s in rhs.free_symbols - lhs.free_symbols
                      if isinstance(s, sp.Symbol) and s.name not in bound)
        if free:
            return (f"uses {', '.join(free[:3])}, which the context does not bind (the layer's "
                    "sizes are named by its directive)")
    return ""


def _judge_jacobian(claim: Claim, lhs: sp.Symbol) -> Verdict:
    """``∂y/∂x = …`` against symproof's formula (numerator layout), entry by entry."""

    formulas = {f.label: f for f in derive().values()}
    if lhs.name not in formulas:
        return _undecided(claim.line, claim.latex, "Jacobian",
                          f"{lhs.name} is not one of the MLP Jacobians symproof derives")
    net = network_symbols()
    known = [net.A, net.b, net.y_prev, net.A_L, net.b_L, net.y_Lm1, net.upstream]
    rhs = _read(claim.rhs, known)
    operators = sorted(s.name for s in rhs.free_symbols
                       if getattr(s, "name", "").startswith("∂") and s != net.upstream)
    if operators:  # "∂/∂b_ℓ σ(…)": a derivative still to be taken, not a formula
        return _undecided(claim.line, claim.latex, "Jacobian",
                          f"the right side still holds the derivative {operators[0]}")
    expected = formulas[lhs.name].formula
    name = next(key for key, f in derive().items() if f.label == lhs.name)
    # the kernel decides it, entry by entry at index level, from the network's definition
    outcome = check_formula(name, rhs)
    evidence = {"expected": str(expected), "tactic": outcome.tactic, "detail": outcome.detail}
    if outcome.counterexample:
        evidence["counterexample"] = {k: str(v) for k, v in outcome.counterexample.items()}
    if outcome.status is Status.PROVED:
        return Verdict.of(claim.line, claim.latex, outcome,
                          f"{lhs.name} in numerator layout, entry by entry", evidence)
    return Verdict.of(claim.line, claim.latex, outcome,
                      f"not {lhs.name} in numerator layout: {outcome.summary()}", evidence)


def _holds_when(lhs, rhs) -> str:
    """Where cheap, the condition that would make a refuted floor claim true: ``k | m``."""

    q = sp.Symbol("q", integer=True, positive=True)
    for bracket in (lhs - rhs).atoms(sp.floor, sp.ceiling):
        numerator, denominator = sp.fraction(sp.together(bracket.args[0]))
        if not isinstance(denominator, sp.Symbol):
            continue
        for m in sorted(numerator.free_symbols - {denominator}, key=str):
            if divisible_floor(lhs, rhs, m, denominator, q).status is Status.PROVED:
                return f"{denominator} | {m}"
    return ""


def check_text(text: str, inline: bool = False, markdown: bool = False, *,
               progress: Callable[[int, int], None] | None = None
               ) -> tuple[list[Verdict], list]:
    """Every claim of a document, judged; the contexts (first line, context) used.

    The document's size, its number of claims and directives, each claim's time and the
    whole document's time are bounded (:mod:`symproof.limits`); a claim left unjudged by a
    time limit is reported as such, and the others are still judged. ``markdown`` also skips
    Markdown's inline and indented code. ``progress(done, total)`` is called as claims are
    judged (the CLI shows it on a terminal); it cannot change a verdict."""
    limits.check("document_bytes", "the document", len(text.encode("utf-8", "replace")))
    claims = extract(text, inline=inline, markdown=markdown)
    found = directives(text, markdown)
    limits.check("claims", "the document (claims and directives)", len(claims) + len(found))
    budget = _Budget()
    contexts, problems, general = contexts_from_directives(found, budget.spent, _read)
    if len(contexts) == 1:  # no layer directive: infer one per section from the prose
        named = contexts[0][1].names  # names directives hold in every context
        contexts = []
        for start, section in sections(text):
            inferred, trouble = infer_context(section, start)
            inferred.names.update(named)
            # the document's assume lines hold everywhere
            problems += trouble + assume_all(inferred, general, _read)
            contexts.append((start, inferred))
    verdicts = _problem_verdicts(problems, budget)
    starts = [start for start, _ in contexts]
    def context_of(line: int) -> DocumentContext:
        return contexts[bisect.bisect_right(starts, line) - 1][1]

    unreadable: dict[int, str] = {}
    defined: set[int] = set()
    recovered: dict[int, str] = {}  # line → how a malformed definition was read
    judged: dict[str, Verdict] = {}  # fingerprint of (claim, context) → its verdict
    given = {claim for claim in claims if not budget.spent()
             and _record_function(claim, context_of(claim.line))}
    # First pass: weight and bias definitions, wherever they stand in their context.
    for claim in claims:
        ctx = context_of(claim.line)
        if claim.rhs is not None and _may_define(claim) and not budget.spent():
            try:
                with limits.deadline("reading the weight definition"):
                    parts = split_run_on(claim)  # one cases closed for several definitions
                    for part in parts or (claim,):
                        if _record_definition(part, _read(part.lhs), ctx):
                            defined.add(claim.line)
                    if parts:
                        recovered[claim.line] = (
                            " (read as " + ", ".join(p.lhs for p in parts) + ": one "
                            "\\begin{cases} was closed for all of them)")
            except (SymproofError, ValueError, TypeError, IndexError, KeyError,
                    AttributeError) as error:
                if "\\begin{cases}" in claim.rhs or isinstance(error, SymproofError):
                    unreadable[claim.line] = f"weight definition not understood: {error}"
                    ctx.unread.setdefault(claim.lhs.lstrip()[0], []).append(claim.line)
    for done, claim in enumerate(claims):
        if progress is not None:
            progress(done, len(claims))
        if budget.spent():
            verdicts.append(_undecided(claim.line, claim.latex, "time limit",
                                       budget.reason()))
        elif claim.line in unreadable:
            verdicts.append(_unparsed(claim.line, claim.latex, unreadable[claim.line]))
        elif claim in given:
            name = str(function_definition(_read(claim.lhs), _read(claim.rhs))[0])
            outcome = Outcome(Status.GIVEN, "definition", f"the entries of {name}")
            verdicts.append(Verdict.of(claim.line, claim.latex, outcome, (
                f"the definition of {name}'s entries, as the document states it (the problem "
                "that defines it is not in the document)")))
        elif claim.line in defined:
            verdicts.append(_undecided(claim.line, claim.latex, WEIGHTS,
                                       "weight definition recorded in the context"
                                       + recovered.get(claim.line, "")))
        else:
            verdicts.append(_judge_once(claim, context_of(claim.line), judged))
    if progress is not None:
        progress(len(claims), len(claims))
    _judge_definitions(verdicts)
    verdicts.sort(key=lambda v: v.line)
    return verdicts, contexts


def _record_function(claim: Claim, ctx: DocumentContext) -> bool:
    """``[ρ(X)]_{i,j} = …`` (:func:`.chains.function_definition`): ρ's entries recorded in the
    context, for the claims that apply ρ; the first definition of a function counts."""
    if claim.rhs is None or "[" not in claim.lhs + claim.rhs:
        return False
    try:
        with limits.deadline("reading a definition"):
            found = function_definition(_read(claim.lhs), _read(claim.rhs))
    except (SymproofError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return False  # not readable as a definition: judged (or reported) as a claim
    if found is None or found[0] in ctx.functions:
        return False
    ctx.functions[found[0]] = found[1:]
    return True


def _problem_verdicts(problems: list[Problem], budget: _Budget) -> list[Verdict]:
    """One verdict per directive or prose value that could not be used (once per line and
    reason), so that nothing in the context is skipped silently."""
    seen, verdicts = set(), []
    for problem in problems:
        if (problem.line, problem.reason) in seen:
            continue
        seen.add((problem.line, problem.reason))
        if problem.tactic == "time limit":
            verdicts.append(_undecided(problem.line, problem.text, "time limit",
                                       budget.reason()))
        elif problem.tactic == "unparsed":
            verdicts.append(_unparsed(problem.line, problem.text, problem.reason))
        else:
            verdicts.append(_undecided(problem.line, problem.text, problem.tactic,
                                       problem.reason))
    return verdicts


def _may_define(claim: Claim) -> bool:
    """Whether the claim is written like a weight or bias definition (``w_{…} = …``)."""
    return claim.lhs.lstrip().startswith(("w_", "b_"))


def _record_definition(claim: Claim, target, ctx: DocumentContext) -> bool:
    """A weight or bias definition (``w_{…} = \\begin{cases}…``, or one entry given a value,
    ``b_1 = 0``), recorded in the context; False when the claim is no definition. A pattern's
    indices are numbers or distinct names, as many as the layer's array has; anything else
    is refused (its meaning would be a guess)."""
    cases = "\\begin{cases}" in claim.rhs
    if not (isinstance(target, sp.Indexed) and target.base in (nt.w, nt.b)):
        if cases:
            raise SymproofError(f"{claim.lhs.strip()} is not a weight w_{{…}} or bias b_{{…}}")
        return False
    variables = tuple(sp.sympify(v) for v in _in_full(target.base, tuple(target.indices),
                                                       ctx))
    if not cases:  # b_1 = 0: a value for one entry, nothing else
        if not all(v.is_Integer for v in variables):
            return False
        value = _read(claim.rhs)
        if value.atoms(sp.Indexed) or value.free_symbols or not value.is_number:
            return False
    shapes = getattr(ctx.layer, "parameter_shapes", {})
    name = target.base.label.name
    if name not in shapes:
        raise SymproofError(f"the context has no layer with {name}: add a directive for it")
    if len(variables) != len(shapes[name]):
        raise SymproofError(f"{name} has {len(shapes[name])} indices in {ctx.layer!r}, "
                            f"the definition gives {len(variables)}")
    names = [v for v in variables if not v.is_Integer]
    if any(not isinstance(v, sp.Symbol) for v in names) or len(set(names)) < len(names):
        raise SymproofError(f"the indices of {name} must be numbers or distinct names, as in "
                            f"{name}_{{1,\\gamma,\\alpha,\\beta}}")
    definition = _cases_to_piecewise(claim.rhs, variables) if cases else value
    ctx.weights.setdefault(name, []).append((claim.line, (variables, definition)))
    return True


class _Budget:
    """The time a document may take (``document_seconds``), from its start."""

    def __init__(self):
        self.seconds = limits.current().document_seconds
        self.start = time.monotonic()

    def spent(self) -> bool:
        return time.monotonic() - self.start > self.seconds

    def reason(self) -> str:
        return (f"not checked: the document took over {self.seconds:,} s, the limit "
                f"document_seconds = {self.seconds:,} (raise it with --limit "
                "document_seconds=N, or symproof.limits.raised(document_seconds=N))")


def _judge_definitions(verdicts: list[Verdict]) -> None:
    """A weight definition is as good as what the layer computes with it: PROVED when a claim
    about the layer's output (its element formula) that substituted this very definition is
    proved, REFUTED when every such claim is refuted. The definition's verdict then carries
    the outcome the kernel produced for that claim (it never makes a status of its own); each
    such verdict is replaced, none is changed."""
    # which array (w or b) each definition gives: a claim that took one array's entries
    # from several definitions proves nothing of any one of them alone
    array_of = {v.line: v.latex.lstrip()[:1] for v in verdicts if v.outcome.tactic == WEIGHTS}

    def alone(line: int, used: list) -> bool:
        return all(array_of.get(other) != array_of[line] for other in used if other != line)

    for at, verdict in enumerate(verdicts):
        if verdict.outcome.tactic != WEIGHTS:
            continue
        users = [v for v in verdicts if v.evidence.get("element formula")
                 and verdict.line in v.evidence.get("weights used", ())]
        mixed = [v for v in users if not alone(verdict.line, v.evidence["weights used"])]
        if mixed:
            verdicts[at] = replace(verdict, justification=verdict.reason + " (line "
                                   f"{', '.join(str(v.line) for v in mixed)} also takes these "
                                   "weights from another definition)")
            continue
        if not users:
            verdicts[at] = replace(verdict, justification=verdict.reason
                                   + " (no claim about the layer's output uses it)")
            continue
        if any(v.status is Status.UNKNOWN for v in users) and not any(
                v.status is Status.PROVED for v in users):
            verdicts[at] = replace(verdict, justification=verdict.reason + " (used at line "
                                   f"{', '.join(str(v.line) for v in users)}, not decided)")
            continue
        proved = [v for v in users if v.status is Status.PROVED]
        if proved:  # the weights realise what the document says the layer computes
            verdicts[at] = replace(verdict, outcome=proved[0].outcome, justification=(
                "with these weights the layer computes line "
                f"{', '.join(str(v.line) for v in proved)} exactly"),
                evidence={"proved at": [v.line for v in proved]})
        elif all(v.status is Status.REFUTED for v in users):
            verdicts[at] = replace(verdict, outcome=users[0].outcome, justification=(
                "with these weights the layer computes none of lines "
                f"{', '.join(str(v.line) for v in users)}"),
                evidence={"refuted at": [v.line for v in users]})


def _judge_once(claim: Claim, ctx: DocumentContext, judged: dict[str, Verdict]) -> Verdict:
    """The verdict on ``claim``; the same claim in the same context (equal in every detail,
    :func:`~symproof.claims.reuse.fingerprint`) is judged once per document, and its verdict
    given again at the new line."""
    key = fingerprint((claim.latex, claim.lhs, claim.rhs, claim.problem, ctx))
    if key is None:
        return _judge(claim, ctx)
    if key in judged:
        first = judged[key]
        return replace(first, line=claim.line, evidence=dict(first.evidence))
    verdict = judged[key] = _judge(claim, ctx)
    return verdict


def _judge(claim: Claim, ctx: DocumentContext) -> Verdict:
    try:
        with limits.deadline("judging the claim"):
            return _judge_unbounded(claim, ctx)
    except TooLargeError as error:  # read, perhaps, but too large to decide: say so
        return _undecided(claim.line, claim.latex, "size limit", f"not checked: {error}")


def _judge_unbounded(claim: Claim, ctx: DocumentContext) -> Verdict:
    if claim.problem:  # a block never closed: reported where it opens, never skipped
        return _unparsed(claim.line, claim.latex, claim.problem)
    try:
        if claim.rhs is None:
            _read(claim.lhs)
            return _undecided(claim.line, claim.latex, "not a claim",
                              "an expression, not a claim")
        if "\\begin{cases}" in claim.rhs:  # a definition that was not recorded
            return _unparsed(claim.line, claim.latex, "cases are read only as the definition "
                             "of a layer's weights w_{…} or bias b_{…}")
        return _judge_equation(claim, ctx)
    except TooLargeError:
        raise
    except (ParseError, SymproofError, ValueError, TypeError, AttributeError, IndexError,
            KeyError, NotImplementedError, RecursionError) as error:
        # symproof's own errors say what was not understood; anything else is named by kind
        said = str(error) if isinstance(error, SymproofError) else (
            f"not understood ({type(error).__name__}: {error})")
        return _unparsed(claim.line, claim.latex, said)
