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
* a gradient ``∂L/∂w_{l,γ,α,β} = …`` (``∂L/∂b_l``, ``∂L/∂X_{γ,p,q}``) under a
  ``conv2d-backward`` / ``avgpool2d-backward`` / ``maxpool2d-backward`` directive, or where
  the prose states a convolution: the left side is the chain rule through the layer with the
  upstream gradient G = ∂L/∂Y (:mod:`symproof.claims.backward`);
* a loss gradient ``∂L/∂z_j = p_j − t_j`` (``∂L/∂y_j`` for the MSE) under a
  ``softmax-cross-entropy`` / ``mse`` directive: the left side is the derivative of the
  loss's definition (:mod:`symproof.claims.loss_claims`);
* a definition (a weight or bias, ``w_{…} = \\begin{cases}…``, ``b = 0``; a function,
  ``σ(x) = …``; an MLP's layer equation) is GIVEN and recorded in the context
  (:mod:`symproof.claims.definitions`); a weight definition's verdict is whether the layer with
  those weights computes what the document claims of it; two that disagree are both reported;
* anything else: an identity, proved, refuted with a counterexample, or UNKNOWN.

Writing conventions are normalised first (``X_{i,j}`` on a one-channel input is ``X_{1,i,j}``,
``w_{l,α,β}`` is ``w_{l,1,α,β}``; sizes named in the context, like F = 3, are substituted).
A claim that names something the context does not define is UNKNOWN, never refuted.

Without directives, the context is inferred per section: a convolution from prose such as
``C_in = 1, C_out = 2, F = 3, S = 1, P = 1``, an MLP from ``y_L = A_L y_{L−1} + b_L``.
"""

from __future__ import annotations

import bisect
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy as sp

from .. import limits, workers
from .. import notation as nt
from ..backprop import check_formula, derive, network_symbols
from ..errors import SymproofError, TooLargeError
from ..kernel import divisible_floor, prove
from ..kernel.context import broken_range, layer_context
from ..layers import Conv2d
from ..limits import check_expression
from ..notebook import code_span, display_math, step_markdown
from ..printing import text as plain_text
from ..proof import Outcome, Status, Step
from ..prose import layer_kind
from .backward import (
    UPSTREAM_DEFINITION,
    gradient_claim,
    gradient_error,
    is_upstream_definition,
    judge_gradient,
    loss_derivative,
    mentions_upstream,
    upstream_bound_in,
)
from .chains import (
    condition_beside,
    divisibility_said,
    divisibility_unread,
    entry_definition,
    index_level,
    judge_link,
    nondecreasing_said,
    nonempty_windows,
    with_entry_definitions,
)
from .context import (
    Backward,
    DocumentContext,
    Problem,
    assume,
    assume_all,
    contexts_from_directives,
    infer_context,
    loose_names,
    sections,
    unbound_beside,
)
from .definitions import (
    cases_to_piecewise,
    conflicts,
    defining_form,
    function_definition,
    is_target,
    layer_equation,
    split_side_by_side,
    with_functions,
    with_weights,
)
from .extract import (
    CONDITION_WORDS,
    TEXT_OPENING,
    Claim,
    braced_group,
    code_spans,
    directives,
    extract,
)
from .loss_claims import judge_loss_claim, with_defined_letters
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
#: The tactic of the outcome of any other definition (a function, a layer equation): GIVEN.
DEFINITION = "definition"
#: The tactic of a definition that another one of the same entries contradicts.
CONFLICT = "conflicting definitions"
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
    # which definition (its key: line, position) this verdict records, and which a claim
    # substituted: what credits or blames a definition (not shown; lines are, in evidence)
    defines: tuple | None = field(default=None, compare=False, repr=False)
    uses: frozenset = field(default=frozenset(), compare=False, repr=False)

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

    # -- in a notebook: the claim as the document wrote it (shown, never typeset: it is the
    # document's text), its mark and the reason

    def _repr_markdown_(self) -> str:
        return step_markdown(self, f"line {self.line}: {code_span(self.latex)}", self.label)

    def _repr_latex_(self) -> str:
        return display_math(rf"\text{{line {self.line}: {self.label}}}")

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
    expr = rename(expr, ctx.names, ctx.bound())  # the document's letters as the model's
    expr = bare_sum_bounds(expr, {nt.w: getattr(ctx.layer, "parameter_shapes", {}).get("w")}
                           if hasattr(ctx.layer, "parameter_shapes") else {})
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed),
                        lambda e: e.base[_in_full(e.base, tuple(e.indices), ctx)])
    expr = _unpadded(expr, ctx.layer)
    values = {s: sp.sympify(ctx.values[s.name]) if isinstance(ctx.values[s.name], int)
              else ctx.values[s.name] for s in expr.free_symbols
              if isinstance(s, sp.Symbol) and s.name in ctx.values}
    return expr.xreplace(values)


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
    if base == nt.w and shape is not None and len(indices) == len(shape) - 2 and (
            shape[0] == 1 and shape[1] == 1):  # w_{α,β} of a one-channel convolution
        return (1, 1, *indices)
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
    # the reader's own placeholders (ρ(X) read as a function of X's entries) are no text
    dummies = {v for f in expr.atoms(sp.Lambda) for v in f.variables}
    for entry in sorted(expr.atoms(sp.Indexed), key=str):
        wanted = ranks.get(entry.base)
        if wanted is not None and len(entry.indices) != wanted:
            if entry.free_symbols & dummies:
                return (f"{entry.base} is written with {len(entry.indices)} indices, but "
                        f"{entry.base} of {ctx.layer!r} has {wanted}")
            return (f"{entry.base}[{', '.join(map(str, entry.indices))}] has "
                    f"{len(entry.indices)} indices, but {entry.base} of {ctx.layer!r} has "
                    f"{wanted}")
    return ""


def _with_weights(expr, ctx: DocumentContext, used: set):
    """The document's weight and bias definitions substituted (:func:`with_weights`); the keys
    of those that applied are added to ``used``."""
    return with_weights(expr, ctx.weights, used)


def _with_functions(expr, ctx: DocumentContext):
    """Calls of the functions the document defines replaced by their definitions (those
    defined in conflicting ways stay calls: the claim is then left undecided)."""
    usable = {name: found[0][1] for name, found in ctx.functions.items()
              if not any(key in ctx.conflicts for key, _ in found)}
    return with_functions(expr, usable) if usable else expr


def _conflicting(sides: tuple, used: set, ctx: DocumentContext) -> str:
    """Why the claim (its ``sides``, or the definitions it ``used``) cannot be judged: it needs
    a definition that another contradicts."""
    for key in sorted(used):
        if key in ctx.conflicts:
            return f"it uses the definition at line {key[0]}, which {ctx.conflicts[key]}"
    calls = {c for side in sides if isinstance(side, sp.Basic)
             for c in side.atoms(sp.core.function.AppliedUndef)}
    for call in sorted(calls, key=str):
        found = ctx.functions.get(call.func.__name__.rstrip("'"), [])
        clash = [key for key, _ in found if key in ctx.conflicts]
        if clash:
            return f"it uses {call.func.__name__}, whose definition at line {clash[0][0]} " \
                   f"{ctx.conflicts[clash[0]]}"
    return ""


def _not_derived(lhs, rhs, ctx: DocumentContext) -> str:
    """A derivative (σ') of a function the document defines that was not taken (its definition
    has a kink, as ReLU's): judged as an unknown function it could be "refuted"."""
    calls = {c for side in (lhs, rhs) if isinstance(side, sp.Basic)
             for c in side.atoms(sp.core.function.AppliedUndef)}
    for call in sorted(calls, key=str):
        name = call.func.__name__
        if name != name.rstrip("'") and name.rstrip("'") in ctx.functions:
            line = ctx.functions[name.rstrip("'")][0][0][0]
            return (f"{name} of the function defined at line {line}, which has a kink there "
                    "(its derivative is a convention, not taken)")
    return ""

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
    evidence = outcome.evidence()
    if outcome.counterexample:
        shown = _shown(outcome.counterexample)
        reason += f"; counterexample {shown}"
    elif outcome.status is Status.UNKNOWN and str(outcome.detail) not in reason:
        reason += f": {outcome.detail}"  # unless the reason already says it
    return Verdict.of(claim.line, claim.latex, outcome, reason, evidence)


def _judge_equation(claim: Claim, ctx: DocumentContext, *, refute: bool = True) -> Verdict:
    """The verdict on an equation in its context; ``refute=False`` seeks only a proof (no
    counterexample search), for an attempt whose other outcomes are not used."""
    clash = _index_clash(_read(claim.lhs), _read(claim.rhs), ctx) if ctx.names else ""
    if clash:
        return _undecided(claim.line, claim.latex, "undefined names", clash)
    if ctx.layer == "mlp" and index_level(claim.lhs, claim.rhs):
        return _judge_index_level(claim, ctx)
    if ctx.loss is not None:  # a loss directive: its gradient claims, and nothing else
        return _judge_loss(claim, ctx)
    if ctx.backward is not None:  # a layer whose backward pass the context speaks of
        if is_upstream_definition(claim.lhs, claim.rhs, ctx.names):
            return _given(claim, UPSTREAM_DEFINITION, "names the upstream gradient ∂L/∂Y")
        found = gradient_claim(claim.lhs, claim.rhs, ctx.names)
        if found is not None:
            return _judge_gradient(claim, found, ctx)
        if mentions_upstream(claim.lhs, claim.rhs, ctx.backward, ctx.names):
            return _undecided(claim.line, claim.latex, "upstream gradient", "relates the "
                              "upstream gradient without ∂L/∂… on its left (a later link of "
                              "a chain?): only gradient claims ∂L/∂w, ∂L/∂b, ∂L/∂X are read")
        if ctx.backward.zero_based:  # the forward judging reads indices from 1
            return _undecided(claim.line, claim.latex, "indexing", "indices are 0-based "
                              "here (indexing=0): only gradient claims ∂L/∂… are read so")
    lhs = _conventions(_read(claim.lhs), ctx)
    if ctx.layer == "mlp" and isinstance(lhs, sp.Symbol) and lhs.name.startswith("∂"):
        return _judge_jacobian(claim, lhs)  # its right side names matrices: read it there
    rhs = _conventions(_read(claim.rhs), ctx)
    applied = False  # whether a function the document defines entry by entry (ρ) is applied
    if ctx.maps:  # [ρ(σ(X))]_{i,j} by the document's definition of ρ
        arrays = [array for array, _, _ in ctx.maps.values()]
        applied = any(side.has(*ctx.maps, *arrays) for side in (lhs, rhs))
        lhs, rhs = with_entry_definitions(lhs, ctx.maps), with_entry_definitions(rhs, ctx.maps)
    clash = _conflicting((lhs, rhs), set(), ctx)
    if clash:
        return _undecided(claim.line, claim.latex, CONFLICT, clash)
    # σ'(x) = σ(x)(1 − σ(x)) after σ(x) = 1/(1 + e^{−x}): about the σ the document defines
    lhs, rhs = _with_functions(lhs, ctx), _with_functions(rhs, ctx)
    kink = _not_derived(lhs, rhs, ctx)
    if kink:
        return _undecided(claim.line, claim.latex, DEFINITION, kink)
    if function_definition(lhs, rhs):
        # σ'(x) = … with σ undefined names what σ' is: not a claim about every σ'
        return _undecided(claim.line, claim.latex, DEFINITION,
                          f"a definition of {lhs.func.__name__} (not judged)")
    reason = "identity"
    used: set[tuple] = set()  # the keys of the weight definitions substituted
    general = rhs.has(nt.w)  # a formula for every weight, as written (before substitution)
    if general and ctx.weights:
        # what holds for every weight holds for the document's: proved so, it costs no
        # substitution (nine taps substituted into a general formula are thousands of terms)
        every = _judge_equation(claim, replace(ctx, weights={}, unread={}), refute=False)
        if every.status is Status.PROVED:
            return replace(every, justification=every.justification + ", for every weight")
    if ctx.weights and (lhs.has(nt.w, nt.b) or rhs.has(nt.w, nt.b)):
        # The document's weights apply to every claim of their context, wherever defined.
        lhs, rhs = _with_weights(lhs, ctx, used), _with_weights(rhs, ctx, used)
    ctx, assumed = _with_divisibility_beside(claim, ctx)
    context = _layer_context(ctx)
    spec = getattr(ctx.layer, "spec", None)
    outputs = spec.output_indices if spec is not None and spec.axes else ()
    about_the_layer = False
    element = False  # the claim is about the layer's output, Y_{l,i,j} = …
    about_a_size = False  # … or about its output size, W_out = …
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
        if any(n in ctx.weights for n in ("w", "b")):
            # the same definitions on both sides: the right side's weights were substituted
            # too, so a formula for every weight is judged with the document's weights
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
            return replace(undecided, evidence={"weights used": _lines(used),
                                                "element formula": True}, uses=frozenset(used))
        lhs, reason = model, f"against the element formula of the {layer_kind(ctx.layer)}"
        # what the layer computes with the document's weights (a formula with w on its
        # right side holds or fails for every weight: it judges no definition)
        about_the_layer = not general
        element = True
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
        reason, about_a_size = f"against the output size of the {layer_kind(ctx.layer)}", True
    clash = _conflicting((), used, ctx)
    if clash:
        return _undecided(claim.line, claim.latex, CONFLICT, clash)
    if reason != "identity":
        # a name the context defines (padding=p) is that quantity in the claim too, whatever
        # the reader guessed it to be (p read as a positive index)
        defined = {sym.name: sym for sym in lhs.free_symbols if isinstance(sym, sp.Symbol)}
        rhs = rhs.xreplace({sym: defined[sym.name] for sym in rhs.free_symbols
                            if isinstance(sym, sp.Symbol) and sym.name in defined
                            and defined[sym.name] != sym})
    undefined = _undefined_names(lhs, rhs, defined_weights=bool(ctx.weights) or reason != (
        "identity")) - {s.name for s in ctx.symbols()}
    if undefined:
        # A side names something the context does not define (Y without a layer, W_out, a
        # derivative, ρ(X)…): treating it as a free variable would "refute" a definition.
        return _undecided(claim.line, claim.latex, "undefined names",
                          f"uses {', '.join(sorted(undefined)[:3])}, which the context does not "
                          "define (add a symproof directive)")
    unbound = _unbound(lhs, rhs, ctx, sizes=about_a_size)
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
    outcome = prove(sp.Eq(lhs, rhs, evaluate=False), context=context, nondecreasing=said,
                    search=refute)
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
    beside = _beside_the_layer(lhs, rhs, ctx) if (
        outcome.status is Status.REFUTED and element and not unbound) else []
    if beside:
        # Y_{1,i,j} = … + c: the claim speaks of the layer's output, and c is no quantity of
        # the layer; a counterexample would only give the writer's c a value
        return _undecided(claim.line, claim.latex, "undefined names",
                          f"the layer's output in terms of {', '.join(beside[:3])}, which "
                          "nothing binds (state it, e.g. with a symproof directive)")
    if unbound:  # a counterexample would give the writer's own size another value
        return _undecided(claim.line, claim.latex, "undefined names",
                          f"relates the context's sizes to {', '.join(unbound[:3])}, which "
                          "nothing binds (state it, e.g. with a symproof directive)")
    if outcome.tactic == "floor with divisibility":
        reason += ", with the divisibility assumed"
    note = ""
    evidence = outcome.evidence()
    if used:
        lines = _lines(used)
        note = f" with the weights defined at line {', '.join(map(str, lines))} substituted"
        evidence["weights used"] = lines
    if about_the_layer:  # what the layer computes: what a weight definition is judged by
        evidence["element formula"] = True
    text = reason + note + assumed
    if outcome.status is Status.REFUTED:
        shown = _shown(outcome.counterexample)
        text += f"; counterexample {shown}"
        condition = _holds_when(lhs, rhs)
        if condition:
            text += f"; it holds when {condition}"
            evidence["holds when"] = condition
    return replace(Verdict.of(claim.line, claim.latex, outcome, text, evidence),
                   uses=frozenset(used))


def _judge_gradient(claim: Claim, found, ctx: DocumentContext) -> Verdict:
    """``∂L/∂w_{…} = …`` against the chain rule through the context's layer
    (:mod:`.backward`)."""
    try:
        outcome, reason, evidence = judge_gradient(
            found, ctx, lambda text: _read(text, ctx.symbols()),
            lambda expr: _conventions(expr, ctx))
    except TooLargeError:
        raise
    except (ParseError, SymproofError, ValueError, TypeError, AttributeError, IndexError,
            KeyError, NotImplementedError, RecursionError) as error:
        return _unparsed(claim.line, claim.latex, gradient_error(error))
    if outcome.status is Status.REFUTED:
        reason += f"; counterexample {_shown(outcome.counterexample or {})}"
    return Verdict.of(claim.line, claim.latex, outcome, reason, evidence)


def _judge_loss(claim: Claim, ctx: DocumentContext) -> Verdict:
    """``∂L/∂z_j = …`` under a loss directive, against the loss's definition
    (:mod:`.loss_claims`)."""
    outcome, reason, evidence = judge_loss_claim(
        loss_derivative(claim.lhs), claim.lhs, claim.rhs, ctx.loss,
        lambda text: _read(text, ctx.symbols()))
    if outcome.status is Status.REFUTED:
        reason += f"; counterexample {_shown(outcome.counterexample or {})}"
    return Verdict.of(claim.line, claim.latex, outcome, reason, evidence)


def _with_loss_letters(contexts: list, text: str) -> None:
    """Each loss context gets the letters of the softmax its part of the document defines
    (``q_i = \\frac{e^{a_i}}{\\sum_k e^{a_k}}``), for the vectors its directive does not
    name (:func:`~symproof.claims.loss_claims.with_defined_letters`)."""
    lines = text.splitlines()
    starts = [start for start, _ in contexts] + [len(lines) + 1]
    for (start, ctx), end in zip(contexts, starts[1:]):
        if ctx.loss is not None:
            ctx.loss = with_defined_letters(ctx.loss, "\n".join(lines[max(start - 1, 0):end]))


def _with_backward(contexts: list, text: str) -> None:
    """Each context whose layer's backward pass claims may speak of gets what binds the
    upstream gradient: a -backward directive's names, and the names the prose defines as
    ∂L/∂Y (``δ_{l,i,j} = ∂L/∂Y_{l,i,j}``); a convolution without such a directive (inferred
    from the prose, or a conv2d directive) too, its gradient claims judged the same way."""
    tidied = None  # the document as claims are read, once (only when a context needs it)
    for _, ctx in contexts:
        if ctx.backward is None and not isinstance(ctx.layer, Conv2d):
            continue
        if tidied is None:  # line by line: a note cut by tidy stays on its line
            tidied = "\n".join(tidy(line) for line in text.split("\n") if "partial" in line
                                or "frac{d" in line or "/d" in line)
        outputs = ("Y", *(name for name, model in ctx.names.items() if model == "Y"))
        named = upstream_bound_in(tidied, outputs)
        if ctx.backward is not None:
            ctx.backward = replace(ctx.backward, upstream=tuple(dict.fromkeys(
                (*ctx.backward.upstream, *named))))
        elif isinstance(ctx.layer, Conv2d):
            ctx.backward = Backward(upstream=named, directive=False)


def _beside_the_layer(model, rhs, ctx: DocumentContext) -> list[str]:
    """Names on the right side of an element formula that neither the layer's model nor the
    context binds (``Y_{1,i,j} = 2X_{1,i,j} + c``, ``X_{1,i,j+t}``): [] when there is none."""
    bound = set(ctx.bound()) | {s.name for a in ctx.assumptions if isinstance(a, sp.Basic)
                                for s in a.free_symbols}
    arrays = {e.base.label for e in rhs.atoms(sp.Indexed)}
    return sorted(s.name for s in rhs.free_symbols - model.free_symbols
                  if isinstance(s, sp.Symbol) and s not in arrays and s.name not in bound)


def _shown(counterexample: dict, most: int = 12) -> str:
    """A counterexample as text: every value the difference depends on (one left out, such as
    the stride at which the sides differ, would leave a reader an instance where they agree);
    a very long one is cut with "…" and kept whole in the evidence."""
    items = [f"{k} = {plain_text(v) if isinstance(v, sp.Basic) else v}"
             for k, v in counterexample.items() if k != "other entries"]
    shown = ", ".join(items[:most]) + (", …" if len(items) > most else "")
    if "other entries" in counterexample:  # what every entry not listed is, even when cut
        shown += f", other entries = {counterexample['other entries']}"
    return shown


def _lines(keys: set) -> list[int]:
    """The lines of definitions (by key), in order, each once."""
    return sorted({key[0] for key in keys})


# Free variables of identities: indices and generic sizes. Names of a layer's parameters
# (F, S, P, f_1, W_in, W_out, C_in, …) are not: without a context giving them, a claim about
# them is a statement about a layer symproof does not know.
_VARIABLES = set(_INDEX_NAMES) | {"m", "n", "k", "q", "r", "t", "u", "v", "z", "a", "x", "C",
                                  "L"}


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
    bound = set(ctx.bound())
    spec = getattr(ctx.layer, "spec", None)
    axes = spec.axes if spec is not None and spec.axes else nt.AXES[2]
    for one, other in ((lhs, rhs), (rhs, lhs)):
        if (isinstance(one, sp.Symbol) and one not in other.free_symbols
                and one.name not in bound):
            # the hint in the grammar the layer's directive takes: one name per axis
            output = "x".join([one.name] * len(axes))
            return (f"{one.name} is not bound by the context: name what it is (e.g. "
                    f"<!-- symproof names {one.name}={axes[0]}_out -->, or output={output} in "
                    "the layer directive)")
    if sizes:
        free = sorted(loose_names(rhs, allowed=bound | loose_names(lhs)))
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
    evidence = {"expected": str(expected), **outcome.evidence()}
    if outcome.status is Status.PROVED:
        return Verdict.of(claim.line, claim.latex, outcome,
                          f"{lhs.name} in numerator layout, entry by entry", evidence)
    return Verdict.of(claim.line, claim.latex, outcome,
                      f"not {lhs.name} in numerator layout: {outcome.summary()}", evidence)


def _with_divisibility_beside(claim: Claim, ctx: DocumentContext
                              ) -> tuple[DocumentContext, str]:
    """The claim's context with the divisibility its line states beside it ("$k \\mid m$:
    write $m = k q$", the condition the writer proves it under), and the words the verdict
    adds; ``ctx`` itself when the line states none, or one that does not fit the context."""
    said = divisibility_said(claim.words)
    if not said:
        return ctx, ""
    own = replace(ctx, assumptions=list(ctx.assumptions), described=ctx.described)
    try:
        for body in said:
            assume(own, body, _read)
    except (SymproofError, ValueError, TypeError):
        return ctx, ""  # judged without it: an assumption too few never proves too much
    return own, f", assuming {', '.join(said)} as written beside it"


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
               progress: Callable[[int, int], None] | None = None, jobs: int = 1
               ) -> tuple[list[Verdict], list]:
    """Every claim of a document, judged; the contexts (first line, context) used.

    The document's size, its number of claims and directives, each claim's time and the
    whole document's time are bounded (:mod:`symproof.limits`); a claim left unjudged by a
    time limit is reported as such, and the others are still judged. ``markdown`` also skips
    Markdown's inline and indented code. ``progress(done, total)`` is called as claims are
    judged (the CLI shows it on a terminal); it cannot change a verdict. ``jobs`` processes
    judge the claims (:mod:`symproof.workers`; one by default): the verdicts are the same."""
    limits.check("document_bytes", "the document", len(text.encode("utf-8", "replace")))
    claims = extract(text, inline=inline, markdown=markdown)
    if not inline:  # definitions written inline ($w_{1,1,1} = 0.299$) are read all the same
        claims = _with_inline_definitions(claims, extract(text, inline=True, markdown=markdown)
                                          + _in_intertext(text, markdown))
    claims = split_side_by_side(claims)
    found = directives(text, markdown)
    limits.check("claims", "the document (claims and directives)", len(claims) + len(found))
    budget = _Budget()
    contexts, problems, general = contexts_from_directives(found, budget.spent, _read)
    if len(contexts) == 1:  # no layer directive: infer one per section from the prose
        named = contexts[0][1].names  # names directives hold in every context
        contexts = []
        for start, section in sections(_without_code(text, markdown)):
            inferred, trouble = infer_context(section, start, markdown)
            inferred.names.update(named)
            # the document's assume lines hold everywhere
            problems += trouble + assume_all(inferred, general, _read)
            contexts.append((start, inferred))
    _with_backward(contexts, text)
    _with_loss_letters(contexts, text)
    verdicts = _problem_verdicts(problems, budget)
    starts = [start for start, _ in contexts]
    def context_of(line: int) -> DocumentContext:
        return contexts[bisect.bisect_right(starts, line) - 1][1]

    verdicts.extend(_judge_all(claims, context_of, budget, progress, jobs))
    verdicts.sort(key=lambda v: v.line)
    return verdicts, contexts


def _without_code(text: str, markdown: bool) -> str:
    """``text`` with its code blanked (lines kept): a ``# comment`` or ``F = 5`` in a code
    block is neither a heading nor a size the prose states."""
    spans = code_spans(text, markdown)
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in sorted(spans.items()):
        if start < position:
            continue
        pieces += [text[position:start], re.sub(r"[^\n]", " ", text[start:end])]
        position = end
    return "".join(pieces) + text[position:]


def _record_entry_definition(claim: Claim, ctx: DocumentContext) -> bool:
    """``[ρ(X)]_{i,j} = …`` (:func:`.chains.entry_definition`): ρ's entries recorded in the
    context, for the claims that apply ρ; the first definition of a function counts."""
    if claim.rhs is None or "[" not in claim.lhs + claim.rhs:
        return False
    try:
        with limits.deadline("reading a definition"):
            found = entry_definition(_read(claim.lhs), _read(claim.rhs))
    except (SymproofError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return False  # not readable as a definition: judged (or reported) as a claim
    if found is None or found[0] in ctx.maps:
        return False
    ctx.maps[found[0]] = found[1:]
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


def _keyed(claims: list[Claim]):
    """Each claim with its key (line, position): definitions are told apart by it, even when
    several stand on one line."""
    return [((claim.line, n), claim) for n, claim in enumerate(claims)]


def _judge_all(claims: list[Claim], context_of, budget: _Budget,
               progress: Callable[[int, int], None] | None = None, jobs: int = 1
               ) -> list[Verdict]:
    """Definitions first (wherever one stands in its context, it holds in all of it), then
    every claim; each weight definition's verdict is then decided by the claims using it.
    A claim written with a defining sign (``:=``) is a definition even when symproof does
    not apply it: GIVEN, never judged. The same claim in the same context is judged once
    (:func:`_judged`); ``progress(done, total)`` follows the claims."""
    signed = {n for n, claim in enumerate(claims) if defining_form(claim) is not None}
    claims = [defining_form(claim) or claim for claim in claims]
    kinds, unreadable, recovered = _record_definitions(claims, context_of, budget)
    contexts = {id(ctx): ctx for ctx in (context_of(claim.line) for claim in claims)}
    for ctx in contexts.values():
        _find_conflicts(ctx)
    # [ρ(X)]_{i,j} = … defines ρ's entries for the claims that apply ρ (P4 of the seed)
    entries = {key for key, claim in _keyed(claims) if key not in kinds
               and not budget.spent() and _record_entry_definition(claim, context_of(claim.line))}
    verdicts, plan = [], []
    for key, claim in _keyed(claims):
        ctx = context_of(claim.line)
        if claim.inline and key not in kinds and key not in unreadable:
            continue  # prose that names a value, no definition: not a claim of the document
        if budget.spent():
            verdicts.append(_undecided(claim.line, claim.latex, "time limit",
                                       budget.reason()))
        elif key in unreadable:
            verdicts.append(_unparsed(claim.line, claim.latex, unreadable[key]))
        elif key in kinds:
            verdicts.append(_definition_verdict(claim, key, kinds[key], ctx,
                                                recovered.get(key, "")))
        elif key in entries:
            name = str(entry_definition(_read(claim.lhs), _read(claim.rhs))[0])
            verdicts.append(_given(claim, DEFINITION, (
                f"the definition of {name}'s entries, as the document states it (the problem "
                "that defines it is not in the document)")))
        elif key[1] in signed:
            verdicts.append(_given(claim, DEFINITION, f"a definition of {claim.lhs.strip()} "
                                                      "(written as one; symproof does not apply "
                                                      "it to other claims)"))
        else:  # judged by the kernel, below
            plan.append((len(verdicts), claim, ctx))
            verdicts.append(None)
    # what each chain concludes decides the weights it substituted: judged with the claims
    concluded = [(claim, context_of(claim.line)) for claim in _conclusions(claims)] if any(
        ctx.weights for ctx in contexts.values()) else []
    settled, total = len(claims) - len(plan), len(claims)
    if progress is not None:
        progress(0, total)
    results = _judged([(claim, ctx) for _, claim, ctx in plan] + concluded, budget, jobs,
                      None if progress is None else (
                          lambda n: progress(min(settled + n, total), total)))
    for (at, claim, _), verdict in zip(plan, results):
        verdicts[at] = _unless_a_condition_beside(claim, verdict)
    if progress is not None:
        progress(total, total)
    conclusions = [v for v in results[len(plan):] if v.outcome.tactic != "time limit"]
    _judge_definitions(verdicts, conclusions)
    return verdicts


def _unless_a_condition_beside(claim: Claim, verdict: Verdict) -> Verdict:
    """``verdict``, but UNKNOWN for a claim refuted while a condition stands in its tag or
    column of reasons (``\\max(a, 0) &= a && \\text{if } a \\geq 0``): the claim was judged
    without it, and its counterexample may break it (a = −7/3)."""
    if verdict.status is not Status.REFUTED:
        return verdict
    condition = condition_beside(claim.words) or (
        "a divisibility" if divisibility_unread(claim.words) else "")
    if not condition:
        return verdict
    return _undecided(claim.line, claim.latex, "condition beside", (
        f"refuted for all values, but the writer states a condition beside it ({condition[:80]}) "
        "that symproof does not read: state it with a directive, or in the claim"))


def _conclusions(claims: list[Claim]) -> list[Claim]:
    """What each chain of links concludes, first side = last side, for a chain that starts at
    the layer's output (``Y_{1,i,j} = Σ w X + b_1 = X_{i+1,j} − X_{i,j}`` concludes
    ``Y_{1,i,j} = X_{i+1,j} − X_{i,j}``): the weights the document defines are judged by it.
    Never reported as a claim of its own: the document wrote the links."""
    found, start = [], 0
    for n in range(1, len(claims) + 1):
        if n < len(claims) and claims[n].lhs == claims[n - 1].rhs and claims[n].rhs is not None:
            continue  # the chain goes on
        first, last = claims[start], claims[n - 1]
        if n - start > 1 and first.lhs.lstrip().startswith("Y"):
            found.append(replace(first, latex=f"{first.lhs} = {last.rhs}", rhs=last.rhs))
        start = n
    return found


def _record_definitions(claims: list[Claim], context_of, budget: _Budget
                        ) -> tuple[dict, dict, dict]:
    """Every definition recorded in its context: key → what it defines ("weights",
    "function", "layer"), key → why a weight definition could not be read, and key → how a
    malformed one was recovered."""
    kinds: dict[tuple, str] = {}
    unreadable: dict[tuple, str] = {}
    recovered: dict[tuple, str] = {}
    for key, claim in _keyed(claims):
        if claim.rhs is None or budget.spent():
            continue
        ctx = context_of(claim.line)
        if claim.inline and claim.lhs.lstrip()[0] not in getattr(
                ctx.layer, "parameter_shapes", {}):
            continue  # "$b = -7/3$" in the prose of a section without a layer: no weight
        if _may_define(claim):
            try:
                with limits.deadline("reading the weight definition"):
                    parts = split_run_on(claim)  # one cases closed for several definitions
                    for part in parts or (claim,):
                        if _record_definition(part, key, _read(part.lhs), ctx):
                            kinds[key] = "weights"
                    if parts:
                        recovered[key] = (" (read as " + ", ".join(p.lhs for p in parts)
                                          + ": one \\begin{cases} was closed for all of them)")
            except (SymproofError, ValueError, TypeError, IndexError, KeyError,
                    AttributeError) as error:
                if "\\begin{cases}" in claim.rhs or isinstance(error, SymproofError):
                    unreadable[key] = f"weight definition not understood: {error}"
                    ctx.unread.setdefault(claim.lhs.lstrip()[0], []).append(claim.line)
            if key not in kinds and key not in unreadable and _CONDITIONED.search(claim.rhs):
                # "w_{…} = 1 \quad \text{if } α = β": a definition under a condition it does
                # not read; unread, the claims that use w are not judged for every weight
                unreadable[key] = ("weight definition not understood: the condition written "
                                   "beside it is not read (write it with \\begin{cases})")
                ctx.unread.setdefault(claim.lhs.lstrip()[0], []).append(claim.line)
        elif layer_equation(f"{claim.lhs} = {claim.rhs}") is not None:
            kinds[key] = "layer"
        elif _record_function(claim, key, ctx):
            kinds[key] = "function"
    return kinds, unreadable, recovered


_CONDITIONED = re.compile(rf"{TEXT_OPENING}(?:{CONDITION_WORDS}|otherwise)\b")


def _may_define(claim: Claim) -> bool:
    """Whether the claim is written like a weight or bias definition (``w_{…} = …``, ``b = 0``)."""
    return claim.lhs.lstrip().startswith(("w_", "b_")) or is_target(claim.lhs)


def _record_definition(claim: Claim, key: tuple, target, ctx: DocumentContext) -> bool:
    """A weight or bias definition (``w_{…} = \\begin{cases}…``, a value for one entry,
    ``b_1 = 0``, for a pattern of entries, ``b_l = 0``, or for the whole array, ``b = 0``),
    recorded in the context under ``key``; False when the claim is no definition. A pattern's
    indices are numbers or distinct names, as many as the layer's array has; anything else is
    refused (its meaning would be a guess). A value without cases is a number, or names only
    the pattern's indices and the sizes the context defines."""
    cases = "\\begin{cases}" in claim.rhs
    whole = isinstance(target, sp.Symbol) and target.name in ("w", "b")
    if not whole and not (isinstance(target, sp.Indexed) and target.base in (nt.w, nt.b)):
        if cases:
            raise SymproofError(f"{claim.lhs.strip()} is not a weight w_{{…}} or bias b_{{…}}")
        return False
    name = target.name if whole else target.base.label.name
    shapes = getattr(ctx.layer, "parameter_shapes", {})
    if name not in shapes:
        where = "the context has no layer with" if getattr(ctx.layer, "spec", None) is None \
            else f"{ctx.layer!r} has no"
        raise SymproofError(f"{where} {name}: add a directive for it")
    if not whole and not cases and "\\begin{" in claim.rhs and len(target.indices) == len(
            shapes[name]) - 2 == 2:  # w_{1,1} = [[…]]: the kernel of one channel pair
        return _record_kernel(claim, key, target, shapes[name], ctx)
    variables = tuple(sp.Dummy(f"{name}{n + 1}", integer=True, positive=True)
                      for n in range(len(shapes[name]))) if whole else tuple(
        sp.sympify(v) for v in _in_full(target.base, tuple(target.indices), ctx))
    if len(variables) != len(shapes[name]):
        raise SymproofError(f"{name} has {len(shapes[name])} indices in {ctx.layer!r}, "
                            f"the definition gives {len(variables)}")
    outside = [(n, v, size) for n, (v, size) in enumerate(zip(variables, shapes[name]))
               if v.is_Integer and sp.sympify(size).is_Integer and not 1 <= v <= size]
    if outside:  # w_{1,1,5,5} of a 3×3 kernel names no weight: it would apply to nothing
        n, v, size = outside[0]
        raise SymproofError(f"index {n + 1} of {name} is {v}, outside 1…{size} in "
                            f"{ctx.layer!r}")
    names = [v for v in variables if not v.is_Integer]
    if any(not isinstance(v, sp.Symbol) for v in names) or len(set(names)) < len(names):
        raise SymproofError(f"the indices of {name} must be numbers or distinct names, as in "
                            f"{name}_{{1,\\gamma,\\alpha,\\beta}}")
    if cases:
        definition = cases_to_piecewise(claim.rhs, variables, _read)
    else:
        definition = _read(claim.rhs)
        allowed = {v.name for v in names} | set(ctx.bound())
        if not isinstance(definition, sp.Expr) or definition.atoms(
                sp.Indexed, sp.core.function.AppliedUndef) or any(
                s.name not in allowed for s in definition.free_symbols):
            return False
        definition = definition.xreplace({s: v for s in definition.free_symbols
                                          for v in names if s.name == v.name})
    # sizes the context names (F = 3) are those numbers in the weights too, as in the claims
    definition = _conventions(definition, ctx)
    ctx.weights.setdefault(name, []).append((key, (variables, definition)))
    return True


def _record_kernel(claim: Claim, key: tuple, target: sp.Indexed, shape: tuple,
                   ctx: DocumentContext) -> bool:
    """``w_{l,γ} = \\begin{bmatrix}…\\end{bmatrix}`` (as symproof writes a kernel): the
    definition of ``w_{l,γ,α,β}`` = the matrix's entry (α, β), recorded under ``key``;
    False when the right side is no matrix. The channels must be numbers in range, the
    matrix the kernel's size and its entries numbers or the context's sizes."""
    matrix = _read(claim.rhs)
    if not isinstance(matrix, sp.MatrixBase):
        return False
    channels = tuple(sp.sympify(v) for v in target.indices)
    where = f"in {ctx.layer!r}"
    for n, (v, size) in enumerate(zip(channels, shape)):
        if not (v.is_Integer and sp.sympify(size).is_Integer and 1 <= v <= size):
            raise SymproofError(f"channel {n + 1} of the kernel w_{{…}} is {v}: a kernel "
                                f"matrix is defined for channels given as numbers 1…{size} "
                                f"{where}")
    if tuple(matrix.shape) != tuple(shape[2:]):
        raise SymproofError(f"the matrix is {matrix.shape[0]}×{matrix.shape[1]}, the kernel "
                            f"{where} is {shape[2]}×{shape[3]}")
    allowed = set(ctx.bound())
    if any(s.name not in allowed for s in matrix.free_symbols) or matrix.atoms(
            sp.Indexed, sp.core.function.AppliedUndef):
        raise SymproofError("a kernel matrix's entries must be numbers or the context's sizes")
    # One definition of the channel pair's kernel, w_{l,γ,α,β} = Σ M[r,c]·δ(α,r)·δ(β,c), as
    # specific as w_{l,γ,α,β} = … (two indices fixed): a definition of the same kernel
    # conflicts with it, one of a row or a tap overrides it, whatever their order (recorded as
    # nine taps, the matrix overrode every other definition of its channels)
    alpha, beta = (sp.Dummy(name, integer=True, positive=True) for name in ("alpha", "beta"))
    body = sp.Add(*(_conventions(value, ctx) * sp.KroneckerDelta(alpha, row + 1)
                    * sp.KroneckerDelta(beta, column + 1)
                    for (row, column), value in zip(((r, c) for r in range(matrix.shape[0])
                                                     for c in range(matrix.shape[1])), matrix)
                    if value != 0))
    ctx.weights.setdefault("w", []).append((key, ((*channels, alpha, beta), body)))
    return True


def _record_function(claim: Claim, key: tuple, ctx: DocumentContext) -> bool:
    """``σ(x) = …`` (a function of distinct plain variables, not on its right side, no prime)
    recorded in the context under ``key``; False for anything else (judged as a claim)."""
    if not _CALL.match(claim.lhs.strip()):
        return False  # only f(…) or \\sigma(…) is read here, not every claim twice
    try:
        with limits.deadline("reading the definition"):
            lhs = _read(claim.lhs)
            if not isinstance(lhs, sp.core.function.AppliedUndef) or "'" in lhs.func.__name__:
                return False
            rhs = _read(claim.rhs)
    except (SymproofError, ValueError, TypeError, IndexError, KeyError, AttributeError,
            NotImplementedError, RecursionError):
        return False  # the claim's own judging reports what cannot be read
    if not isinstance(rhs, sp.Expr) or not function_definition(lhs, rhs):
        return False
    ctx.functions.setdefault(lhs.func.__name__, []).append((key, (lhs.args, rhs)))
    return True


# f(…) or \sigma(…), \sigma\left(…: a call of a named function
_CALL = re.compile(r"(?:\\(?!left\b)[A-Za-z]+|[A-Za-z])\s*(?:\\left\s*)?\(")


def _find_conflicts(ctx: DocumentContext) -> None:
    """Definitions of the same entries (or function) that disagree, recorded in
    ``ctx.conflicts`` for both: neither applies, whatever their order."""
    shapes = getattr(ctx.layer, "parameter_shapes", {})
    for name, found in ctx.weights.items():
        try:
            with limits.deadline("comparing definitions"):
                clashes = conflicts(name, found, shapes.get(name))
        except TooLargeError as error:
            clashes = [(key, found[0][0], name, "?", f"not compared ({error})")
                       for key, _ in found[1:]]
        for later, earlier, entry, there, here in clashes:
            _conflict(ctx, later, earlier, entry, there, here)
    for name, found in ctx.functions.items():
        (first, (arguments, body)), *others = found
        for key, (other_arguments, other) in others:
            if not _same_function(arguments, body, other_arguments, other):
                _conflict(ctx, key, first, f"{name}({', '.join(map(str, arguments))})",
                          body, other)


def _same_function(arguments, body, other_arguments, other) -> bool:
    """Whether two definitions of a function agree (shown by simplification, else not)."""
    if len(arguments) != len(other_arguments):
        return False
    renamed = other.subs(dict(zip(other_arguments, arguments)), simultaneous=True)
    try:
        with limits.deadline("comparing definitions"):
            difference = body - renamed
            # tanh(x) and (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) are one function: compare in exponentials too
            return body == renamed or sp.simplify(difference) == 0 or sp.simplify(
                difference.rewrite(sp.exp)) == 0
    except TooLargeError:
        return False


def _conflict(ctx: DocumentContext, later: tuple, earlier: tuple, entry: str, there,
              here) -> None:
    ctx.conflicts.setdefault(later, f"conflicts with the definition at line {earlier[0]}: "
                                    f"{entry} is {there} there, {here} here")
    ctx.conflicts.setdefault(earlier, f"conflicts with the definition at line {later[0]}: "
                                      f"{entry} is {there} here, {here} there")


def _definition_verdict(claim: Claim, key: tuple, kind: str, ctx: DocumentContext,
                        note: str = "") -> Verdict:
    """A definition's verdict: GIVEN (a weight definition's may be decided later by the
    claims that use it), or UNKNOWN when another definition contradicts it."""
    if key in ctx.conflicts:
        verdict = _undecided(claim.line, claim.latex, CONFLICT, ctx.conflicts[key])
    elif kind == "weights":
        verdict = _given(claim, WEIGHTS, "weight definition recorded in the context" + note)
    elif kind == "function":
        name = claim.lhs.strip().split("(")[0].replace("\\left", "").strip()
        verdict = _given(claim, DEFINITION, f"a definition of {name}, applied to the claims "
                                            "of its context")
    else:
        mlp = " (the mlp directive's network)" if ctx.layer == "mlp" else ""
        verdict = _given(claim, DEFINITION, f"a layer equation of an MLP{mlp}: given, "
                                            "not judged")
    return replace(verdict, defines=key)


def _given(claim: Claim, tactic: str, reason: str) -> Verdict:
    return Verdict.of(claim.line, claim.latex, Outcome(Status.GIVEN, tactic, reason), reason)


def _with_inline_definitions(claims: list[Claim], everything: list[Claim]) -> list[Claim]:
    """The display claims, with the inline ones that define a weight or bias entry by a
    number (``$w_{1,1,1} = 0.299$``): definitions hold wherever they are written."""
    display = Counter((c.line, c.latex) for c in claims)
    extra = []
    for claim in everything:
        if display[(claim.line, claim.latex)] > 0:
            display[(claim.line, claim.latex)] -= 1
        elif claim.rhs is not None and is_target(claim.lhs) and _NUMBER.fullmatch(
                claim.rhs.strip()):
            extra.append(replace(claim, inline=True))
    return sorted([*claims, *extra], key=lambda c: c.line) if extra else claims


def _in_intertext(text: str, markdown: bool) -> list[Claim]:
    """The inline claims of the words between a display's rows (``\\intertext{where
    $b_1 = 0$, so}``): the reader drops those words from the display, and the definitions
    in them hold all the same (dropped, the claims after them were judged for every weight)."""
    found = []
    for match in _INTERTEXT.finditer(text):
        words, _ = braced_group(text, match.end() - 1)
        before = text.count("\n", 0, match.end())
        found += [replace(claim, line=claim.line + before)
                  for claim in extract(words, inline=True, markdown=markdown)]
    return found


_INTERTEXT = re.compile(r"\\(?:short)?intertext\s*\{")


# A number as written: 0.299, -1, .5, \frac{1}{9}
_NUMBER = re.compile(r"-?\s*(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+|\\frac\{[0-9]+\}\{[0-9]+\})")

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


def _judge_definitions(verdicts: list[Verdict], conclusions: list[Verdict] = ()) -> None:
    """A weight definition is as good as what the layer computes with it: PROVED when a claim
    about the layer's output (its element formula, written so or concluded by a chain of links,
    ``conclusions``) that substituted this very definition is proved, REFUTED when every such
    claim is refuted. The definition's verdict then carries
    the outcome the kernel produced for that claim (it never makes a status of its own); each
    such verdict is replaced, none is changed. Otherwise it stays GIVEN."""
    # which array (w or b) each definition gives: a claim that took one array's entries
    # from definitions on several lines proves nothing of any one line alone
    array_of = {v.defines: v.latex.lstrip()[:1] for v in verdicts if v.outcome.tactic == WEIGHTS}

    def alone(key: tuple, used) -> bool:
        return all(array_of.get(other) != array_of[key] for other in used
                   if other[0] != key[0])

    for at, verdict in enumerate(verdicts):
        if verdict.outcome.tactic != WEIGHTS:
            continue
        key = verdict.defines
        users = [v for v in (*verdicts, *conclusions)
                 if v.evidence.get("element formula") and key in v.uses]
        mixed = [v for v in users if not alone(key, v.uses)]
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


def _claim_key(claim: Claim, ctx: DocumentContext) -> str | None:
    return fingerprint((claim.latex, claim.lhs, claim.rhs, claim.problem, claim.words, ctx))


def _again(verdict: Verdict, claim: Claim) -> Verdict:
    """A verdict given again to the same claim in the same context, at its own line."""
    return replace(verdict, line=claim.line, evidence=dict(verdict.evidence))


def _judged(pairs: list[tuple[Claim, DocumentContext]], budget: _Budget, jobs: int,
            done: Callable[[int], None] | None) -> list[Verdict]:
    """The verdict on each claim in its context. The same claim in the same context (equal in
    every detail, :func:`~symproof.claims.reuse.fingerprint`) is judged once per document, and
    its verdict given again at its new line; the words beside a claim on its line are part of
    it ("∵ σ is nondecreasing", "except the k-th"), so they are part of the fingerprint. The
    distinct claims are judged by up to ``jobs`` processes (:mod:`symproof.workers`: each
    judges from the contexts as they stand now, and judging a claim changes no context). A
    claim reached after the document's time is spent is left undecided, and says so."""
    keys = [_claim_key(claim, ctx) for claim, ctx in pairs]
    distinct, seen = [], set()
    for n, key in enumerate(keys):
        if key is None or key not in seen:
            distinct.append(n)
            seen.add(key)

    def judge(piece: int) -> Verdict:
        claim, ctx = pairs[distinct[piece]]
        if budget.spent():
            return _undecided(claim.line, claim.latex, "time limit", budget.reason())
        return _judge(claim, ctx)

    fresh = dict(zip(distinct, workers.mapped(judge, len(distinct), jobs, done)))
    verdicts, first = [], {}
    for n, ((claim, _), key) in enumerate(zip(pairs, keys)):
        if n not in fresh:
            verdicts.append(_again(first[key], claim))
            continue
        verdicts.append(fresh[n])
        if key is not None:  # a claim without a fingerprint is never reused
            first[key] = fresh[n]
    return verdicts


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
            if isinstance(_read(claim.lhs), sp.Ne):  # "fails in general": no equation to judge
                return _undecided(claim.line, claim.latex, "not a claim",
                                  "states that the sides differ (≠); symproof judges equations")
            return _undecided(claim.line, claim.latex, "not a claim",
                              "an expression, not a claim")
        if "\\begin{cases}" in claim.rhs and not (  # a definition that was not recorded
                ctx.backward is not None and gradient_claim(claim.lhs, claim.rhs, ctx.names)):
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
