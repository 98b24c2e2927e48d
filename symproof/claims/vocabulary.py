"""The notation of the field, as data: how textbooks, notes and library docs write the
quantities of the model, and the one place that maps their writing to the model's names.

Texts of the field write the same quantity many ways: an output height ``H_{out}``,
``H_{\\text{out}}``, ``H_\\mathrm{out}``; a kernel size ``\\text{kernel\\_size}[0]`` (the PyTorch
docs), ``k``, ``F``, ``k_h``; vectors in ``\\mathbf``, ``\\boldsymbol`` or ``\\bm``. Reading is
two steps, both driven by the tables below and nothing else:

* :func:`rewrite` (text, before parsing): typefaces dropped, words in subscripts written one
  way (``_{\\text{out}}``), one-letter text subscripts plain (``n_\\textrm{h}`` → ``n_h``),
  attribute references of PyTorch's docs replaced by the model's letter for that parameter
  (``\\text{padding}[0]`` → ``P``);
* :func:`rename` (objects, after parsing): the document's letters mapped to the model's names
  by what its *context* says (a ``names`` directive, or ``output=o`` in a layer directive),
  never by guessing: ``o`` is an output size only where the context says so.

>>> rewrite(r"H_\\mathrm{out} = \\mathbf{x} + \\text{padding}[0]")
'H_{\\\\text{out}} = x +  P '
>>> rewrite(r"n_\\textrm{h} - k_{\\rm h}")
'n_h - k_h'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import sympy as sp

from .. import notation as nt
from ..errors import ParameterError, SymproofError

__all__ = ["TYPEFACES", "TEXT_COMMANDS", "SUBSCRIPT_WORDS", "SIZE_FIELDS", "ATTRIBUTES",
           "LAYER_SUPERSCRIPT", "BARE_BOUND", "bare_sum_bounds",
           "rewrite", "canonical_name", "names_from_words", "size_names", "rename",
           "renamed_indices", "directive_fields"]

#: Commands that only choose a typeface: ``\mathbf{x}`` is the vector ``x``.
TYPEFACES = ("\\mathbf", "\\boldsymbol", "\\bm", "\\mathit", "\\mathsf", "\\textsf",
             "\\mathcal", "\\vec")
#: Commands that write words upright (``H_{\mathrm{out}}``, ``n_\textrm{h}``); all read as
#: ``\text`` (``\operatorname{diag}`` names a function and stays).
TEXT_COMMANDS = ("\\textrm", "\\mathrm", "\\text", "\\rm")
#: Words that subscripts spell (``H_{out}``, ``C_{in}``): read as ``\text{…}`` words, as
#: symproof prints them (``H_{\text{out}}``), never as a product o·u·t.
SUBSCRIPT_WORDS = ("in", "out")
#: PyTorch's docs name a layer's parameters by their keyword and axis (``\text{stride}[0]``):
#: keyword → the model's letter per axis (rows, columns); one letter for both axes means
#: the context binds it only when the layer has one value for every axis.
ATTRIBUTES = {
    "kernel_size": nt.AXIS_LETTERS["kernel_size"],
    **{name: (nt.LETTERS[name],) * 2 for name in ("stride", "padding", "dilation",
                                                   "output_padding")},
}
#: A superscript that is a layer index, not an exponent (Nielsen's ``w^l``, ``a^{l-1}``,
#: ``\delta^{L}``; Ng's ``W^{(2)}``): the layer letter ℓ/l/L, shifted by a number, or any
#: index in parentheses.
LAYER_SUPERSCRIPT = re.compile(r"(?:l|L|\\ell)(?:\s*[+-]\s*[0-9]+)?|\([^()]*\)"
                               r"|\\left\([^()]*\\right\)",
                               flags=re.ASCII)
#: The placeholder bounds of a sum written without bounds (``\sum_{l,m,n}``), by index name
#: and end ("from", "to"): a name nothing binds until the context fills it
#: (:func:`bare_sum_bounds`).
BARE_BOUND = "bound {1} of the sum over {0}, written without bounds"
_BARE = re.compile(BARE_BOUND.replace("{0}", "(?P<index>.+)").replace("{1}", "(?P<end>from|to)"))
#: Directive fields that name the context's sizes by the document's letters (``output=o``):
#: field → the model's size names per number of axes.
SIZE_FIELDS = {"output": {1: ("L_out",), 2: ("H_out", "W_out")}}

_WORD = r"[A-Za-z]+"
# \mathrm{out}, \text out (one token), {\rm out}: a command and the word it writes
_TEXT_WORD = re.compile(r"(?:\\textrm|\\mathrm|\\text)\s*\{\s*(" + _WORD
                        + r")\s*\}|\{\\rm\s+(" + _WORD + r")\s*\}")
_PLAIN_WORD = re.compile(r"_\{\s*(" + "|".join(SUBSCRIPT_WORDS) + r")\s*\}")
# \text{padding}[0], \text{padding[0]} (PyTorch's pooling docs), or \text{padding} (1-D)
_ATTRIBUTE = re.compile(r"\\(?:text|mathrm|textrm|operatorname)\{(" + "|".join(
    re.escape(k).replace("_", r"\\?_") for k in ATTRIBUTES)
    + r")(?:\[\s*([01])\s*\]\}|\}\s*\[\s*([01])\s*\]|\})")


def rewrite(latex: str) -> str:
    """``latex`` with the field's writing of names made one (see the module docstring)."""
    text = _ATTRIBUTE.sub(_attribute_letter, latex)
    text = _without_typefaces(text)
    text = _TEXT_WORD.sub(_text_word, text)
    # "_\text{out}" written without braces around the command
    text = re.sub(r"_\s*(\\text\{" + _WORD + r"\})", r"_{\1}", text)
    return _PLAIN_WORD.sub(lambda m: f"_{{\\text{{{m.group(1)}}}}}", text)


def _attribute_letter(match: re.Match) -> str:
    name = match.group(1).replace("\\", "")
    axis = match.group(2) or match.group(3)
    if axis is None:  # one axis (Conv1d's docs): the parameter's own letter
        return f" {nt.LETTERS[name]} "
    return f" {ATTRIBUTES[name][int(axis)]} "


def _text_word(match: re.Match) -> str:
    """A word set upright: one letter is a plain letter (``n_\\textrm{h}`` is n_h), a longer
    word is written ``\\text{word}`` (``H_{\\text{out}}``, as symproof prints it)."""
    word = match.group(1) or match.group(2)
    return word if len(word) == 1 else f"\\text{{{word}}}"


def _without_typefaces(text: str) -> str:
    """``\\mathbf{x}`` → ``x`` (the braces kept as a group), ``\\bm x`` → ``x``."""
    for command in TYPEFACES:
        head = re.escape(command) + r"(?![A-Za-z])\s*"
        text = re.sub(head + r"\{([^{}]*)\}", r"\1", text)  # \mathbf{x}: its group
        text = re.sub(head, "", text)  # \bm x: the next token
    return text


def canonical_name(name: str) -> str:
    """A symbol's name as written in a directive: braces and ``\\text`` dropped, so
    ``H_{\\text{out}}``, ``H_{out}`` and ``H_out`` are one name; primes kept (o' is not o)."""
    text = name.replace("\\text", "").replace("{", "").replace("}", "").replace(" ", "")
    return text


def directive_fields(kind: str, words: Iterable[str], allowed: Collection[str], *,
                     keep_others: bool = False) -> tuple[dict[str, str], tuple[str, ...]]:
    """A directive's ``key=value`` words: the fields in ``allowed``, each once and with a
    value, and (``keep_others``) the other words as written, for the directive they belong
    to (a -backward directive's layer words); without ``keep_others`` another word is
    refused, naming it and the fields ``kind`` takes. The one reader of every directive's
    fields."""
    given: dict[str, str] = {}
    others = []
    for word in words:
        key, equals, text = word.partition("=")
        if key not in allowed:
            if keep_others:
                others.append(word)
                continue
            raise ParameterError("setting", key, f"must be one that {kind} takes (one of "
                                                 f"{', '.join(sorted(allowed))})")
        if not equals or not text:
            raise ParameterError(key, word, f"needs a value: {key}=…")
        if key in given:
            raise ParameterError(key, word, f"is given once only (also {key}={given[key]})")
        given[key] = text
    return given, tuple(others)


def names_from_words(words: tuple[str, ...]) -> dict[str, str]:
    """``names o=H_out i=L_in Z=Y`` (a directive's words after ``names``) as a mapping from
    the document's names to the model's. Both sides are names (letters, digits, ``_``,
    primes), nothing else; a name given twice is refused."""
    mapping: dict[str, str] = {}
    for word in words:
        written, equals, model = word.partition("=")
        if not equals or not _NAME.fullmatch(written) or not _NAME.fullmatch(model):
            raise SymproofError(f"names takes pairs written=model such as o=H_out, got {word!r}")
        if written in mapping:
            raise SymproofError(f"names gives {written} twice ({written}={mapping[written]}, "
                                f"{word})")
        mapping[written] = model
    if not mapping:
        raise SymproofError("names needs at least one pair written=model such as o=H_out")
    return mapping


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*'*", flags=re.ASCII)


def size_names(field: str, text: str, axes: int) -> dict[str, str]:
    """``output=o`` (one axis) or ``output=H_2xW_2`` (two): the document's letters for the
    context's sizes, as a ``names`` mapping."""
    model = SIZE_FIELDS[field].get(axes)
    if model is None:
        raise SymproofError(f"{field}= is read for layers with 1 or 2 axes, not {axes}")
    parts = [p for p in re.split("[x×,]", text)] if axes > 1 else [text]
    if len(parts) != len(model) or not all(_NAME.fullmatch(p) for p in parts):
        written = "x".join(model)
        raise SymproofError(f"{field}={text} must name {axes} size(s) like {written}")
    return dict(zip(parts, model))


def renamed_indices(names: dict[str, str]) -> list[str]:
    """The document's letters that the context renames but that are index names of the
    formulas (``i=L_in``): in that context they cannot also be indices."""
    return sorted(n for n in names if n in nt.INDICES or n in nt.RESERVED)


def rename(expr, names: dict[str, str], bound: dict[str, sp.Basic]):
    """``expr`` with the document's names as the model's: a symbol whose (canonical) name the
    context renames becomes the model's symbol (``bound`` by name, else a positive-integer
    size of that name); an array base renamed to one of the model's arrays (``Z=Y``) becomes
    that array. Symbols the context binds by their own name (a directive's ``kernel_size=k``)
    become the bound symbol, so they carry its assumptions."""
    if not names and not bound:
        return expr
    arrays = {name: getattr(nt, model) for name, model in names.items()
              if model in nt.ARRAYS}

    def symbol(s: sp.Symbol) -> sp.Basic:
        name = canonical_name(s.name)
        if name in arrays:  # an array's label: the entries are renamed below
            return s
        target = names.get(name, name)
        if target in bound:
            return bound[target]
        if name in names:
            return sp.Symbol(target, integer=True, positive=True)
        return s

    mapping = {s: symbol(s) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    expr = expr.xreplace({k: v for k, v in mapping.items() if k != v})
    if arrays:
        expr = expr.replace(
            lambda e: isinstance(e, sp.Indexed) and canonical_name(str(e.base)) in arrays,
            lambda e: arrays[canonical_name(str(e.base))][tuple(e.indices)])
    return expr


def unbounded_sums(expr) -> str:
    """Why a claim's sums written without bounds stay unread (each index standing in more
    than one array or in none, so no entry gives its range), or ""."""
    indices = sorted({_BARE.fullmatch(s.name).group("index") for s in expr.free_symbols
                      if _BARE.fullmatch(s.name)})
    if not indices:
        return ""
    return (f"the range of the sum over {', '.join(indices)} (written without bounds) is not "
            "determined: its index stands in more than one array, or in none")


def settled(expr, holds=lambda condition: False):
    """``expr`` with each ``Piecewise`` whose first condition is true, or ``holds``, replaced
    by that branch: the guard a sum written without bounds gets (upper ≥ lower − 1), once its
    bounds are read and it cannot be empty.

    >>> m = sp.Symbol("m")
    >>> guarded = sp.Piecewise((m, m >= 0), (0, True))
    >>> settled(guarded) == guarded, settled(guarded, holds=lambda c: c == (m >= 0))
    (True, m)
    """
    def branch(piecewise):
        value, condition = piecewise.args[0]
        return value if condition is sp.true or holds(condition) else piecewise

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), branch)


def bare_sum_bounds(expr, shapes: dict):
    """A sum written without bounds (``\\sum_{l,m,n} V_{l,j+m-1,k+n-1} K_{i,l,m,n}``) over
    the range of the array entry its index runs through: an index that stands alone at one
    position of the weights (``shapes``: array → its sizes, 1-based) runs over 1 … that size.
    An index found nowhere, or at two positions, keeps its placeholder bounds (a name
    nothing binds: the claim stays UNKNOWN)."""
    placeholders = [s for s in expr.free_symbols if _BARE.fullmatch(s.name)]
    if not placeholders:
        return expr
    filled = {}
    for symbol in placeholders:
        found = _BARE.fullmatch(symbol.name)
        index, end = found.group("index"), found.group("end")
        places = {(entry.base, at) for entry in expr.atoms(sp.Indexed) if entry.base in shapes
                  for at, value in enumerate(entry.indices)
                  if isinstance(value, sp.Symbol) and value.name == index}
        if len(places) == 1:
            (base, at), = places
            filled[symbol] = sp.Integer(1) if end == "from" else sp.sympify(shapes[base][at])
    return expr.xreplace(filled)
