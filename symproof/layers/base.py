"""What every layer model shares: its constructor-like ``repr`` and its LaTeX display."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..errors import ParameterError, ShapeError
from ..latex import latex
from ..numeric import as_array
from ..params import as_flag
from .spec import LayerSpec, register, show_value

__all__ = ["Layer"]


class Layer:
    """Base of the layer models.

    A layer kind that the command line, directives and cross-checks know declares its
    ``spec`` (:class:`~symproof.layers.spec.LayerSpec`): ``repr`` and equality read its fields.
    Composite layers (``MLP``, ``Sequential``) and activations list their arguments in
    ``_arguments()`` as ``(name, value, default)`` triples instead, ``default`` being
    ``POSITIONAL`` for arguments shown without a name. Everything else (``output_shape``,
    ``element``, ``evaluate``) is the subclass's own.
    """

    POSITIONAL = object()
    spec: LayerSpec | None = None
    #: Attributes that only cache what the others determine (numeric plans, compiled σ):
    #: not part of what the layer is (a claim judged under one layer holds under an equal one).
    cached_attributes: frozenset[str] = frozenset({"_plans", "_numeric"})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("spec"), LayerSpec):
            register(cls)

    def _arguments(self) -> list[tuple[str, Any, Any]]:
        if self.spec is None:
            raise NotImplementedError
        return [(f.name, value, None) for f, value in self.spec.arguments(self)]

    def __repr__(self) -> str:
        if self.spec is not None:
            shown = self.spec.shown_arguments(self)
        else:
            shown = []
            for name, value, default in self._arguments():
                if default is Layer.POSITIONAL:
                    shown.append(show_value(value))
                elif value != default:
                    shown.append(f"{name}={show_value(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._arguments() == other._arguments()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

    def equation(self) -> sp.Eq:
        """The element formula as ``Eq(output entry, formula)`` at symbolic indices."""
        raise NotImplementedError

    def to_latex(self, *, inline: bool = False, padded_coordinates: bool = False) -> str:
        """The element formula in the course's notation: bare LaTeX, or ``$…$`` with
        ``inline``; ``padded_coordinates`` states it on the padded image X̄ (windowed layers).

        >>> from symproof import Conv2d
        >>> conv = Conv2d(1, 1, 2, padding=1, bias=False)
        >>> shown = conv.to_latex(padded_coordinates=True, inline=True)
        >>> print(shown[:12], shown.split(" ")[-1])
        $Y_{l,i,j} = \\bar{X}_{1,i+\\alpha-1,j+\\beta-1}$
        """

        inline = as_flag("inline", inline)
        if as_flag("padded_coordinates", padded_coordinates):
            if self.spec is None or "padded coordinates" not in self.spec.capabilities:
                raise ParameterError("padded_coordinates", True,
                                     f"applies to windowed layers, not {type(self).__name__}")
            text = latex(self.equation(padded=True))
        else:
            text = latex(self.equation())
        return f"${text}$" if inline else text

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.to_latex()}$"


def checked_bias(bias: object | None, has_bias: bool, n_out: int):
    """The bias array of shape ``(n_out,)``, or None for a layer built with ``bias=False``."""
    if not has_bias:
        if bias is not None:
            raise ShapeError("bias given, but the layer was built with bias=False")
        return None
    if bias is None:
        raise ShapeError("bias is required: the layer was built with bias=True "
                         "(pass bias=..., or build it with bias=False)")
    bias = as_array("bias", bias, (1,))
    if bias.shape != (n_out,):
        raise ShapeError(f"bias must have shape ({n_out},), got {bias.shape}")
    return bias
