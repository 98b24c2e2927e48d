"""Numeric evaluation: the vectorised fast path, and the exact slow path used to verify it.

The fast path reads a window layer's element formula: each input index there is affine,
``S(i−1) + D(α−1) + 1 − P``, and its coefficients (stride S, dilation D, first position) give a
strided NumPy view of the padded input whose entry ``[..., i, j, α, β]`` is exactly the ``X`` entry
the formula names at ``(i, j, α, β)``, and for each tap ``(α, β)`` a basic slice of it. Layers
reduce those (a matrix product, a max, a mean), so the numbers come from the formula, never from
a second hand-written indexing rule. A :class:`WindowPlan` holds all this for one input shape,
its sizes checked once; layers keep theirs, so a call on a known shape does no SymPy work.

The exact path substitutes arrays into a formula entry by entry; it is slow by design and only
serves VERIFIED checks and tests.

**Which numbers ``evaluate`` takes** (one rule, :func:`as_array`, read by every layer):

* a NumPy array, or nested lists/tuples of numbers of equal lengths (ragged lists, strings,
  ``None``, SymPy symbols, dates and masked arrays are refused with the parameter's name);
* ``bool`` and every integer dtype are promoted to ``int64`` (``uint64`` values above the
  ``int64`` range become exact Python ints), so integer results are exact: an ``int8`` input never
  wraps around. When the arithmetic of a layer could overflow ``int64`` (predicted from the
  largest magnitudes before any work, :func:`operands`), it runs on Python ints instead;
* ``float16``/``float32`` are promoted to ``float64`` (PyTorch's reference precision here);
* complex numbers are accepted by the linear layers (``Conv2d``, ``ConvTranspose2d``,
  ``Linear``, ``AvgPool2d``: no order is needed) and refused by ``MaxPool2d`` and the
  activations, which are real functions;
* object arrays are the exact path: their entries must be numbers (``int``, ``Fraction``,
  SymPy ``Integer``/``Rational``) and stay Python numbers, so ``Fraction`` inputs give
  ``Fraction`` outputs; one ``float`` (or ``complex``) entry makes the arithmetic inexact
  anyway, and the array is then read as ``float64`` (``complex128``), like a list;
* NaN and ±inf follow IEEE arithmetic, as PyTorch does: they propagate through sums and
  products (``0·inf`` is NaN), max pooling returns NaN for a window holding one, and the
  activations map them as ``torch.relu``/``sigmoid``/``tanh`` do (``relu(nan) = nan``,
  ``sigmoid(−inf) = 0``).

Every array an evaluation builds (the padded input, the windows, the output) and the
multiply-adds it does are predicted from the shapes first and refused with
:class:`~symproof.errors.TooLargeError` above the limits ``array_elements`` and
``multiply_adds`` of :mod:`symproof.limits` (exact arithmetic on Python numbers is far slower:
its budgets are :data:`EXACT_SHARE` times smaller), never left to fail with ``MemoryError`` or
to run for minutes.

NumPy is imported inside functions: ``import symproof`` must stay as cheap as ``import sympy``.
"""

from __future__ import annotations

import numbers
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import sympy as sp

from . import limits
from .errors import EvaluationError, ShapeError, TooLargeError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["AffineIndex", "WindowPlan", "exact_value", "exact_number", "as_array", "operands",
           "as_float", "numpy_function",
           "check_size", "shape_text", "EXACT_SHARE"]

#: Exact arithmetic on Python numbers (object arrays) is slower: a Fraction multiply-add costs
#: about 3 µs, twenty thousand times a float64 one in BLAS, and an object entry ~100 bytes.
#: Each budget is this many times smaller for it (10^6 entries, 10^6 multiply-adds).
EXACT_SHARE = {"array_elements": 100, "multiply_adds": 10_000}

_INT64_MAX = 2**63 - 1
_FLOAT_INTEGERS = 2**53  # every integer up to this magnitude is exactly a float64
_CAP = 10**30  # amounts are shown up to here


@dataclass(frozen=True)
class AffineIndex:
    """A 1-based index ``first + step·(i−1) + spacing·(α−1)`` read off a formula."""

    first: int
    step: int
    spacing: int

    @classmethod
    def from_expr(cls, expr: sp.Expr, out: sp.Symbol, tap: sp.Symbol) -> AffineIndex:
        """Coefficients of ``expr`` in the output index ``out`` and kernel index ``tap``.

        Refuses anything that is not affine with concrete integer coefficients, because the
        strided view below is only equal to the formula in that case.
        """
        if not (isinstance(expr, sp.Expr) and isinstance(out, sp.Symbol)
                and isinstance(tap, sp.Symbol)):
            raise EvaluationError(f"an affine index needs a SymPy expression and two symbols, "
                                  f"got {type(expr).__name__}, {type(out).__name__}, "
                                  f"{type(tap).__name__}")
        step, spacing = expr.diff(out), expr.diff(tap)
        first = expr.xreplace({out: 1, tap: 1})
        values = (first, step, spacing)
        if any(v.free_symbols or not v.is_Integer for v in values):
            raise EvaluationError(
                f"evaluation needs concrete sizes: index {expr} is not affine in {out}, {tap} "
                "with integer coefficients (substitute numbers for the symbols first)"
            )
        return cls(int(first), int(step), int(spacing))


def numpy_function(arguments, expr: sp.Basic):
    """``expr`` (a SymPy object, never text) as a NumPy function of ``arguments``.

    NumPy's module is given as an object, not by name: SymPy then reads its namespace rather
    than running ``from numpy import *``, which loads numpy.f2py, numpy.ma and unittest and
    costs 70 ms the first time (a third of ``import sympy``).

    >>> z = sp.Symbol("z")
    >>> numpy_function(z, sp.Max(z, 0) ** 2)([-1.0, 3.0])
    array([0., 9.])
    """
    import numpy as np

    return sp.lambdify(arguments, expr, modules=[np])


def check_size(what: str, elements: int = 0, products: int = 0, *, exact: bool = False) -> None:
    """Refuse a step of an evaluation that would build an array of more than
    ``array_elements`` entries or do more than ``multiply_adds`` multiply-adds (the limits of
    :mod:`symproof.limits`; ``exact``: Python-number arithmetic, :data:`EXACT_SHARE` times
    less), before it allocates anything.

    >>> check_size("the padded input", elements=4 * 10**12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symproof.errors.TooLargeError: the padded input has 4,000,000,000,000 elements, over the ...
    """
    for name, amount, unit in (("array_elements", elements, "elements"),
                               ("multiply_adds", products, "multiply-adds")):
        limit = getattr(limits.current(), name)
        allowed = limit // EXACT_SHARE[name] if exact else limit
        if amount > allowed:
            shown = "more than 10^30" if amount >= _CAP else f"{amount:,}"
            share = (f" / {EXACT_SHARE[name]:,} for exact arithmetic on Python numbers"
                     if exact else "")
            raise TooLargeError(f"{what} has {shown} {unit}, over the limit {name} = "
                                f"{limit:,}{share} (raise it with --limit {name}=N, or "
                                f"symproof.limits.raised({name}=N))")


def as_array(name: str, value: object, ndims: tuple[int, ...], *, real: bool = False
             ) -> np.ndarray:
    """``value`` as a NumPy array of numbers with one of the allowed numbers of dimensions:
    the one reading of user numbers that every ``evaluate`` uses (see the module docstring).

    Integers and booleans come back as ``int64`` (or exact Python ints beyond its range),
    ``float16``/``float32`` as ``float64``, ``complex64`` as ``complex128`` (refused when
    ``real``), object arrays of ints and Fractions as arrays of exact Python numbers.

    >>> import numpy as np
    >>> as_array("x", np.array([100, 27], dtype=np.int8), (1,)).dtype
    dtype('int64')
    >>> as_array("x", [[1, 2], [3]], (2,))
    Traceback (most recent call last):
    ...
    symproof.errors.ShapeError: x must be a rectangular array ... x[0] is a list
    """
    import numpy as np

    masked = sys.modules.get("numpy.ma")  # not loaded: no masked array exists (and reading
    # np.ma would load it, 12 ms)
    if masked is not None and isinstance(value, masked.MaskedArray):
        raise ShapeError(f"{name} must be a plain array: a masked array's mask would be ignored "
                         f"(pass numpy.ma.filled({name}) or its .data)")
    if isinstance(value, np.ndarray):
        array = np.asarray(value)  # a subclass (np.matrix …) as a plain array
    elif isinstance(value, (list, tuple, numbers.Number, np.generic)):
        array = _from_python(name, value)
    elif hasattr(value, "__array__"):
        try:  # an array-like such as a torch tensor or a SymPy Matrix
            array = np.asarray(value)
        except Exception as why:  # its own conversion failed
            raise ShapeError(f"{name} must be an array of numbers, got {_kind(value)} that "
                             f"NumPy cannot read ({type(why).__name__}: {why})") from None
    else:
        raise ShapeError(f"{name} must be an array of numbers (a NumPy array or nested lists), "
                         f"got {_kind(value)}")
    if array.ndim not in ndims:
        allowed = (" or ".join(map(str, ndims)) if len(ndims) <= 2
                   else f"{ndims[0]} to {ndims[-1]}")
        raise ShapeError(f"{name} must have {allowed} dimensions, got shape {array.shape}")
    array = _promoted(name, array)
    if real and array.dtype.kind == "c":
        raise ShapeError(f"{name} must hold real numbers, got {_kind(array)}: this computes "
                         "with an order (max) or a real function")
    return array


def _kind(value: object) -> str:
    """What ``value`` is, for a message (never its full text)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        shown = repr(value if len(value) <= 40 else value[:30] + "…")
        return f"the text {shown}"
    return f"a {type(value).__name__}"


def _promoted(name: str, array: np.ndarray) -> np.ndarray:
    """The dtype rule of the module docstring."""
    import numpy as np

    kind = array.dtype.kind
    if kind in "bi":
        return array.astype(np.int64, copy=False)
    if kind == "u":
        if array.dtype.itemsize < 8 or array.size == 0 or int(array.max()) <= _INT64_MAX:
            return array.astype(np.int64, copy=False)
        return array.astype(object)  # exact Python ints beyond int64
    if kind == "f":
        return array if array.dtype.itemsize >= 8 else array.astype(np.float64)
    if kind == "c":
        return array if array.dtype.itemsize >= 16 else array.astype(np.complex128)
    if kind == "O":
        return _narrowest(name, array, keep_exact=True)
    raise ShapeError(f"{name} must hold numbers, got dtype {array.dtype}")


def _number(name: str, value: object, index: tuple) -> int | Fraction | float | complex:
    """One entry of an object array or a list, as a Python number; anything else refused."""
    import numpy as np

    where = f"{name}[{', '.join(map(str, index))}]" if index else name
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Integer):
            value = int(value)
        elif isinstance(value, sp.Rational):
            value = Fraction(int(value.p), int(value.q))
        elif isinstance(value, sp.Float):
            return float(value)
        else:
            raise ShapeError(f"{name} must hold numbers, got the SymPy object {_short(value)} "
                             f"at {where} (substitute numbers first)")
    if isinstance(value, numbers.Integral):
        value = int(value)
        _check_digits(where, value)
        return value
    if isinstance(value, Fraction):
        _check_digits(where, value.numerator)
        _check_digits(where, value.denominator)
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, numbers.Complex):
        return complex(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        raise ShapeError(f"{name} must be a rectangular array (nested lists of equal lengths), "
                         f"got a ragged nested list: {where} is a {type(value).__name__}")
    raise ShapeError(f"{name} must hold numbers (int, float, Fraction), got {_kind(value)} "
                     f"at {where}")


def _short(value: object) -> str:
    try:
        text = str(value)
    except ValueError:  # a number too large to print
        return f"({type(value).__name__})"
    return text if len(text) <= 40 else text[:30] + "…"


def _check_digits(where: str, value: int) -> None:
    if value.bit_length() > 64:
        limits.check("integer_digits", f"the integer at {where}",
                     int(value.bit_length() * 0.30103) + 1)


def _from_python(name: str, value: object) -> np.ndarray:
    """Nested lists/tuples or a scalar: every entry checked, then the narrowest exact dtype."""
    import numpy as np

    try:
        cells = np.array(value, dtype=object)
    except (ValueError, TypeError, RecursionError, RuntimeError):
        raise ShapeError(f"{name} must be a rectangular array (nested lists of equal lengths), "
                         "got a ragged nested list") from None
    if cells.ndim > 32:  # a list nested in itself, or absurdly deep nesting
        raise ShapeError(f"{name} must have at most 32 dimensions, got nested lists "
                         f"{cells.ndim} deep")
    return _narrowest(name, cells, keep_exact=False)


def _narrowest(name: str, cells: np.ndarray, *, keep_exact: bool) -> np.ndarray:
    """Object ``cells`` as Python numbers, then in the narrowest dtype that keeps them: float64
    (complex128) as soon as one entry is a float (complex), since the arithmetic is then inexact
    anyway; otherwise exact ints and Fractions, as ``int64`` when they are ints that fit it and
    ``keep_exact`` is off (lists), else as Python numbers."""
    import numpy as np

    entries = np.empty(cells.shape, dtype=object)
    for index, entry in np.ndenumerate(cells):
        entries[index] = _number(name, entry, index)
    flat = list(entries.flat)
    inexact = [v for v in flat if isinstance(v, (float, complex))]
    if not inexact:
        if keep_exact or not all(type(v) is int and -_INT64_MAX - 1 <= v <= _INT64_MAX
                                 for v in flat):
            return entries  # exact Python ints and Fractions
        return entries.astype(np.int64)
    target = np.complex128 if any(isinstance(v, complex) for v in inexact) else np.float64
    try:
        return entries.astype(target)
    except OverflowError:
        big = max((abs(v) for v in flat if type(v) is int), default=0)
        digits = int(big.bit_length() * 0.30103) + 1 if big else "many"
        raise ShapeError(f"{name} mixes floats with a number too large for float64 (an integer "
                         f"of about {digits} digits, or a Fraction): use only ints and Fractions "
                         "for exact arithmetic") from None


@dataclass(frozen=True)
class WindowPlan:
    """How a window slides over every input of one shape: the padding that input needs and
    where each tap of the window reads in the padded input, worked out once (and its sizes
    checked against the limits, before anything is allocated) so that applying it is only
    NumPy slicing.

    ``taps[k]`` is the basic slice of the padded input holding the entries that tap
    ``k = α·f2 + β`` (0-based, row-major) reads at every output position: entry
    ``[..., i, j]`` of ``padded[taps[k]]`` is ``x[..., rows(i, α), cols(j, β)]``. They are
    listed only when combining the taps one by one is the faster way to reduce the windows
    (few taps, or many outputs per tap: see :data:`_TAPS_ALWAYS`), else ``taps`` is empty and
    reductions go through :meth:`view`.

    >>> plan = WindowPlan.build((1, 4, 4), AffineIndex(0, 2, 1), AffineIndex(0, 2, 1),
    ...                         (3, 3), (2, 2), exact=False)
    >>> plan.pads, plan.padded_shape
    (((1, 0), (1, 0)), (1, 5, 5))
    """

    shape: tuple[int, ...]
    out: tuple[int, int]
    kernel: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    padded_shape: tuple[int, ...]
    starts: tuple[int, int]  # padded position of the first tap of the first window
    steps: tuple[int, int]  # strides of the window (rows, cols)
    spacings: tuple[int, int]  # dilations (rows, cols)
    taps: tuple[tuple, ...]
    # for few windows: each tap's positions in the padded input's last two axes, flattened
    # ([tap, i, j]), so that a reduction is one gather and one ufunc.reduce
    gather: np.ndarray | None = field(default=None, compare=False)

    @classmethod
    def build(cls, shape: tuple[int, ...], rows: AffineIndex, cols: AffineIndex,
              kernel: tuple[int, int], out: tuple[int, int], *, exact: bool) -> WindowPlan:
        """The plan for inputs ``x[..., rows, cols]`` of ``shape``, after checking that the
        padded input and the windows fit the limits (``exact``: Python-number arithmetic)."""
        pads, starts, padded_shape = [], [], list(shape[:-2])
        for index, size, f, n_out in ((rows, shape[-2], kernel[0], out[0]),
                                      (cols, shape[-1], kernel[1], out[1])):
            first = index.first - 1  # 0-based position of the first tap of the first window
            last = first + index.step * (n_out - 1) + index.spacing * (f - 1)
            before, after = max(0, -first), max(0, last - (size - 1))
            pads.append((before, after))
            starts.append(first + before)
            padded_shape.append(before + size + after)
        check_size(f"the input x with its padding (rows {shape_text(pads[0])}, columns "
                   f"{shape_text(pads[1])} added: shape {shape_text(padded_shape)})",
                   _product(padded_shape), exact=exact)
        windows_shape = (*shape[:-2], *out, *kernel)
        check_size(f"the windows of x (shape {shape_text(windows_shape)})",
                   _product(windows_shape), exact=exact)
        steps, spacings = (rows.step, cols.step), (rows.spacing, cols.spacing)
        taps = () if not _one_by_one(kernel, _product(windows_shape)) else tuple(
            _tap_slice(starts, spacings, steps, out, (alpha, beta))
            for alpha in range(kernel[0]) for beta in range(kernel[1]))
        gather = None
        if _product(windows_shape) <= _GATHER_MAX:
            import numpy as np

            width = padded_shape[-1]
            gather = np.array([
                (starts[0] + alpha * spacings[0] + steps[0] * np.arange(out[0]))[:, None] * width
                + (starts[1] + beta * spacings[1] + steps[1] * np.arange(out[1]))[None, :]
                for alpha in range(kernel[0]) for beta in range(kernel[1])], dtype=np.intp)
        return cls(tuple(shape), tuple(out), tuple(kernel), (pads[0], pads[1]),
                   tuple(padded_shape), (starts[0], starts[1]), steps, spacings, taps, gather)

    def tap(self, alpha: int, beta: int) -> tuple:
        """The basic slice of the padded input that tap ``(α, β)`` (0-based) reads at every
        output position (what ``taps`` lists, for any plan: a backward pass adds into it)."""
        return _tap_slice(self.starts, self.spacings, self.steps, self.out, (alpha, beta))

    def padded(self, x: np.ndarray, fill: object) -> np.ndarray:
        """``x`` with the plan's padding filled with ``fill`` (``x`` itself when none is
        needed): one allocation and one copy, as ``np.pad`` costs more than a pooling."""
        import numpy as np

        if x.shape != self.shape:
            raise ShapeError(f"this window plan is for inputs of shape {self.shape}, got "
                             f"{x.shape}")
        (top, bottom), (left, right) = self.pads
        if not (top or bottom or left or right):
            return x
        padded = np.full(self.padded_shape, fill, dtype=x.dtype)
        padded[..., top:top + x.shape[-2], left:left + x.shape[-1]] = x
        return padded

    def view(self, padded: np.ndarray) -> np.ndarray:
        """The windows ``v[..., i, j, α, β]`` of a padded input, as one strided view."""
        import numpy as np

        spans = tuple(spacing * (f - 1) + 1 for spacing, f in zip(self.spacings, self.kernel))
        windows = np.lib.stride_tricks.sliding_window_view(
            padded[..., self.starts[0]:, self.starts[1]:], spans, axis=(-2, -1))
        (rows, cols), (row_step, col_step) = self.out, self.steps
        return windows[..., : row_step * (rows - 1) + 1 : row_step,
                       : col_step * (cols - 1) + 1 : col_step,
                       :: self.spacings[0], :: self.spacings[1]]

    def columns(self, padded: np.ndarray) -> np.ndarray:
        """The windows of a padded input ``[..., rows, cols]`` copied into one contiguous
        array ``c[..., α·f2 + β, i, j]`` (im2col), ready for a matrix product: tap by tap
        when the taps are listed, else from :meth:`view` (its size was checked with the plan)."""
        import numpy as np

        if not self.taps:
            windows = np.moveaxis(self.view(padded), (-2, -1), (-4, -3))
            return windows.reshape(*windows.shape[:-4], -1, *self.out)
        columns = np.empty((*padded.shape[:-2], len(self.taps), *self.out), dtype=padded.dtype)
        for k, tap in enumerate(self.taps):
            columns[..., k, :, :] = padded[tap]
        return columns

    def combine(self, padded: np.ndarray, ufunc) -> np.ndarray:
        """``ufunc`` (``np.add``, ``np.maximum``) folded over the taps of a padded input: each
        tap is a strided view, and combining whole views is several times faster than reducing
        the two small trailing axes of :meth:`view` (NaN propagates either way). Few windows
        in all: one gather of every tap's entries and one reduction (a fixed cost of 2 µs
        instead of one ufunc call per tap)."""
        if self.gather is not None:
            flat = padded.reshape(*padded.shape[:-2], -1)
            return ufunc.reduce(flat[..., self.gather], axis=-3)
        if not self.taps:  # many taps, few outputs: one reduction beats a loop over taps
            return ufunc.reduce(self.view(padded), axis=(-2, -1))
        first, *rest = self.taps
        if not rest:
            return padded[first].copy()
        total = ufunc(padded[first], padded[rest[0]])
        for tap in rest[1:]:
            ufunc(total, padded[tap], out=total)
        return total


#: Up to this many taps, a reduction combines them one by one (a ufunc call each, a few µs);
#: beyond, only when each tap covers at least :data:`_OUTPUTS_PER_TAP` times as many outputs
#: as there are taps, else one reduction of the window view is faster (measured: a 16×16 window
#: over 3 outputs, 15 µs against 260 µs; a 3×3 one over 4 outputs, 14 µs against 9 µs).
_TAPS_ALWAYS = 9
_OUTPUTS_PER_TAP = 4
#: Up to this many window entries in all, a reduction gathers them at once instead.
_GATHER_MAX = 4096


def _tap_slice(starts, spacings, steps, out, tap: tuple[int, int]) -> tuple:
    """``[..., rows, cols]`` of the padded input read by one tap at every output position."""
    return (Ellipsis, *(slice(start + t * spacing, start + t * spacing + step * (n_out - 1) + 1,
                              step)
                        for start, t, spacing, step, n_out in zip(starts, tap, spacings, steps,
                                                                  out)))


def _one_by_one(kernel: tuple[int, int], windows: int) -> bool:
    """Whether to combine ``kernel``'s taps one by one rather than reduce ``windows`` entries
    (every output times every tap) in one call."""
    taps = kernel[0] * kernel[1]
    return taps <= _TAPS_ALWAYS or windows >= _OUTPUTS_PER_TAP * taps * taps


def shape_text(values) -> str:
    """A shape for a message; sizes beyond 10^12 as powers of ten (never a 900-digit number).

    >>> shape_text((1, 2 * 10**6 + 3, 10**40))
    '(1, 2000003, ~10^40)'
    """
    shown = [str(int(v)) if int(v) < 10**12 else f"~10^{len(str(int(v))) - 1}"
             if int(v).bit_length() < 10_000 else "a huge number" for v in values]
    return "(" + ", ".join(shown) + ("," if len(shown) == 1 else "") + ")"


def _product(values) -> int:
    total = 1
    for value in values:
        total *= int(value)
    return total


def _magnitude(array: np.ndarray) -> int:
    """The largest ``|entry|`` of an integer array, as a Python int (0 when empty)."""
    if array.size == 0:
        return 0
    return max(abs(int(array.max())), abs(int(array.min())))


def operands(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, terms: int) -> tuple:
    """``x``, ``weight`` and ``bias`` (arrays from :func:`as_array`) in the one dtype a linear
    layer computes in, when each output is ``bias`` plus a sum of ``terms`` products
    ``weight·x``:

    * all integer: ``int64`` when ``terms·max|x|·max|w| + max|b|`` fits it (so no sum can
      overflow), else exact Python ints;
    * any exact (object) operand: Python numbers;
    * otherwise NumPy's common type (``float64``, ``complex128``, ``longdouble``).

    >>> import numpy as np
    >>> x, w, _ = operands(np.array([2**40]), np.array([2**30]), None, terms=16)
    >>> x.dtype, int(x[0] * w[0])
    (dtype('O'), 1180591620717411303424)
    """
    import numpy as np

    arrays = [a for a in (x, weight, bias) if a is not None]
    kinds = {a.dtype.kind for a in arrays}
    if kinds == {"i"}:
        bound = terms * _magnitude(x) * _magnitude(weight)
        bound += 0 if bias is None else _magnitude(bias)
        dtype = np.dtype(np.int64) if bound <= _INT64_MAX else np.dtype(object)
    elif "O" in kinds and not kinds & {"f", "c"}:
        dtype = np.dtype(object)
    else:  # floats make the arithmetic inexact anyway: exact operands become floats too
        dtype = np.result_type(*(a.dtype if a.dtype != object else np.float64 for a in arrays))
    try:
        return tuple(None if a is None else a.astype(dtype, copy=False)
                     for a in (x, weight, bias))
    except OverflowError:
        raise ShapeError("the inputs mix floats with an integer too large for float64: use "
                         "only ints and Fractions for exact arithmetic") from None


def as_float(name: str, array: np.ndarray, *, exact_integers: bool = False) -> np.ndarray:
    """An array from :func:`as_array` in floating point for float arithmetic (pooling, the
    activations): integers and exact numbers as ``float64``, floats and complex numbers as they
    are. With ``exact_integers``, integers too large to be exactly a float64 (``|v| > 2^53``)
    and object arrays stay exact Python numbers instead."""
    import numpy as np

    kind = array.dtype.kind
    if kind in "fc":
        return array
    if exact_integers and (kind == "O" or (kind == "i" and _magnitude(array) > _FLOAT_INTEGERS)):
        return array.astype(object)
    try:
        return array.astype(np.float64)
    except OverflowError:
        raise ShapeError(f"{name} holds a number too large for float64 (over 1.8e308), in "
                         "which this layer computes") from None


def exact_number(value: object) -> sp.Expr:
    """A Python/NumPy number as an exact SymPy number (floats by their exact binary value)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return sp.Integer(int(value))
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if value == float("inf"):
            return sp.oo
        if value == float("-inf"):
            return -sp.oo
        return sp.Rational(Fraction(value))
    raise EvaluationError(f"cannot use {value!r} as an exact number")


def exact_value(
    expr: sp.Expr,
    arrays: dict[sp.IndexedBase, object],
    fill: dict[sp.IndexedBase, sp.Expr] | None = None,
) -> sp.Expr:
    """Evaluate ``expr`` exactly, reading ``Indexed`` entries (1-based) from ``arrays``.

    An index outside an array reads as ``fill[base]`` (the padding rule: 0 for convolution and
    average pooling, −∞ for max pooling); without a fill it is an error.

    >>> from symproof.notation import X, w
    >>> exact_value(w[1] * X[1, 0] + w[1] * X[1, 2], {X: [[5, 7]], w: [3]}, {X: 0})
    21
    """
    fill = fill or {}
    tables = {base: as_array(str(base), values, tuple(range(33))).astype(object)
              for base, values in arrays.items()}

    def lookup(entry: sp.Indexed) -> sp.Expr:
        table = tables[entry.base]
        if any(not index.is_Integer for index in entry.indices):
            raise EvaluationError(f"index of {entry} is not a concrete integer")
        position = tuple(int(index) - 1 for index in entry.indices)
        if len(position) != table.ndim:
            raise ShapeError(
                f"{entry.base} has {table.ndim} dimensions but {entry} uses {len(position)} indices"
            )
        if all(0 <= p < n for p, n in zip(position, table.shape)):
            return exact_number(table[position])
        if entry.base in fill:
            return fill[entry.base]
        raise ShapeError(f"{entry} lies outside {entry.base}, of shape {table.shape}")

    if not isinstance(expr, sp.Basic):
        return exact_number(expr)
    limits.check_expression(expr, "the formula")  # before doit() writes its sums out
    expanded = expr.doit()
    return expanded.replace(lambda e: isinstance(e, sp.Indexed) and e.base in tables, lookup)
