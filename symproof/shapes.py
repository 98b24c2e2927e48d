"""Output sizes of windowed layers, symbolic or concrete, in one place.

Rows pair with the first kernel size, columns with the second. Every formula is PyTorch's:

    out = ⌊(n + 2P − D(f − 1) − 1) / S⌋ + 1

and, for pooling with ``ceil_mode``, the ceiling instead of the floor, minus one when the last
window would start in the right padding.

>>> from symproof import symbols
>>> m, k, q = symbols("m k q")
>>> pool_output_size(m, k, k)
floor(m/k)
>>> pool_output_size(k * q, k, k)
q
>>> conv_output_size(32, 3, stride=2, padding=1)
16
"""

from __future__ import annotations

import sympy as sp

from .errors import ParameterError
from .params import as_flag, as_size, fails, holds, to_python

__all__ = ["conv_output_size", "pool_output_size", "transposed_output_size", "simplify_size",
           "effective_kernel", "check_pool_padding"]


def simplify_size(expr: sp.Expr) -> sp.Expr:
    """Pull the integer terms out of every ``floor``/``ceiling`` argument.

    SymPy does not see that ``⌊(kq − k)/k⌋ = q − 1`` for integer q. Expanding the argument into
    monomials exposes the terms known to be integers, which leave the bracket
    (``⌊n + r⌋ = n + ⌊r⌋`` for integer n); the rest is put back over one denominator so the
    result still reads like the textbook formula.
    """
    if not isinstance(expr, sp.Basic):
        return sp.Integer(expr)

    def split(e):
        terms = sp.Add.make_args(sp.expand(e.args[0]))
        whole = [t for t in terms if t.is_integer]
        rest = sp.together(sp.Add(*[t for t in terms if not t.is_integer]))
        return sp.Add(*whole) + type(e)(rest)

    return expr.replace(lambda e: isinstance(e, (sp.floor, sp.ceiling)), split)


def effective_kernel(kernel_size: sp.Expr, dilation: sp.Expr = sp.S.One) -> sp.Expr:
    """The span ``D(f − 1) + 1`` a dilated kernel covers."""
    return dilation * (kernel_size - 1) + 1


def check_pool_padding(kernel_size: sp.Expr, padding: sp.Expr, name: str = "padding") -> None:
    """PyTorch's pooling rule: padding at most half the kernel size, ``2P ≤ f``. The one place
    this rule lives: the pooling layers and :func:`pool_output_size` both call it.

    PyTorch checks the kernel size itself here, not the dilated span (checked against
    torch 2.13: ``max_pool2d`` with f = 2, D = 3, P = 2 is refused). Symbols pass unless SymPy
    can tell the rule is broken.

    >>> check_pool_padding(3, 1)
    >>> check_pool_padding(2, 2)
    Traceback (most recent call last):
    ...
    symproof.errors.ParameterError: padding must be at most half the kernel size (2P <= f, \
f = 2) for pooling, as PyTorch requires, got 2
    """
    if fails(sp.Le(2 * padding, kernel_size)):
        raise ParameterError(
            name, padding,
            f"must be at most half the kernel size (2P <= f, f = {kernel_size}) for pooling, "
            "as PyTorch requires",
        )


def _check_fits(size, kernel_size, padding, dilation, what: str) -> None:
    span = effective_kernel(kernel_size, dilation)
    if fails(sp.Ge(size + 2 * padding, span)):
        raise ParameterError(
            "kernel_size",
            kernel_size,
            f"must fit the padded input of the {what}: D(f-1)+1 = {span} exceeds "
            f"n + 2P = {size + 2 * padding}",
        )


def conv_output_size(
    size: object, kernel_size: object, stride: object = 1, padding: object = 0, dilation: object = 1
) -> int | sp.Expr:
    """``⌊(n + 2P − D(f−1) − 1)/S⌋ + 1`` for one spatial axis of a convolution.

    >>> from symproof import symbols
    >>> m, F, S, P = symbols("m F S P")
    >>> conv_output_size(m, F, S, P)
    floor((-F + 2*P + m)/S) + 1
    """
    n = as_size("input size", size)
    f = as_size("kernel_size", kernel_size)
    s = as_size("stride", stride)
    p = as_size("padding", padding, minimum=0)
    d = as_size("dilation", dilation)
    _check_fits(n, f, p, d, "convolution")
    return to_python(simplify_size(sp.floor((n + 2 * p - effective_kernel(f, d)) / s) + 1))


def pool_output_size(
    size: object,
    kernel_size: object,
    stride: object | None = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
) -> int | sp.Expr:
    """Output size of one axis of max/average pooling, PyTorch's rule included.

    With ``ceil_mode`` a last, partial window is kept unless it would start in the right padding
    (PyTorch drops it then: the output shrinks by one when ``(out − 1)·S ≥ n + P``). The padding
    must be at most half the kernel size (:func:`check_pool_padding`).

    >>> pool_output_size(5, 2, 2, ceil_mode=True)
    3
    >>> pool_output_size(5, 2, 2, padding=1, ceil_mode=True)
    3
    >>> from symproof import symbols
    >>> m, k = symbols("m k")
    >>> pool_output_size(m, k, k, ceil_mode=True)
    ceiling(m/k)
    """
    n = as_size("input size", size)
    f = as_size("kernel_size", kernel_size)
    s = f if stride is None else as_size("stride", stride)
    p = as_size("padding", padding, minimum=0)
    d = as_size("dilation", dilation)
    check_pool_padding(f, p)
    span = effective_kernel(f, d)
    if not as_flag("ceil_mode", ceil_mode):
        _check_fits(n, f, p, d, "pooling")
        return to_python(simplify_size(sp.floor((n + 2 * p - span) / s) + 1))
    ceiled = simplify_size(sp.ceiling((n + 2 * p - span) / s))
    # ⌈a/S⌉·S ≤ a + S − 1 with a = n + 2P − span, so the last window can only start in the right
    # padding when S ≥ span − P + 1: below that bound the drop rule never fires.
    if holds(sp.Le(s, span - p)):
        size = ceiled + 1
    else:
        dropped = sp.Piecewise((1, sp.Ge(ceiled * s, n + p)), (0, True))
        size = sp.piecewise_fold(ceiled + 1 - dropped)
    # With ceil_mode a window may overhang the input; PyTorch only needs one window.
    if fails(sp.Ge(size, 1)):
        raise ParameterError(
            "kernel_size", kernel_size,
            f"leaves no window: the pooling output size would be {size} (input n = {n}, "
            f"padding {p}, span D(f-1)+1 = {span})")
    return to_python(size)


def transposed_output_size(
    size: object, kernel_size: object, stride: object = 1, padding: object = 0,
    dilation: object = 1, output_padding: object = 0,
) -> int | sp.Expr:
    """``(n − 1)·S − 2P + D(f − 1) + output_padding + 1`` for a transposed convolution,
    with PyTorch's rule ``output_padding < max(S, D)``.

    >>> transposed_output_size(16, 3, stride=2, padding=1, output_padding=1)
    32
    """
    n = as_size("input size", size)
    f = as_size("kernel_size", kernel_size)
    s = as_size("stride", stride)
    p = as_size("padding", padding, minimum=0)
    d = as_size("dilation", dilation)
    extra = as_size("output_padding", output_padding, minimum=0)
    if fails(sp.Lt(extra, sp.Max(s, d))):
        raise ParameterError("output_padding", output_padding,
                             f"must be smaller than max(stride, dilation) = {sp.Max(s, d)}")
    size_out = (n - 1) * s - 2 * p + d * (f - 1) + extra + 1
    if fails(sp.Ge(size_out, 1)):
        raise ParameterError("padding", padding, f"leaves no output: the size would be {size_out}")
    return to_python(sp.expand(size_out))
