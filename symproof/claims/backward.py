"""Claims about the gradient of a scalar loss through a windowed layer, judged.

Under ``%! symproof conv2d-backward …`` (or ``avgpool2d-backward``, ``maxpool2d-backward``),
or where the prose states a convolution's data, a claim such as
``\\frac{\\partial L}{\\partial w_{l,\\gamma,\\alpha,\\beta}} = \\sum_{i,j} G_{l,i,j} X_{…}`` is
measured against the one definition of symproof (:func:`symproof.backprop.upstream.gradient`):
the kernel's derivative of ``Σ_{l,i,j} G_{l,i,j} Y_{l,i,j}`` in that entry, ``G = ∂L/∂Y``.

What is read, and what is refused rather than guessed:

* the loss is one of the names the context binds (L, E, ``\\mathcal{L}`` by default,
  ``loss=`` in the directive); the entry is ``w_{…}``, ``b_{…}`` or ``X_{…}`` of the layer;
* the upstream gradient is written ``\\frac{\\partial L}{\\partial Y_{l,i,j}}`` (it names itself)
  or by a name the directive (``upstream=delta``) or the prose (``G_{l,i,j} = \\frac{\\partial
  L}{\\partial Y_{l,i,j}}``) binds; any other name leaves the claim UNKNOWN, naming it;
* sums with or without ranges (``\\sum_{i,j}`` runs over the range of the entry its index
  stands in); indices are 1-based unless the directive says ``indexing=0``: a sum from 0 in a
  1-based context is UNKNOWN, never a guess;
* X, G (and w, in flipped-kernel forms) are 0 outside their index ranges, the padding rule.

A claim is PROVED when the kernel proves it equal to the gradient under the layer's context,
VERIFIED when every entry of a concrete layer agrees exactly, REFUTED only by the kernel's
counterexample (which respects every assumption), else UNKNOWN with the reason.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .. import limits
from .. import notation as nt
from ..backprop.pool import ARGMAX_COL, ARGMAX_ROW
from ..backprop.upstream import gradient, through
from ..errors import SymproofError, TooLargeError
from ..kernel import exhaustive, expand_sums, normalize, prove, reflected_derivative
from ..kernel.context import layer_context
from ..layers import AvgPool2d, Conv2d, MaxPool2d
from ..proof import Outcome, Status
from ..reductions import MaxOver
from .context import Backward, DocumentContext
from .max_backward import judge_max_gradient
from .normalize import tidy
from .parse import split_top
from .vocabulary import bare_sum_bounds, settled, unbounded_sums

__all__ = ["GradientClaim", "gradient_claim", "judge_gradient", "upstream_bound_in",
           "loss_derivative",
           "is_upstream_definition", "mentions_upstream", "UPSTREAM_DEFINITION"]

#: The tactic of a claim that names the upstream gradient (``δ_{l,i,j} = ∂L/∂Y_{l,i,j}``).
UPSTREAM_DEFINITION = "upstream gradient"

# ∂ or d, in \frac{∂L}{∂w_{…}} and ∂L/∂w_{…}
_D = r"(?:\\partial|d|\\mathrm\{d\}|\\text\{d\})"
# the loss: a letter (L, E, J), \mathcal{L} or \ell, perhaps with its arguments, J(V, K)
_LOSS = (r"(?P<loss>[A-Za-z]|\\mathcal\s*\{\s*[A-Za-z]\s*\}|\\mathcal\s+[A-Za-z]|\\ell)"
         r"(?:\s*(?:\\left)?\((?P<arguments>[^()]*)(?:\\right)?\))?")
_FRAC = re.compile(r"\\frac\s*\{\s*" + _D + r"\s*" + _LOSS + r"\s*\}\s*\{\s*" + _D
                   + r"\s*(?P<wrt>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_SLASH = re.compile(_D + r"\s*" + _LOSS + r"\s*/\s*" + _D + r"\s*(?P<wrt>[A-Za-z]\s*_\s*(?:\{"
                    r"[^{}]*\}|[A-Za-z0-9]))")
# an entry of an array the document names, with three indices or more: δ_{l,i,j}, G_{l,i,j}
_ENTRY = re.compile(r"(?<![A-Za-z\\])(?P<name>\\[A-Za-z]+|[A-Za-z])\s*_\s*\{(?P<sub>[^{}]*)\}")


@dataclass(frozen=True)
class GradientClaim:
    """``∂loss/∂wrt = rhs`` as written: the loss's name, the entry's text, the right side."""

    loss: str
    wrt: str
    rhs: str


def _loss_name(text: str) -> str:
    """``\\mathcal{L}`` → ``\\mathcal{L}``, ``L`` → ``L``: one spelling per loss name."""
    inner = re.sub(r"\\mathcal\s*\{?\s*([A-Za-z])\s*\}?", r"\\mathcal{\1}", text.strip())
    return inner


def _derivatives(text: str):
    """Every ``∂loss/∂entry`` written in ``text``: (match, loss, entry text)."""
    for pattern in (_FRAC, _SLASH):
        for found in pattern.finditer(text):
            yield found, _loss_name(found.group("loss")), found.group("wrt").strip()


def gradient_claim(lhs: str, rhs: str | None, names: dict | None = None
                   ) -> GradientClaim | None:
    """The claim as a gradient of a loss in one entry of w, b or X (its left side is exactly
    ``∂loss/∂entry``; ``names`` maps the document's array letters to the model's, as a
    ``names K=w`` directive says), or None. Both sides are tidied as the reader tidies them
    (typefaces dropped: ``\\mathsf{K}`` is K)."""
    if rhs is None:
        return None
    text = tidy(lhs)
    arrays = _arrays(names or {}, ("w", "b", "X"))
    for found, loss, wrt in _derivatives(text):
        if found.start() == 0 and found.end() == len(text) and _entry_of(wrt, arrays):
            return GradientClaim(loss, wrt, tidy(rhs))
    return None


def loss_derivative(lhs: str) -> tuple[str, str] | None:
    """``(loss, entry text)`` when the tidied ``lhs`` is exactly ``∂loss/∂entry`` in one of
    the spellings above (``\\frac{\\partial L}{\\partial z_j}``, ``∂L/∂z_j``), else None: the
    left side of a loss-gradient claim (:mod:`.loss_claims`)."""
    text = tidy(lhs)
    for found, loss, wrt in _derivatives(text):
        if found.start() == 0 and found.end() == len(text):
            return loss, wrt
    return None


def _arrays(names: dict, models: tuple[str, ...]) -> tuple[str, ...]:
    """The letters that write the model's arrays ``models``: their own, and those a names
    directive maps to them."""
    return (*models, *(written for written, model in names.items() if model in models))


def _entry_of(text: str, arrays: tuple[str, ...]) -> bool:
    """Whether ``text`` is an entry ``A_{…}`` of one of ``arrays``."""
    found = re.match(r"([A-Za-z]+)\s*_", text)
    return found is not None and found.group(1) in arrays


def upstream_bound_in(text: str, outputs: tuple[str, ...] = ("Y",)) -> tuple[str, ...]:
    """Names the prose binds to the upstream gradient: ``NAME_{l,i,j} = \\frac{\\partial
    L}{\\partial Y_{l,i,j}}`` (or the sides swapped) anywhere in ``text``; ``outputs`` are the
    letters of the layer's output (Y, and Z with ``names Z=Y``)."""
    names = []
    for found, _, wrt in _derivatives(text):
        if not _entry_of(wrt, outputs):
            continue
        before = text[:found.start()].rstrip()
        after = text[found.end():].lstrip()
        if before.endswith("="):
            entry = re.search(r"(\\[A-Za-z]+|[A-Za-z])\s*_\s*\{[^{}]*\}\s*$", before[:-1])
            if entry:
                names.append(entry.group(1))
        if after.startswith("="):
            entry = re.match(r"=\s*(\\[A-Za-z]+|[A-Za-z])\s*_\s*\{", after)
            if entry:
                names.append(entry.group(1))
    return tuple(dict.fromkeys(_plain_name(n) for n in names))


def _plain_name(name: str) -> str:
    """``\\delta`` → ``delta``, ``G`` → ``G``: the names a directive writes."""
    return name.lstrip("\\")


def is_upstream_definition(lhs: str, rhs: str | None, names: dict | None = None) -> bool:
    """Whether the claim names the upstream gradient: ``δ_{l,i,j} = ∂L/∂Y_{l,i,j}``."""
    if rhs is None:
        return False
    written = tidy(f"{lhs} = {rhs}")
    outputs = _arrays(names or {}, ("Y",))
    found = list(_derivatives(written))
    return (len(found) == 1 and _entry_of(found[0][2], outputs)
            and bool(upstream_bound_in(written, outputs)))


def mentions_upstream(lhs: str, rhs: str | None, backward: Backward,
                      names: dict | None = None) -> bool:
    """Whether a claim writes the upstream gradient (``G_{…}``, a bound name's entries, or
    ``∂L/∂Y_{…}``): one that is no gradient claim (a later link of a chain) is then not
    judged as an identity of unknown arrays."""
    text = tidy(f"{lhs} = {rhs or ''}")
    outputs = _arrays(names or {}, ("Y",))
    if any(_entry_of(wrt, outputs) for _, _, wrt in _derivatives(text)):
        return True
    return any(_plain_name(e.group("name")) in (*backward.upstream, "G")
               and e.group("sub").count(",") >= 2 for e in _ENTRY.finditer(text))


# --- judging ---------------------------------------------------------------------------------

Reader = Callable[..., sp.Basic]


def judge_gradient(claim: GradientClaim, ctx: DocumentContext, read: Reader,
                   conventions: Callable) -> tuple[Outcome, str, dict]:
    """The kernel's outcome on a gradient claim, the reason to show, and evidence.
    ``read`` is the claim reader, ``conventions`` the context's reading of the document's
    shorthand (one-channel X_{p,q}, sizes named in the context)."""
    backward = ctx.backward or Backward(upstream=(), directive=False)
    layer = ctx.layer
    refused = _refused(claim, ctx, backward)
    if refused:
        return _unknown("undefined names", refused)
    rhs_text, unbound = _upstream_as_g(_cases_as_indicator(claim.rhs), backward, ctx.names)
    if unbound:
        return _unknown("undefined names", unbound)
    wrt, rhs = read(claim.wrt), read(rhs_text)
    if not backward.zero_based and _from_zero(rhs):
        return _unknown("indexing", "a sum starts at 0: are the indices 0-based? say so "
                        "(indexing=0 in a conv2d-backward directive); not guessed")
    wrt, rhs = _as_indices(wrt, rhs, backward)
    wrt = conventions(wrt)
    sizes = _Sizes.of(ctx)
    wrong = sizes.entry_problem(wrt)
    if wrong:
        return _unknown("undefined names", wrong)
    rhs = _guarded(conventions, rhs)
    rhs = bare_sum_bounds(rhs, sizes.shapes())
    rhs = rhs.xreplace(sizes.names())
    context = sizes.context(ctx, wrt)
    # a sum written without bounds is empty below its range; the layer's context says the
    # output is not empty
    rhs = settled(rhs, context.implies)
    if isinstance(layer, MaxPool2d):
        return _max_pooled(claim, wrt, rhs, sizes, ctx)
    taken = sizes.named(gradient(layer, wrt, output_size=sizes.output))
    loose = _loose_names(rhs, taken, wrt, ctx)
    if loose:
        return _unknown("undefined names", loose)
    what = (f"∂{claim.loss}/∂{wrt} by the chain rule through {layer!r} (G = "
            f"∂{claim.loss}/∂Y)")
    if sizes.concrete() and wrt.base == nt.X:
        # the input's gradient of a concrete layer: its entries, one by one, are cheaper
        # than the kernel's symbolic search through every Kronecker delta of the window
        outcome = _every_entry(taken, rhs, wrt, sizes)
    else:
        expected = _expected(wrt, sizes, ctx)
        outcome = _decided(expected, rhs, context)
        if outcome.status is Status.UNKNOWN and sizes.concrete():
            outcome = _every_entry(expected, rhs, wrt, sizes)
        if outcome.status is Status.UNKNOWN:
            outcome = _differentiated(wrt, rhs, sizes, context) or outcome
    evidence = {**outcome.evidence(), "gradient": str(taken)}
    reason = f"against {what}"
    if outcome.status is Status.UNKNOWN:
        reason += f"; not decided: {outcome.detail}"
    return outcome, reason + _indexing_note(backward), evidence


def _indexing_note(backward: Backward) -> str:
    """What a reason adds for a 0-based document: its entries, a counterexample's p, q too,
    are shown 1-based (the shifted reading the claim was judged in)."""
    return (" (the document's 0-based indices read as 1-based: a counterexample's too)"
            if backward.zero_based else "")


def _differentiated(wrt: sp.Indexed, rhs: sp.Expr, sizes: _Sizes, context) -> Outcome | None:
    """The second route for an input gradient the search left open: the kernel
    differentiates ``Σ G·Y`` itself and compares with the claim as written (constant factors
    taken into its sums: ``(1/k²) Σ …``), its flipped-kernel indices reflected first
    (:func:`~symproof.kernel.reflected_derivative`). Only a proof is taken (None otherwise):
    refutations stay with the search, whose counterexamples are checked against the context."""
    layer = sizes.layer
    if wrt.base != nt.X or not (isinstance(layer, AvgPool2d) or (
            isinstance(layer, Conv2d) and layer.groups == 1)):
        return None
    written = _factored_in(rhs)
    try:
        outcome = reflected_derivative(through(layer, output_size=sizes.output), wrt, written,
                                       _flipped(written), context)
    except TooLargeError:
        return None
    return outcome if outcome.status is Status.PROVED else None


def _factored_in(expr: sp.Basic) -> sp.Basic:
    """``c·Σ f`` as ``Σ c·f`` wherever ``c`` is free of the sum's indices (linearity of a
    finite sum), so that both sides of a claim are sums of the same shape."""
    def inside(product: sp.Mul) -> sp.Basic:
        sums = [a for a in product.args if isinstance(a, sp.Sum)]
        if len(sums) != 1:
            return product
        total = sums[0]
        factor = sp.Mul(*(a for a in product.args if a is not total))
        if factor.free_symbols & {v for v, _, _ in total.limits}:
            return product
        return sp.Sum(factor * total.function, *total.limits)

    return expr.replace(lambda e: isinstance(e, sp.Mul), inside)


def _flipped(expr: sp.Basic) -> tuple[sp.Symbol, ...]:
    """The summation indices a weight entry reads backwards (``w_{l,γ,f−α+1,…}``: α with
    coefficient −1), each of one sum with bounds free of its indices: those to reflect."""
    indices = {v for total in expr.atoms(sp.Sum) for v, _, _ in total.limits}
    backwards = {v for entry in expr.atoms(sp.Indexed) if entry.base == nt.w
                 for index in entry.indices for v in indices
                 if sp.expand(index).coeff(v) == -1}
    return tuple(sorted(backwards, key=str))


def _max_pooled(claim: GradientClaim, wrt, rhs: sp.Expr, sizes: _Sizes,
                ctx: DocumentContext) -> tuple[Outcome, str, dict]:
    """A claim through max pooling (:mod:`.max_backward`): its names checked as any
    gradient's, then judged on inputs (a concrete layer) or by the kernel's routing rule."""
    if not isinstance(wrt, sp.Indexed) or wrt.base != nt.X:
        return _unknown("max pooling", f"{wrt} is not an entry of X: max pooling has no "
                                       "weights")
    backward = ctx.backward or Backward(upstream=(), directive=False)
    taps = dict(zip((sp.IndexedBase(name) for name in backward.argmax),
                    (ARGMAX_ROW, ARGMAX_COL)))
    rhs = rhs.replace(lambda e: isinstance(e, sp.Indexed) and e.base in taps,
                      lambda e: taps[e.base][e.indices])
    # the arg-max taps the directive names are bound: seen as numbers by the name check
    loose = _loose_names(rhs.replace(lambda e: isinstance(e, sp.Indexed) and e.base in (
        ARGMAX_ROW, ARGMAX_COL) and bool(taps), lambda e: sp.S.One),
        sp.Tuple(*sizes.input, *sizes.output, sizes.channels_in), wrt, ctx)
    if loose:
        return _unknown("undefined names", loose)
    outcome = judge_max_gradient(sizes.layer, wrt, rhs, sizes.shapes(), sizes.output,
                                 sizes.context(ctx, wrt))
    evidence = outcome.evidence()
    reason = f"against ∂{claim.loss}/∂{wrt} through {sizes.layer!r} (G = ∂{claim.loss}/∂Y)"
    if outcome.status is Status.UNKNOWN:
        reason += f"; not decided: {outcome.detail}"
    elif outcome.status is not Status.REFUTED:
        reason += f": {outcome.detail}"
    return outcome, reason + _indexing_note(backward), evidence


# A cases environment, and a row's words (if, when, otherwise; "otherwise." too) or its column
# separator
_CASES = re.compile(r"\\begin\{cases\}(?P<body>.*?)\\end\{cases\}", re.DOTALL)
_WORD = re.compile(r"\\(?:text|textrm|mbox|mathrm)\{\s*(?P<word>[a-z]+)\s*[.,;]?\s*\}|&")


def _cases_as_indicator(text: str) -> str:
    r"""``\begin{cases} v & \text{if } c \\ 0 & \text{otherwise}\end{cases}`` (the ``&``
    perhaps gone) written ``(v)·\mathbb{1}[c]``: the same value where c holds and where it
    does not. Any other cases environment is left as it is (and not read)."""
    def indicator(found: re.Match) -> str:
        rows = [row.strip() for row in split_top(found.group("body"), "\\\\")]
        rows = [row for row in rows if row]
        if len(rows) != 2:
            return found.group(0)
        last = _WORD.sub(lambda m: f" {m.group('word') or ''} ", rows[1]).split()
        if last not in (["0", "otherwise"], ["0", "else"]):
            return found.group(0)
        cut = next((m for m in _WORD.finditer(rows[0])
                    if m.group(0) == "&" or m.group("word") in ("if", "when")), None)
        if cut is None:
            return found.group(0)
        value, condition = rows[0][:cut.start()], rows[0][cut.end():].strip()
        words = _WORD.match(condition)
        if words and words.group("word") in ("if", "when"):
            condition = condition[words.end():]
        condition = condition.strip().rstrip(",.;")
        return rf"\left({value.strip()}\right) \mathbb{{1}}\left[{condition}\right]"

    return _CASES.sub(indicator, text)


def _decided(expected: sp.Expr, rhs: sp.Expr, context) -> Outcome:
    """The kernel's search on ``expected = rhs``; a claim too large for it is UNKNOWN."""
    try:
        return prove(sp.Eq(expected, rhs, evaluate=False), context=context)
    except TooLargeError as error:
        return Outcome(Status.UNKNOWN, "size limit", f"not proved symbolically: {error}")


def _expected(wrt: sp.Indexed, sizes: _Sizes, ctx: DocumentContext) -> sp.Expr:
    """``∂L/∂wrt`` (:func:`~symproof.backprop.upstream.gradient`). Taken with the channel
    counts and kernel sizes as symbols and normalised by the kernel there (the sum over the
    output channels collapses on its Kronecker delta, which a sum written out over C_out = 2
    would not), then those sizes substituted: differentiating commutes with giving them
    their values, and the assumptions the normalisation used hold at those values."""
    layer = sizes.layer
    c_in, c_out, rows, cols = (sp.Dummy(name, integer=True, positive=True)
                               for name in ("C_in", "C_out", "f_1", "f_2"))
    if isinstance(layer, Conv2d) and layer.groups == 1:
        # the kernel's size too: Σ_α written out over f_1 = 1 leaves δ(1, α), which the
        # kernel does not reduce under 1 ≤ α ≤ 1
        general = type(layer)(c_in, c_out, (rows, cols), stride=layer.stride,
                              padding=layer.padding, dilation=layer.dilation, bias=layer.bias)
        values = {c_in: sizes.channels_in, c_out: sizes.channels_out,
                  rows: layer.kernel_size[0], cols: layer.kernel_size[1]}
    else:
        general, c_out = layer, nt.index_symbol("C")
        c_in, values = c_out, {c_out: sizes.channels_out}
    general_sizes = _Sizes(general, sizes.input, sizes.output, c_in, c_out)
    taken = gradient(general, wrt, output_size=sizes.output)
    collapsed = normalize(taken, general_sizes.context(ctx, wrt))
    return sizes.named(collapsed.xreplace(values))


# G while the context's conventions apply: its label is no size (G also names the groups)
_HIDDEN = sp.IndexedBase(sp.Dummy("upstream"))


def _guarded(conventions: Callable, expr: sp.Basic) -> sp.Basic:
    """``conventions(expr)`` with the upstream gradient's entries kept as they are (their
    indices read like any other): the groups G = 1 of a convolution is not ∂L/∂Y."""
    hidden = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == nt.G,
                          lambda e: _HIDDEN[e.indices])
    return conventions(hidden).replace(lambda e: isinstance(e, sp.Indexed) and e.base == _HIDDEN,
                                       lambda e: nt.G[e.indices])


def _unknown(tactic: str, reason: str) -> tuple[Outcome, str, dict]:
    return Outcome(Status.UNKNOWN, tactic, reason), reason, {}


def _refused(claim: GradientClaim, ctx: DocumentContext, backward: Backward) -> str:
    """Why the claim cannot be judged in this context (its loss or layer unbound), or ""."""
    losses = {_loss_name(n) for n in backward.loss} | {"\\mathcal{L}"}
    if claim.loss not in losses:
        return (f"the loss {claim.loss} is not bound (the context's loss is "
                f"{', '.join(sorted(losses))}; name it with loss=… in the directive)")
    if not isinstance(ctx.layer, (Conv2d, AvgPool2d, MaxPool2d)) or len(
            ctx.layer.spec.axes) != 2:
        return ("a gradient through a layer the context does not define (add a "
                "%! symproof conv2d-backward … directive)")
    if not backward.directive and not isinstance(ctx.layer, Conv2d):
        return "a gradient through a pooling layer needs a pooling -backward directive"
    return ""


def _upstream_as_g(text: str, backward: Backward, names: dict) -> tuple[str, str]:
    """``text`` with the upstream gradient written ``G_{…}`` (its bound names, and
    ``∂L/∂Y_{…}`` in any spelling of a bound loss), and why not when it names an entry of an
    array nothing binds (``δ_{l,i,j}`` without ``upstream=delta``)."""
    losses = {_loss_name(n) for n in backward.loss} | {"\\mathcal{L}"}
    spans = []  # (start, end, replacement)
    for found, loss, wrt in _derivatives(text):
        if loss not in losses or not _entry_of(wrt, _arrays(names, ("Y",))):
            return "", (f"uses the derivative ∂{loss}/∂{wrt}, which is not the upstream "
                        "gradient ∂L/∂Y of the context's loss")
        subscript = wrt[re.match(r"[A-Za-z]+", wrt).end():].lstrip()
        spans.append((found.start(), found.end(), " G" + subscript + " "))
    blank = list(text)
    for start, end, _ in spans:
        blank[start:end] = " " * (end - start)
    for entry in _ENTRY.finditer("".join(blank)):
        name = _plain_name(entry.group("name"))
        if (name in _NOT_UPSTREAM or name in names or name in backward.argmax
                or entry.group("sub").count(",") < 2):
            continue
        if name == "Y" or names.get(name) == "Y":
            return "", (f"{entry.group('name')}, the layer's output, on the right side: a "
                        "gradient is read in terms of X, w and the upstream gradient only")
        if name not in backward.upstream:
            return "", (f"{entry.group('name')} is not bound: name the upstream gradient "
                        f"(upstream={name} in the backward directive, or "
                        f"{entry.group('name')}_{{l,i,j}} = \\frac{{\\partial L}}{{\\partial "
                        "Y_{l,i,j}} in the text)")
        spans.append((entry.start(), entry.end(), " G_{" + entry.group("sub") + "} "))
    pieces, position = [], 0
    for start, end, replacement in sorted(spans):
        pieces += [text[position:start], replacement]
        position = end
    return "".join(pieces) + text[position:], ""


# Names written with a subscript that are never the upstream gradient: the layer's arrays,
# and commands that take a subscript (sums, products, fractions, typefaces).
_NOT_UPSTREAM = frozenset({"X", "w", "b", "sum", "prod", "frac", "text", "mathrm",
                           "operatorname", "mathcal", "max", "min", "bar"})


def _from_zero(expr: sp.Basic) -> bool:
    """Whether a sum of ``expr`` starts at 0 (a 0-based writer's sum)."""
    return any(low == 0 for total in expr.atoms(sp.Sum) for _, low, _ in total.limits)


def _as_indices(wrt: sp.Basic, rhs: sp.Basic, backward: Backward) -> tuple:
    """The entry's index names as positive integers on both sides (``c, a, b`` of
    ``w_{l,c,a,b}`` are indices, whatever their letters), and a 0-based claim in 1-based
    indices (:func:`_shifted`)."""
    if not isinstance(wrt, sp.Indexed):
        return wrt, rhs
    names = {s.name for index in wrt.indices for s in index.free_symbols}
    typed = {name: sp.Symbol(name, integer=True, positive=True) for name in names}

    def indexed(expr: sp.Basic) -> sp.Basic:
        return expr.xreplace({s: typed[s.name] for s in expr.free_symbols
                              if isinstance(s, sp.Symbol) and s.name in typed})

    wrt, rhs = indexed(wrt), _integer_sums(indexed(rhs))
    if backward.zero_based:
        free = set(typed.values())
        wrt, rhs = _shifted(wrt, free), _shifted(rhs, free)
    return wrt, rhs


def _integer_sums(expr: sp.Basic) -> sp.Basic:
    """Every sum's (and window maximum's) variable an integer (``\\sum_{u=1}^{n}`` runs over
    integers, whatever the reader assumed of the letter u)."""
    def integer(total: sp.Sum | MaxOver) -> sp.Sum | MaxOver:
        swap = {v: sp.Symbol(v.name, integer=True) for v, _, _ in total.limits
                if v.is_integer is not True}
        if not swap:
            return total
        return type(total)(total.function.xreplace(swap),
                           *((swap.get(v, v), low, high) for v, low, high in total.limits))

    # a window's maximum runs over integer taps too (\max_{1 \le a \le 2})
    return expr.replace(lambda e: isinstance(e, (sp.Sum, MaxOver)), integer)


def _shifted(expr: sp.Basic, free: set) -> sp.Basic:
    """A 0-based claim's expression in 1-based indices: every entry's indices + 1, every
    sum's range + 1 (its variable shifted back in the body), every free index ``s`` as
    ``s − 1`` (``s`` then the 1-based position)."""
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed),
                        lambda e: e.base[tuple(i + 1 for i in e.indices)])
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), _sum_from_one)
    return expr.xreplace({s: s - 1 for s in free})


def _sum_from_one(total: sp.Sum) -> sp.Sum:
    body, limits_ = total.function, []
    for variable, low, high in total.limits:
        body = body.xreplace({variable: variable - 1})
        limits_.append((variable, low + 1, high + 1))
    return sp.Sum(body, *limits_)


def _loose_names(rhs: sp.Basic, expected: sp.Basic, wrt: sp.Indexed,
                 ctx: DocumentContext) -> str:
    """Names on the right side that nothing binds: an array other than X, w, b and the
    upstream G, a free index that is not one of the entry's, a size the context does not
    name; "" when there is none."""
    arrays = sorted({str(e.base) for e in rhs.atoms(sp.Indexed)
                     if e.base not in (nt.X, nt.w, nt.b, nt.G)})
    if arrays:
        return f"uses {', '.join(arrays)}, which the context does not bind"
    open_ranges = unbounded_sums(rhs)
    if open_ranges:
        return open_ranges
    fractional = sorted({str(e) for e in rhs.atoms(sp.Indexed)
                         if any(sp.sympify(i).is_integer is not True for i in e.indices)},
                        key=str)
    if fractional:
        return (f"{fractional[0]} has an index that may not be an integer: the claim does not "
                "say what that entry is then")
    labels = {e.base.label for e in rhs.atoms(sp.Indexed)}
    allowed = expected.free_symbols | wrt.free_symbols | labels
    bound = set(ctx.bound())
    loose = sorted(s.name for s in rhs.free_symbols - allowed
                   if isinstance(s, sp.Symbol) and s.name not in bound)
    if loose:
        return (f"{', '.join(loose[:3])} {'is' if len(loose) == 1 else 'are'} free on the right "
                f"side but neither an index of {wrt} nor a size the context binds")
    calls = sorted({f.func.__name__ for f in rhs.atoms(sp.core.function.AppliedUndef)})
    if calls:
        return f"uses {', '.join(calls)}, which the context does not define"
    return ""


@dataclass(frozen=True)
class _Sizes:
    """The layer's sizes as the gradient needs them: input H×W (symbols when the context
    gives none), output H_out×W_out, channels, and the shapes of X, G and w."""

    layer: object
    input: tuple
    output: tuple
    channels_in: sp.Basic
    channels_out: sp.Basic

    @classmethod
    def of(cls, ctx: DocumentContext) -> _Sizes:
        layer = ctx.layer
        dims = tuple(_size(ctx.values.get(f"{axis}_in"), f"{axis}_in")
                     for axis in layer.spec.axes)
        named = ctx.values.get(nt.LETTERS["channels"])
        c_in = getattr(layer, "in_channels", None) or _size(named, "C")
        c_out = getattr(layer, "out_channels", None) or c_in
        output = tuple(sp.sympify(n) for n in layer.output_shape(c_in, *dims)[1:])
        return cls(layer, dims, output, _size(c_in, "C"), _size(c_out, "C"))

    def names(self) -> dict:
        """The claim's H_out, W_out (and H_in, W_in, H, W) as the layer's sizes."""
        sizes = {}
        for axis, size, out in zip(self.layer.spec.axes, self.input, self.output):
            for name in (f"{axis}_in", axis):
                sizes[sp.Symbol(name, integer=True, positive=True)] = size
                sizes[nt.index_symbol(name)] = size
            sizes[sp.Symbol(f"{axis}_out", integer=True, positive=True)] = out
            sizes[nt.index_symbol(f"{axis}_out")] = out
        return sizes

    def named(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with the model's size names (H, W, C of a pooling layer) as the sizes."""
        return expr.xreplace({**self.names(), nt.index_symbol("C"): self.channels_out})

    def shapes(self) -> dict:
        """Each array's index ranges (1 … size): X, the upstream G, and the weights."""
        shapes = {nt.X: (self.channels_in, *self.input),
                  nt.G: (self.channels_out, *self.output)}
        weights = getattr(self.layer, "parameter_shapes", {})
        shapes.update({getattr(nt, name): shape for name, shape in weights.items()})
        # SymPy numbers throughout: the kernel reads the sizes' symbols off them
        return {base: tuple(sp.sympify(n) for n in shape) for base, shape in shapes.items()}

    def entry_problem(self, wrt) -> str:
        """Why ``wrt`` names no entry of the layer (wrong array, rank or a number out of
        range), or ""."""
        shape = self.shapes().get(getattr(wrt, "base", None))
        if not isinstance(wrt, sp.Indexed) or shape is None or wrt.base == nt.G:
            return f"{wrt} is not an entry of w, b or X of {self.layer!r}"
        if len(wrt.indices) != len(shape):
            return f"{wrt} has {len(wrt.indices)} indices, {wrt.base} of {self.layer!r} has " \
                   f"{len(shape)}"
        for index, size in zip(wrt.indices, shape):
            if index.is_Integer and sp.sympify(size).is_Integer and not 1 <= index <= size:
                return f"{wrt} is outside {wrt.base}'s range 1…{size}"
        return ""

    def context(self, ctx: DocumentContext, wrt: sp.Indexed):
        """The kernel's context: the layer's (window fits, X zero outside, weights' shapes),
        the entry's indices in range, and G zero outside the output (the padding rule)."""
        base = layer_context(self.layer, *self.input,
                             assuming=[a for a in ctx.assumptions if isinstance(a, sp.Basic)],
                             channels=self.channels_in)
        ranges = [r for index, size in zip(wrt.indices, self.shapes()[wrt.base])
                  for r in (sp.Ge(index, 1), sp.Le(index, size))
                  if r not in (True, sp.true)]
        zero = {**base.zero_outside, nt.G: self.shapes()[nt.G]}
        return type(base)([*base.assumptions, *ranges], base.nondecreasing,
                          base.split_residues, zero, base.outside_value, base.extents)

    def concrete(self) -> bool:
        """Whether every size of the layer and its input is a number."""
        return all(sp.sympify(v).is_Integer for shape in self.shapes().values() for v in shape)


def _size(value, name: str):
    """A size as a SymPy integer, or a positive integer symbol ``name`` when unknown."""
    if value is None:
        return sp.Symbol(name, integer=True, positive=True)
    return sp.Integer(value) if isinstance(value, int) else value


def _every_entry(expected: sp.Expr, rhs: sp.Expr, wrt: sp.Indexed, sizes: _Sizes) -> Outcome:
    """On a concrete layer: both sides at every entry the free indices name (the kernel's
    exhaustive check, entries outside their arrays 0), VERIFIED, REFUTED or UNKNOWN."""
    free = sorted({s for index in wrt.indices for s in index.free_symbols}, key=str)
    shape = sizes.shapes()[wrt.base]
    ranges = {}
    for index, size in zip(wrt.indices, shape):
        if isinstance(index, sp.Symbol) and index in free:
            ranges[index] = range(1, int(size) + 1)
    if set(ranges) != set(free):
        return Outcome(Status.UNKNOWN, "exhaustive check", f"the indices of {wrt} are not "
                       "plain names, so their ranges are not read")
    cases = math.prod(len(r) for r in ranges.values())
    terms = math.prod(int(v) for v in (*sizes.shapes()[nt.G], *sizes.shapes()[nt.X]))
    try:
        limits.check("check_entries", f"the exact check of every entry of {wrt.base}",
                     cases * terms)
    except TooLargeError as error:
        return Outcome(Status.UNKNOWN, "exhaustive check", f"not run: {error}")
    shapes = sizes.shapes()

    def zeroed(expr: sp.Expr) -> sp.Expr:
        written = sp.expand(expand_sums(expr))
        return written.replace(lambda e: isinstance(e, sp.Indexed) and e.base in shapes
                               and _outside(e, shapes[e.base]), lambda e: sp.S.Zero)

    def check(case: dict) -> tuple[sp.Expr, sp.Expr]:
        return zeroed(expected.xreplace(case)), zeroed(rhs.xreplace(case))

    values = ({v: sp.Integer(n) for v, n in zip(ranges, point)}
              for point in itertools.product(*ranges.values()))
    return exhaustive(check, values, f"every entry of {wrt.base} of {sizes.layer!r}, X, G "
                                     "and w 0 outside their ranges")


def _outside(entry: sp.Indexed, shape: tuple) -> bool:
    """Whether a concrete entry lies outside its array (1 … size along each index)."""
    return len(entry.indices) == len(shape) and any(
        index.is_Integer and (index < 1 or index > size)
        for index, size in zip(entry.indices, shape))


def gradient_error(error: Exception) -> str:
    """One line for an error raised while judging a gradient claim."""
    return str(error) if isinstance(error, SymproofError) else (
        f"not understood ({type(error).__name__}: {error})")
