"""Layer kinds as data: one frozen ``LayerSpec`` per kind, read by everything that is not the
layer's own mathematics.

A spec lists the layer's constructor fields (PyTorch's names, defaults, course letters, how
the command line spells them), its spatial axes and what it can do (padding, dilation, groups,
a receptive field, a one-axis size rule). The command line (``symproof layer``/``shape``), the
directive reader of ``symproof check``, ``repr`` and equality of layers, the receptive-field
code and the PyTorch cross-checks all read the spec, so adding a layer kind is its model (a
``Layer`` subclass with a ``spec``) and nothing else.

>>> from symproof.layers import specs
>>> sorted(specs())
['avgpool2d', 'conv1d', 'conv2d', 'convtranspose2d', 'linear', 'maxpool2d']
>>> conv = specs()["conv2d"]
>>> [f.name for f in conv.fields]
['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias']
>>> conv.field("kernel_size").letter, conv.field("padding").option
('F', '--padding')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from ..errors import ParameterError
from ..notation import LETTERS
from ..params import as_size, size_from_text, sizes_from_text
from ..prose import Prose, assignments

__all__ = ["Field", "LayerSpec", "REQUIRED", "register", "specs", "models", "show_value"]

#: The default of a field that has none (the constructor requires it).
REQUIRED = "required"

# What each kind of field holds, for the command line and the directive reader:
#   size     a positive integer or symbol            (in_channels, groups, in_features)
#   window   one per spatial axis, positive          (kernel_size, stride, dilation)
#   offset   one per spatial axis, zero allowed      (padding, output_padding)
#   flag     True or False                           (bias, ceil_mode, count_include_pad)
KINDS = ("size", "window", "offset", "flag")


# How a flag is written in text, and how one value per axis is separated (params' grammar).
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
_SPLIT = re.compile("[x×,]")


@dataclass(frozen=True)
class Field:
    """One constructor argument of a layer.

    ``default`` is a value, ``REQUIRED``, or the name of another field whose value it takes
    (a pooling stride defaults to the kernel size: ``same_as="kernel_size"``). Its course
    letter (F, S, P, D, C_in…) comes from the one table of :mod:`symproof.notation`. A flag
    whose default is True is switched off on the command line by ``--no-NAME`` unless ``cli``
    spells it otherwise (``--exclude-pad``).
    ``text_default`` is what the command line and directives assume for a required field left
    out (a convolution's channels: 1).
    """

    name: str
    kind: str
    default: object = REQUIRED
    help: str = ""
    positional: bool = False
    same_as: str = ""
    cli: str = ""
    text_default: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ParameterError("kind", self.kind, f"must be one of {', '.join(KINDS)}")

    @property
    def letter(self) -> str:
        """The course's letter for the field (``kernel_size`` → F), or "" if it has none."""
        return LETTERS.get(self.name, "")

    @property
    def option(self) -> str:
        """How the command line spells the field: ``--kernel-size``, ``--no-bias``."""
        if self.cli:
            return self.cli
        dashed = self.name.replace("_", "-")
        if self.kind == "flag" and self.default is True:
            return f"--no-{dashed}"
        return f"--{dashed}"

    @property
    def per_axis(self) -> bool:
        """Whether the field holds one value per spatial axis."""
        return self.kind in ("window", "offset")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED and not self.same_as

    def from_text(self, text: str, axes: int, *, bounded: bool = False,
                  positive: frozenset = frozenset()):
        """The field's value written as text: the one grammar of ``symproof layer KIND``'s
        options and of ``%! symproof`` directives, matched by pattern, never evaluated. A flag
        is ``true``/``false`` (``1``/``0``, ``yes``/``no``); a size is digits or a name (``F``:
        a positive-integer symbol; non-negative for an offset such as padding, unless
        ``positive`` holds the name, so that it is the same symbol as a size named so
        elsewhere); a per-axis field takes one value or one per axis (``3x5``, ``3,5``).
        ``bounded`` values (from documents) stay within the limit ``layer_size``.

        >>> stride, padding = Field("stride", "window"), Field("padding", "offset")
        >>> stride.from_text("1x2", 2), padding.from_text("p", 1)
        ((1, 2), p)
        """
        if not isinstance(text, str):
            raise ParameterError(self.name, text, "must be text such as 3 or 3x5")
        if self.kind == "flag":
            if text.strip().lower() not in _TRUE + _FALSE:
                raise ParameterError(self.name, text, "must be true or false")
            return text.strip().lower() in _TRUE
        nonnegative = self.kind == "offset"

        def one(part: str):
            zero_allowed = nonnegative and part.strip() not in positive
            value = size_from_text(self.name, part, nonnegative=zero_allowed, bounded=bounded)
            return as_size(self.name, value, 0 if nonnegative else 1)  # its sign, here

        if not self.per_axis:
            return one(text)
        parts = sizes_from_text(self.name, text, nonnegative=nonnegative, bounded=bounded)
        if len(parts) == 1:
            return one(text)
        if len(parts) != axes:
            rule = ("must be one value (the layer has one axis)" if axes == 1 else
                    f"must be one value or {axes} values, one per axis (such as 3x5)")
            raise ParameterError(self.name, text, rule)
        return tuple(one(part) for part in _SPLIT.split(text))

    def normalised_default(self, layer: object, axes: int):
        """The default as the layer stores it, to leave it out of ``repr``."""
        if self.same_as:
            return getattr(layer, self.same_as)
        if self.per_axis:
            return (sp.Integer(self.default),) * axes
        if self.kind == "size" and isinstance(self.default, int):
            return sp.Integer(self.default)
        return self.default


@dataclass(frozen=True)
class LayerSpec:
    """What symproof knows about one layer kind besides its mathematics.

    ``word`` names it on the command line and in ``%! symproof`` directives. ``axes`` names
    its spatial axes (``notation.AXES``: H and W, or L; none for a dense layer): the course reads
    ``H_in``/``H_out`` off them. ``channels`` is the field that fixes the input channels (a
    pooling layer has none: any channel count passes through). ``size_rule`` is the one-axis
    output size of :mod:`symproof.shapes` (``symproof shape``; it takes the per-axis fields
    and the ``size_flags``), ``receptive`` says how the
    layer moves positions (``"window"``, ``"elementwise"``, or the reason it has no single
    receptive field), ``torch`` the ``torch.nn`` module it mirrors.
    """

    name: str
    word: str
    summary: str
    fields: tuple[Field, ...]
    axes: tuple[str, ...] = ()
    channels: str = ""
    size_rule: Callable | None = None
    size_flags: tuple[str, ...] = ()
    receptive: str = ""
    torch: str = ""
    capabilities: frozenset = field(default=frozenset())

    @property
    def words(self) -> str:
        """What the layer is, in words ("2-D convolution"): the summary up to any formula or
        parenthesis."""
        return self.summary.split(" (")[0].split(" y =")[0]

    def described(self, layer: object, article: str = "a") -> Prose:
        """``layer`` in the course's words and letters, each size a formula: ``a 2-D
        convolution with C_in = 1, C_out = 1, F = 2, without bias`` (a parameter left at its
        default, or without a course letter, is not named); ``article`` "the" for a layer
        the text has introduced."""
        sized, flags = [], []
        for one, value in self.arguments(layer):
            if not (one.positional or one.required
                    or value != one.normalised_default(layer, len(self.axes))):
                continue
            if one.kind == "flag":
                flags.append(("with " if value else "without ") + one.name.replace("_", " "))
            elif one.letter:
                sized.append((one.letter, _one_or_each(value)))
        said = Prose(f"{article} {self.words}")
        if sized:
            said += Prose(" with ", *assignments(*sized))
        return said + ((", " if sized else " ") + ", ".join(flags) if flags else "")

    def field(self, name: str) -> Field:
        for one in self.fields:
            if one.name == name:
                return one
        raise ParameterError("field", name, f"is not a parameter of {self.name} (one of "
                                            f"{', '.join(f.name for f in self.fields)})")

    def has(self, name: str) -> bool:
        """Whether the layer takes the parameter ``name`` (padding, dilation, groups…)."""
        return any(f.name == name for f in self.fields)

    @property
    def output_indices(self) -> tuple[str, ...]:
        """The names of an output entry's indices: ``Y_{l,i,j}``, ``Y_{l,i}``, ``y_i``."""
        return ("l", *("i", "j")[:len(self.axes)]) if self.axes else ("i",)

    def arguments(self, layer: object) -> list[tuple[Field, object]]:
        """Each field with the value ``layer`` holds for it."""
        return [(f, getattr(layer, f.name)) for f in self.fields]

    def shown_arguments(self, layer: object) -> list[str]:
        """The constructor call's arguments as ``repr`` shows them: positional ones bare,
        others only when they differ from their default."""
        shown = []
        for f, value in self.arguments(layer):
            if f.positional:
                shown.append(show_value(value))
            elif f.required or value != f.normalised_default(layer, len(self.axes)):
                shown.append(f"{f.name}={show_value(value)}")
        return shown


_SPECS: dict[str, type] = {}


def register(model: type) -> type:
    """Record ``model`` (a layer class with a ``spec``) under its spec's word."""
    spec = model.__dict__.get("spec")
    if not isinstance(spec, LayerSpec):
        raise ParameterError("model", model, "must define spec = LayerSpec(...)")
    _SPECS[spec.word] = model
    return model


def specs() -> dict[str, LayerSpec]:
    """Every layer kind, by its word (``conv2d``, ``maxpool2d``…), in a stable order."""
    return {word: model.spec for word, model in models().items()}


def models() -> dict[str, type]:
    """Every layer class, by its spec's word (``import symproof`` registers them all)."""
    return dict(sorted(_SPECS.items()))


def _one_or_each(value: object) -> object:
    """A per-axis value as one size when the axes agree (F = 2), else a tuple (F = (2, 3))."""
    if isinstance(value, tuple):
        return value[0] if all(v == value[0] for v in value) else sp.Tuple(*value)
    return value


def show_value(value: object) -> str:
    """A parameter as a constructor call shows it: ``3`` for ``(3, 3)``, ints bare."""
    if isinstance(value, tuple) and value and all(v == value[0] for v in value):
        value = value[0]
    if isinstance(value, tuple):
        return "(" + ", ".join(show_value(v) for v in value) + ")"
    if isinstance(value, sp.Basic) and value.is_Integer:
        return str(int(value))
    return str(value)
