"""The context of ``symproof check``: which layer a document talks about, the values of its
named sizes, and what it assumes.

A context comes from ``%! symproof KIND field=value …`` directives (every layer kind of
:mod:`symproof.layers.spec`; ``conv2d-backward``, ``avgpool2d-backward`` and
``maxpool2d-backward`` add ``upstream=``, ``loss=`` and ``indexing=`` for gradient claims,
:func:`backward_from_words`; values in the grammar of ``symproof layer KIND``:
:meth:`~symproof.layers.spec.Field.from_text`, ``input=`` read by
:func:`~symproof.params.input_from_text`), from ``assume`` directives, or, without any layer
directive, from the prose of each section (``C_{\\rm in} = 1, F = 3, S = 1, P = 1``; sizes the
prose leaves out are symbolic positive integers).

Names a context binds are the claims' names: ``kernel_size=k stride=s`` makes ``k`` and ``s``
positive integers wherever a claim writes them (a padding ``p`` non-negative). ``assume k = 2n+1``
eliminates ``k`` (a new ``n`` is an integer whose range keeps ``k`` positive, exactly);
``assume P = (F-1)/2`` eliminates ``F = 2P + 1``; ``assume k \\mid m`` and relations
(``m \\ge 5``, ``2 \\le k``) are kept for the kernel, which proves under them and shows only
counterexamples that satisfy them. A value that cannot be used is a :class:`Problem` at its
line; the rest of the document is still checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError, SymproofError
from ..kernel import divides
from ..kernel.context import is_condition
from ..layers import Conv2d
from ..layers.spec import models as layer_models
from ..params import as_size, input_from_text, size_from_text, unreserved
from .loss_claims import LossDirective, is_loss_directive, loss_from_words
from .vocabulary import SIZE_FIELDS, directive_fields, names_from_words, rename, size_names

__all__ = ["DocumentContext", "Problem", "Backward", "BACKWARD", "backward_from_words",
           "layer_from", "sizes_of", "sections",
           "infer_context", "contexts_from_directives", "assume", "assume_all", "unbound_beside",
           "loose_names"]

#: ``read(latex, known)``: the claim reader (LaTeX → SymPy), with the context's symbols.
Reader = Callable[..., sp.Basic]


@dataclass(frozen=True)
class Backward:
    """What a ``KIND-backward`` directive (or the prose) binds for claims about gradients:
    the names of the upstream gradient ∂L/∂Y (``G``, ``delta`` for ``\\delta``), the names of
    the scalar loss (L, E, \\mathcal{L}), and whether the document's indices are 0-based."""

    upstream: tuple[str, ...] = ("G",)
    loss: tuple[str, ...] = ("L", "E")
    zero_based: bool = False
    directive: bool = True  # False: inferred from a forward context (prose or conv2d)
    #: max pooling: the document's names of each window's arg-max tap (row, column),
    #: ``argmax=u,v`` (``u_{l,i,j}``, ``v_{l,i,j}``); none unless the directive names them
    argmax: tuple[str, ...] = ()


#: The directive suffix of the layer kinds whose backward pass claims can be judged.
BACKWARD = "-backward"
#: The layer kinds a ``-backward`` directive may name, and the fields it adds to theirs.
_BACKWARD_KINDS = ("conv2d", "avgpool2d", "maxpool2d")
_BACKWARD_FIELDS = ("upstream", "loss", "indexing", "argmax")


@dataclass
class DocumentContext:
    """What the document is about: a layer, values of named sizes, assumptions, weights."""

    layer: object = None
    values: dict = field(default_factory=dict)  # name → value (e.g. F → 3, k → k)
    assumptions: list = field(default_factory=list)
    weights: dict = field(default_factory=dict)  # "w"/"b" → [(key, (pattern, body))]
    padded: bool = False
    described: str = ""
    unread: dict = field(default_factory=dict)  # "w"/"b" → lines of definitions not read
    functions: dict = field(default_factory=dict)  # "sigma" → [(key, (arguments, body))]
    maps: dict = field(default_factory=dict)  # ρ → (array, indices, entries) defined
    conflicts: dict = field(default_factory=dict)  # key → why that definition conflicts
    names: dict = field(default_factory=dict)  # the document's name → the model's (o → L_out)
    backward: Backward | None = None  # a -backward directive: gradients are judged
    loss: LossDirective | None = None  # a loss directive: loss gradients are judged

    def symbols(self) -> list[sp.Symbol]:
        """The symbols the context binds (``k`` of ``kernel_size=k``), to read claims with."""
        found = {s for value in self.values.values() if isinstance(value, sp.Basic)
                 for s in value.free_symbols if isinstance(s, sp.Symbol)}
        return sorted(found, key=str)

    def bound(self) -> dict[str, sp.Basic]:
        """What the context binds, by name: its sizes (``H_in``, ``F``…) and the symbols its
        directive gave as values (``kernel_size=k`` binds k, a positive integer)."""
        bound: dict[str, sp.Basic] = {s.name: s for s in self.symbols()}
        bound.update({name: sp.Integer(value) if isinstance(value, int) else value
                      for name, value in self.values.items()})
        return bound

    def bind_names(self) -> None:
        """Each symbol of a value is bound by its own name too: a claim's ``s`` is the stride
        ``s`` of ``stride=s``, a positive integer, never a number such as −1. The writer's
        name wins over a course letter: with ``kernel_size=1 stride=F``, F is the stride."""
        for symbol in self.symbols():
            self.values[symbol.name] = symbol


def loose_names(*exprs: sp.Basic, allowed=frozenset()) -> set[str]:
    """Names of the scalars in ``exprs`` that are not in ``allowed``: every free symbol except
    the labels of arrays (the X of ``X_{…}`` names an array, not a number). The one reading of
    "a name nothing binds" that the context, the size claims and the MLP chains share.

    >>> from symproof import notation as nt
    >>> sorted(loose_names(nt.X[1, 2] * sp.Symbol("m") + sp.Symbol("k"), allowed={"k"}))
    ['m']
    """
    arrays = {e.base.label for expr in exprs for e in expr.atoms(sp.Indexed)}
    return {s.name for expr in exprs for s in expr.free_symbols
            if isinstance(s, sp.Symbol) and s not in arrays and s.name not in allowed}


def unbound_beside(ctx: DocumentContext, *sides: sp.Basic) -> list[str]:
    """Names of a claim that nothing binds although the claim speaks of the context's sizes:
    ``W_in/k = m/k`` in a context that binds W_in and k but not m. Such a claim relates the
    layer to an unstated quantity (the writer's ``m`` is, in their mind, the input size), so
    it cannot be refuted by giving m another value; [] when there is no such name."""
    bound = set(ctx.bound())
    indices = {*nt.INDICES, nt.LAYER_INDEX}
    names = loose_names(*sides, allowed=indices)
    if not names & bound:
        return []
    return sorted(names - bound)


@dataclass(frozen=True)
class Problem:
    """A directive or a value in prose that could not be used: its line, text and why."""

    line: int
    text: str
    reason: str
    tactic: str = "unparsed"


# --- directives ------------------------------------------------------------------------------

def layer_from(words: tuple[str, ...]):
    """The layer a directive such as ``conv2d in_channels=3 kernel_size=3 input=5x5`` names,
    read through the layer kind's spec; its spatial input sizes (None when not given), whether
    claims use padded coordinates, and the channel count of a layer that has none of its own
    (pooling: ``channels=`` or the C of ``input=CxHxW``)."""
    models = layer_models()
    kind = words[0].lower()
    if kind not in models:
        raise ParameterError("layer", kind, f"must be one of {', '.join(models)}, mlp or "
                                            "assume (a symproof directive)")
    spec = models[kind].spec
    settings = _settings(kind, spec, words[1:])
    size = settings.pop("input", None)
    coordinates = settings.pop("coordinates", "original")
    channels = settings.pop("channels", None)
    positive = _positive_names(settings, size, channels)
    arguments = {}
    for one in spec.fields:
        text = settings.get(one.name, one.text_default)
        if not text:
            if one.required:
                raise ParameterError(one.name, None, f"is required by {kind}: {one.name}=…")
            continue
        arguments[one.name] = one.from_text(text, len(spec.axes), bounded=True,
                                            positive=positive)
    layer = models[kind](**arguments)
    if channels is not None:  # a pooling layer's channel count, named or given
        channels = unreserved("channels", as_size("channels", size_from_text(
            "channels", channels, bounded=True)))
    dims = None
    if size:
        own = getattr(layer, spec.channels) if spec.channels else channels
        shape = input_from_text(size, spec.axes, own, bounded=True)
        dims = shape[1:]
        if own is None and shape[0] is not None:  # a pooling input's channels, as written
            channels = shape[0]
        layer.output_shape(shape[0] or 1, *dims)  # the input must fit the window
    if coordinates not in ("original", "padded"):
        raise ParameterError("coordinates", coordinates, "must be original or padded")
    if coordinates == "padded" and "padded coordinates" not in spec.capabilities:
        raise ParameterError("coordinates", coordinates, f"must be original for {kind} (it "
                                                         "has no padded coordinates)")
    return layer, dims, coordinates == "padded", channels


def _settings(kind: str, spec, words) -> dict[str, str]:
    """``key=value`` words of a directive, each a setting the layer kind takes, once."""
    allowed = [f.name for f in spec.fields]
    if spec.axes:
        allowed += ["input", "coordinates"] + ([] if spec.channels else ["channels"])
    return directive_fields(kind, words, allowed)[0]


def _positive_names(settings: dict, size, channels) -> frozenset:
    """Names a directive gives to positive sizes: a padding named like one is that size."""
    texts = [text for key, text in settings.items() if key not in ("padding", "output_padding")]
    names = set()
    for text in (*texts, size or "", channels or ""):
        names.update(part.strip() for part in re.split("[x×,]", text))
    return frozenset(n for n in names if _NAME.fullmatch(n))


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)


def sizes_of(layer, dims, channels) -> dict:
    """The course's names for the layer's sizes (F, S, P, f_1, W_in, C_in, …), read off its
    spec and the notation table: each field's letter, per-axis kernel sizes f_1, f_2, input
    sizes H_in, W_in (L_in) and plain H, W (L)."""
    spec = layer.spec
    values = {}
    for one, value in spec.arguments(layer):
        if not one.letter or one.kind == "flag":
            continue
        if one.name == "kernel_size" and len(value) > 1:
            values.update(zip(nt.AXIS_LETTERS["kernel_size"], value))
        if not one.per_axis:
            values[one.letter] = value
        elif all(v == value[0] for v in value):  # one letter only for one value (P, not 1x2)
            values[one.letter] = value[0]
    if channels:
        values[nt.LETTERS["channels"]] = channels
    if dims:
        for axis, size in zip(spec.axes, dims[-len(spec.axes):]):
            values.update({f"{axis}_in": size, axis: size})
    return values


def contexts_from_directives(found: list, spent: Callable[[], bool], read: Reader
                             ) -> tuple[list[tuple[int, DocumentContext]], list[Problem],
                                        list[tuple[int, str]]]:
    """A context per layer directive, from its line on; ``assume`` joins the current one.
    Assumptions stated before the first layer directive hold in every context; they are
    returned too (line, text), for contexts inferred from prose."""
    ctx, problems, general = DocumentContext(), [], []
    contexts = [(0, ctx)]
    for directive in found:
        words, line = directive.words, directive.line
        if spent():
            problems.append(Problem(line, " ".join(words), "", "time limit"))
            continue
        if not words:
            problems.append(Problem(line, "symproof", "directive not understood: it names "
                                    "nothing (write a layer kind, assume or names after it)"))
            continue
        try:
            if words[0] == "names":  # names o=H_out i=L_in: the text's letters, the model's
                ctx.names.update(names_from_words(words[1:]))
                continue
            if words[0] == "assume":
                body = " ".join(words[1:])
                if len(contexts) == 1:
                    general.append((line, body))
                assume(ctx, body, read)
                continue
            # names given before any layer hold in the whole document
            ctx = DocumentContext(names=dict(contexts[0][1].names))
            contexts.append((line, ctx))
            if is_loss_directive(words):  # softmax-cross-entropy classes=n …: no layer
                ctx.loss, ctx.described = loss_from_words(words), " ".join(words)
                continue
            if words[0].lower().endswith(BACKWARD):  # conv2d-backward …: the layer, then
                words, ctx.backward = backward_from_words(words)  # what gradients bind
            if words[0] == "mlp":
                ctx.layer, ctx.described = "mlp", " ".join(words)
            else:
                words, named = _size_fields(words)
                layer, dims, padded, channels = layer_from(words)
                ctx.names.update({written: model for one, text in named
                                  for written, model in size_names(
                                      one, text, len(layer.spec.axes)).items()})
                ctx.layer, ctx.padded = layer, padded
                ctx.values.update(sizes_of(layer, dims, channels))
                ctx.described = ("backward pass of " if ctx.backward else "") + " ".join(words)
                ctx.bind_names()
            problems += assume_all(ctx, general, read)
        except (SymproofError, KeyError, ValueError, IndexError, TypeError,
                AttributeError) as error:
            problems.append(Problem(line, " ".join(words),
                                    f"directive not understood: {error}"))
    return contexts, problems, general


def backward_from_words(words: tuple[str, ...]) -> tuple[tuple[str, ...], Backward]:
    """``conv2d-backward upstream=delta loss=E indexing=0 …`` as the layer directive's words
    (``conv2d …``, read by :func:`layer_from` as any other) and what it binds for gradients
    (:class:`Backward`; the upstream gradient is ``G`` unless named, the indices 1-based)."""
    kind = words[0].lower().removesuffix(BACKWARD)
    if kind not in _BACKWARD_KINDS:
        raise ParameterError("layer", words[0], "must be one of " + ", ".join(
            k + BACKWARD for k in _BACKWARD_KINDS) + " (a backward directive)")
    given, others = directive_fields(words[0], words[1:], _BACKWARD_FIELDS, keep_others=True)
    kept = [kind, *others]
    indexing = given.get("indexing", "1")
    if indexing not in ("0", "1"):
        raise ParameterError("indexing", indexing, "must be 0 or 1 (the first index of every "
                                                   "array and sum)")
    upstream = _gradient_names("upstream", given.get("upstream", "G"))
    loss = _gradient_names("loss", given["loss"]) if "loss" in given else Backward.loss
    argmax = _gradient_names("argmax", given["argmax"]) if "argmax" in given else ()
    if argmax and (kind != "maxpool2d" or len(argmax) != 2 or len(set(argmax)) != 2):
        raise ParameterError("argmax", given["argmax"], "names the two arg-max taps (row, "
                                                        "column) of maxpool2d-backward: "
                                                        "argmax=u,v")
    _refuse_clashes(upstream, loss, argmax)
    return tuple(kept), Backward(upstream, loss, indexing == "0", argmax=argmax)


def _refuse_clashes(upstream: tuple[str, ...], loss: tuple[str, ...],
                    argmax: tuple[str, ...]) -> None:
    """Refuse a name the directive binds twice: the upstream gradient named like an array of
    the layer or the loss, an arg-max tap named like either or like the upstream gradient.
    Such a name was read with one of its meanings only (``upstream=X``: X stayed the input,
    and a claim true in the document's words was refuted)."""
    # the letters of the layer's own arrays: a directive cannot give them another meaning
    taken = {name: "an array of the layer" for name in nt.WINDOW_ARRAYS}
    for field_, names, meaning in (("loss", loss, "the loss"),
                                   ("upstream", upstream, "the upstream gradient"),
                                   ("argmax", argmax, "an arg-max tap")):
        for name in names:
            if field_ != "loss" and name in taken:
                raise ParameterError(field_, name, f"already names {taken[name]}: give "
                                                   f"{meaning} a letter of its own")
        taken.update(dict.fromkeys(names, meaning))


def _gradient_names(key: str, text: str) -> tuple[str, ...]:
    """``delta,G`` as names: letters, or Greek names (``delta`` is ``\\delta``)."""
    names = []
    for part in text.split(","):
        if not re.fullmatch(r"[A-Za-z]", part) and part not in nt.GREEK:
            raise ParameterError(key, part, "must be one letter or a Greek letter's name such "
                                            "as delta (comma-separated)")
        names.append(part)
    return tuple(names)


def _size_fields(words: tuple[str, ...]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """A layer directive's words without the fields that name its sizes by the document's
    letters (``output=o``, see :data:`~symproof.claims.vocabulary.SIZE_FIELDS`), and those."""
    kept, named = [], []
    for word in words:
        key, equals, text = word.partition("=")
        if equals and key in SIZE_FIELDS:
            named.append((key, text))
        else:
            kept.append(word)
    return tuple(kept), named


# --- assumptions -----------------------------------------------------------------------------

def assume_all(ctx: DocumentContext, stated: list[tuple[int, str]], read: Reader
                ) -> list[Problem]:
    """The document-wide ``assume`` lines (line, text) added to ``ctx``; one that does not fit
    this context is a problem at its own line."""
    problems = []
    for line, body in stated:
        try:
            assume(ctx, body, read)
        except (SymproofError, ValueError, TypeError) as error:
            problems.append(Problem(line, f"assume {body}", f"directive not understood: {error}"))
    return problems


def assume(ctx: DocumentContext, body: str, read: Reader) -> None:
    """Add what ``assume BODY`` states to ``ctx``: ``k \\mid m``, a relation, or an equation
    that eliminates one of its names (``k = 2n+1``, ``P = (F-1)/2``)."""
    if not body.strip():
        raise ParameterError("assume", body, "needs a statement such as k \\mid m or m \\ge 5")
    known = ctx.symbols()
    if "\\mid" in body:
        k, m = (_bound(read(side, known), ctx) for side in body.split("\\mid", 1))
        ctx.assumptions.append(divides(k, m))
    else:
        stated = _bound(read(body, known), ctx)
        if stated in (sp.false, False):
            raise ParameterError("assume", body, "contradicts the context's values")
        if stated not in (sp.true, True) and not is_condition(stated):
            raise ParameterError("assume", body, "must state a relation such as k \\mid m, "
                                                 "k = 2n+1 or m \\ge 5")
        if stated in (sp.true, True):  # F = 3 where the directive says kernel_size=3
            pass
        elif isinstance(stated, sp.Eq) and (name := _eliminate(ctx, stated)):
            body += f" ({name} = {ctx.values[name]} wherever {name} is written)"
        elif isinstance(stated, sp.Eq):  # kept as it is, its new names integers like the sizes
            ctx.assumptions.append(_integer_names(stated, ctx))
        else:
            ctx.assumptions.append(stated)
    ctx.described += ("; " if ctx.described else "") + f"assuming {' '.join(body.split())}"


def _integer_names(equation: sp.Eq, ctx: DocumentContext) -> sp.Eq:
    """``k = 2n+5`` about an integer size: its other names (n) are integers of any sign, as the
    writer means, and bound so in the claims too (a counterexample then sets n to an integer,
    never k = 2 with n = −3/2; and k = 1 with n = −2 is not excluded)."""
    if not any(s.is_integer for s in equation.free_symbols):
        return equation
    # the side that is one name is the size the equation describes; the other side's names
    # (n, even when the course's letters make n a positive size) range over every integer
    target = equation.lhs if isinstance(equation.lhs, sp.Symbol) else equation.rhs
    plain = {s: sp.Symbol(s.name, integer=True) for s in equation.free_symbols
             if isinstance(s, sp.Symbol) and s != target and s.name not in ctx.values}
    for symbol in plain.values():
        ctx.values[symbol.name] = symbol
    return equation.xreplace(plain)


def _bound(expr, ctx: DocumentContext):
    """``expr`` in the names of the context: the document's letters as the model's (a names
    directive), then the names the context binds replaced by their values."""
    expr = rename(expr, ctx.names, {})
    values = {s: ctx.values[s.name] for s in expr.free_symbols
              if isinstance(s, sp.Symbol) and s.name in ctx.values}
    return expr.xreplace({s: sp.sympify(v) if isinstance(v, int) else v
                          for s, v in values.items()})


def _eliminate(ctx: DocumentContext, equation: sp.Eq) -> str:
    """Use ``name = value`` to replace the name everywhere in the context (layer, sizes,
    assumptions, and the claims, which read it through ``values``), when the value provably
    ranges over exactly the name's admissible values: the name; "" (nothing changed)
    otherwise."""
    for target, value in _solutions(equation):
        value = _typed(value, target, ctx)
        if value is None:
            continue
        mapping = {target: value}
        try:
            ctx.layer = _replaced_layer(ctx.layer, mapping)
        except SymproofError:  # a size no longer provably positive: keep the equation
            continue
        ctx.values = {name: v.xreplace(mapping) if isinstance(v, sp.Basic) else v
                      for name, v in ctx.values.items()}
        ctx.values[target.name] = value
        ctx.assumptions = [a.xreplace(mapping) if isinstance(a, sp.Basic) else a
                           for a in ctx.assumptions]
        ctx.bind_names()
        return target.name
    return ""


def _solutions(equation: sp.Eq):
    """(symbol, value) pairs that ``equation`` states: a side that is a symbol, then each
    symbol it is linear in (``P = (F-1)/2`` gives ``F = 2P + 1``)."""
    for target, value in ((equation.lhs, equation.rhs), (equation.rhs, equation.lhs)):
        if isinstance(target, sp.Symbol) and target not in value.free_symbols:
            yield target, value
    difference = equation.lhs - equation.rhs
    for symbol in sorted(difference.free_symbols, key=str):
        slope = sp.diff(difference, symbol)
        if slope.is_zero is False and symbol not in slope.free_symbols:
            yield symbol, sp.expand(symbol - difference / slope)


def _typed(value: sp.Expr, target: sp.Symbol, ctx: DocumentContext):
    """``value`` with the names it introduces (not bound by the context) declared so that it
    ranges over exactly the target's admissible values (``k = 2n+1`` with ``k`` positive: ``n``
    a non-negative integer), or None when that cannot be shown."""
    bound = {s.name for s in ctx.symbols()} | {s.name for s in target.free_symbols}
    new = sorted((s for s in value.free_symbols if isinstance(s, sp.Symbol)
                  and s.name not in bound and s.name not in ctx.values), key=str)
    if not target.is_integer:  # a name without assumptions: any value is one of its values
        return value if target.is_real is None and target.is_integer is None else None
    if len(new) > 1:  # q·r: two names below their ranges together may give a value again
        return None
    minimum = 1 if target.is_positive else 0 if target.is_nonnegative else None
    choices = ({"nonnegative": True}, {"positive": True}) if minimum is not None else ({},)
    for choice in choices if new else ({},):
        typed = {s: sp.Symbol(s.name, integer=True, **choice) for s in new}
        candidate = value.xreplace(typed)
        if candidate.is_integer is not True:
            continue
        if minimum is not None and not (candidate - minimum).is_nonnegative:
            continue
        if new and minimum is not None and not _exact(candidate, list(typed.values()),
                                                      choice, minimum):
            continue
        return candidate
    return None


def _exact(value: sp.Expr, new: list, choice: dict, minimum: int) -> bool:
    """Whether the new name below its declared range makes ``value`` fall below ``minimum``
    (so declaring the range loses no admissible pair of the target and the name, whatever
    else a claim says of the name): ``2n+1`` at ``n = −1 − t``."""
    t = sp.Symbol("t", integer=True, nonnegative=True)
    below = -1 - t if "nonnegative" in choice else -t
    return all((value.xreplace({symbol: below}) - minimum).is_negative for symbol in new)


def _replaced_layer(layer, mapping: dict):
    """The same kind of layer with ``mapping`` applied to its fields (the layer's own checks
    refuse a size that is no longer provably positive); anything but a layer unchanged."""
    spec = getattr(layer, "spec", None)
    if spec is None:
        return layer
    arguments = {}
    for one, value in spec.arguments(layer):
        if isinstance(value, tuple):
            value = tuple(v.xreplace(mapping) for v in value)
        elif isinstance(value, sp.Basic):
            value = value.xreplace(mapping)
        arguments[one.name] = value
    return type(layer)(**arguments)


# --- inference from prose --------------------------------------------------------------------

def sections(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each section: Markdown headings and \\section start new ones."""
    found, start, lines = [], 0, text.split("\n")  # "\n" only: the line numbers of claims
    for number, line in enumerate(lines):
        heading = line.lstrip().startswith(("#", "\\section", "\\subsection"))
        if heading and number > start:
            found.append((start + 1, "\n".join(lines[start:number])))
            start = number
    found.append((start + 1, "\n".join(lines[start:])))
    found[0] = (0, found[0][1])
    return found


# How prose names a convolution's sizes → the name symproof uses; anything else is not read.
_PROSE_NAMES = {"C_{\\rm in}": "C_in", "C_{\\text{in}}": "C_in", "C_{\\mathrm{in}}": "C_in",
                "C_{in}": "C_in", "C_{\\rm out}": "C_out", "C_{\\text{out}}": "C_out",
                "C_{\\mathrm{out}}": "C_out", "C_{out}": "C_out", "f_{1}": "f_1",
                "f_{2}": "f_2",
                **{f"{axis}_{{{form}}}": f"{axis}_in" for axis in "HW"
                   for form in ("\\rm in", "\\text{in}", "\\mathrm{in}", "in")}}
_PROSE_KEY = re.compile(r"(?<![A-Za-z0-9_\\{])(C_in|C_out|H_in|W_in|f_1|f_2|F|S|P|b)"
                        r"(?![A-Za-z0-9_{])")
_PROSE_VALUE = re.compile(r"(-?[0-9]+(?![0-9]*\.[0-9])|[A-Za-z](?![A-Za-z0-9_{(]))")
# Words that say a convolution has no bias (b = 0).
_UNBIASED = re.compile(r"\b(unbiased|no bias|without (a )?bias|bias[- ]free)\b", re.IGNORECASE)


def _prose_only(text: str, markdown: bool = False) -> str:
    """``text`` with its display math and its comments blanked out (lines and positions
    kept): ``b = 0`` in a displayed claim is a claim to judge, not a size the prose states,
    and a comment (``<!-- … -->``, in LaTeX ``% …``; symproof's own notes among them) is
    read by no reader of the document."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    text = _HTML_COMMENT.sub(blank, text)
    if not markdown:  # in Markdown prose, % is a percent sign
        text = _TEX_COMMENT.sub(lambda m: m.group(1) + blank(m)[len(m.group(1)):], text)
    return _DISPLAY.sub(blank, text)


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# A TeX comment: % not escaped (after an even number of backslashes), to the end of the line.
_TEX_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")


_DISPLAY = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]|\\begin\{(equation|align|gather|multline)"
                      r"\*?\}.*?\\end\{\1\*?\}", re.DOTALL)


def _prose_chains(text: str, markdown: bool = False):
    """``NAME = NAME = … = VALUE`` in prose, as (position, names, value text): the value is
    digits or one letter (``f_1=f_2=S=k``)."""
    flat = _prose_only(text, markdown)
    for written, name in _PROSE_NAMES.items():
        flat = flat.replace(written, name + " " * (len(written) - len(name)))  # positions kept
    position = 0
    while (key := _PROSE_KEY.search(flat, position)) is not None:
        names, end = [key.group(1)], key.end()
        while True:
            equals = re.compile(r"[ \t$~]*(?:\\,)?[ \t$~]*=[ \t$~]*").match(flat, end)
            if equals is None:
                break
            follow = _PROSE_KEY.match(flat, equals.end())
            if follow is not None:
                names.append(follow.group(1))
                end = follow.end()
                continue
            value = _PROSE_VALUE.match(flat, equals.end())
            if value is not None:
                yield key.start(), names, value.group(1)
                end = value.end()
            break
        position = max(end, key.end())


_KERNEL_STATED = re.compile(r"(?<![A-Za-z\\])(?:F|f_1|f_\{1\}|f_2|f_\{2\})=[0-9A-Za-z]")


def infer_context(text: str, start: int = 0,
                  markdown: bool = False) -> tuple[DocumentContext, list[Problem]]:
    """Without directives: a convolution from prose such as ``C_{\\rm in} = 1, F = 3, S = 1,
    P = 1`` (``start`` is the section's first line); an MLP from ``y_L = A_L y_{L-1} + b_L``.
    Sizes the prose does not state are symbolic positive integers (the input H_in × W_in
    too); a bad value is a problem at its line, and then no layer is inferred."""
    ctx = DocumentContext()
    compact = text.replace(" ", "").replace("_{L}", "_L")  # y_{L} as symproof writes it
    # a section that states a kernel size is about a convolution, even where its prose
    # compares it with an MLP ("in an MLP, by contrast, y_L = A_L y_{L-1} + b_L")
    if "y_L=A_Ly_{L-1}+b_L" in compact and not _KERNEL_STATED.search(compact):
        ctx.layer, ctx.described = "mlp", "inferred: an MLP y_L = A_L y_{L−1} + b_L"
        return ctx, []
    stated, problems, lines = {}, [], {}
    first = max(start, 1)
    for position, names, value in _prose_chains(text, markdown):
        line = first + text.count("\n", 0, position)
        for name in names:
            try:
                read = _prose_value(name, value)
            except SymproofError as error:
                problems.append(Problem(line, f"{name} = {value}", "a size in the prose "
                                        f"cannot be used: {error} (no layer inferred here)",
                                        "context"))
                continue
            if name in stated and stated[name] != read:  # two values: neither is guessed
                problems.append(Problem(line, f"{name} = {value}", "a size in the prose "
                                        f"cannot be used: {name} is {stated[name]} at line "
                                        f"{lines[name]} and {read} here (no layer inferred "
                                        "here)", "context"))
                continue
            stated[name], lines[name] = read, line
    unbiased = _UNBIASED.search(_prose_only(text, markdown))
    if unbiased and "b" not in stated:  # "an unbiased convolution": b = 0, said in words
        stated["b"], lines["b"] = 0, first + text.count("\n", 0, unbiased.start())
    if problems:
        ctx.described = "no convolution inferred from the prose: " + problems[0].reason
        return ctx, problems
    if not ({"F", "f_1", "f_2"} & set(stated)):
        return ctx, []  # no kernel size: nothing says this section is about a convolution
    try:
        ctx.layer, unstated = _convolution(stated)
    except SymproofError as error:  # sizes that do not fit together: say so at the section
        ctx.described = f"no convolution inferred from the prose: {error}"
        return ctx, [Problem(first, "the sizes stated in the prose", ctx.described,
                             "context")]
    # the input's sizes the prose states ($H_{\rm in} = 7$), the others symbolic
    dims = tuple(stated.get(f"{axis}_in", sp.Symbol(f"{axis}_in", integer=True, positive=True))
                 for axis in nt.AXES[2])
    open_axes = [f"{axis}_in" for axis in nt.AXES[2] if f"{axis}_in" not in stated]
    unstated = [name for name in unstated if not name.startswith("input")] + (
        [f"input {' × '.join(open_axes)}"] if open_axes else [])
    ctx.values.update(sizes_of(ctx.layer, dims, None))
    ctx.bind_names()
    if stated.get("b") == 0:
        _no_bias(ctx, lines["b"])
    said = ", ".join(f"{name} = {stated[name]}" for name in stated if name != "b")
    ctx.described = (f"inferred: {said}" + (", no bias" if stated.get("b") == 0 else "")
                     + (f"; not stated, so symbolic: {', '.join(unstated)}" if unstated
                        else ""))
    return ctx, []


def _prose_value(name: str, text: str):
    """A size stated in prose: digits or one letter, validated (``C_in = 0`` is refused)."""
    if name == "b":  # only b = 0 says something (no bias)
        if text != "0":
            raise ParameterError("b", text, "is read only as 0 (no bias)")
        return 0
    minimum = 0 if name == "P" else 1
    value = size_from_text(name, text, nonnegative=minimum == 0, bounded=True)
    return unreserved(name, as_size(name, value, minimum))


def _convolution(stated: dict) -> tuple[Conv2d, list[str]]:
    """The convolution the prose describes, and the names of the sizes it left symbolic
    (dilation and groups are 1 unless stated, as in the course's element formula)."""
    unstated = []

    def size(name: str, nonnegative: bool = False):
        if name in stated:
            return stated[name]
        unstated.append(name)
        return sp.Symbol(name, integer=True, **({"nonnegative": True} if nonnegative
                                                else {"positive": True}))

    kernel = (stated.get("f_1", stated.get("F")), stated.get("f_2", stated.get("F")))
    if None in kernel:
        kernel = tuple(k if k is not None else size(letter) for k, letter in
                       zip(kernel, nt.AXIS_LETTERS["kernel_size"]))
    layer = Conv2d(size("C_in"), size("C_out"), kernel, stride=size("S"),
                   padding=size("P", nonnegative=True), bias=stated.get("b") != 0)
    return layer, [*unstated, "input H_in × W_in"]


def _no_bias(ctx: DocumentContext, line: int) -> None:
    """``b = 0`` in prose: the layer has no bias, and every b_l a claim writes is 0 (a
    definition at ``line``, keyed like the claims' definitions, (line, position), at a
    position no claim has)."""
    index = nt.index_symbol(nt.INDICES[0])  # l, the output channel
    ctx.weights.setdefault("b", []).append(((line, -1), ((index,), sp.S.Zero)))
