"""Kernel synthesis: the weights and bias of a ``Conv2d`` whose output channels are given linear
stencils of the input, found by coefficient matching, or a proof that none exist.

The layer computes ``Y_{l,i,j} = b_l + Σ w_{l,γ,α,β} X_{γ, S(i−1)+D(α−1)+1−P, S(j−1)+D(β−1)+1−P}``.
A target ``Σ_t c_t X_{γ_t, p_t, q_t} + c_0`` is realised exactly when every entry it reads is read
by some tap ``(γ, α, β)`` at every position, i.e. when ``α_t = (p_t − S(i−1) − 1 + P)/D + 1``
(and ``β_t`` likewise) is an integer in ``1 … f`` that does not depend on ``i, j``. Distinct taps
read distinct entries (``D ≥ 1``), so matching the coefficient of each entry gives every weight:
the solution, when there is one, is unique.

Cost: linear in the target terms. A dense stencil reads thousands of entries but few distinct
channels, rows and columns: each is solved once (read off ``S·i + c`` exactly, ``simplify`` only
for symbolic windows), and the boundary is examined once per distinct index; what a channel
computes there (``Boundary.rest``) is written only when asked for.
:func:`~symproof.synthesis_proof.uniqueness` reads the coefficient-matching system off the taps'
affine indices (:func:`~symproof.kernel.tap_matching`).

>>> from symproof import Conv2d
>>> from symproof.notation import X, i, j
>>> found = synthesize(Conv2d(1, 1, 3, padding=1), [X[1, i + 1, j] - X[1, i, j]])
>>> found.kernel(1, 1)
Matrix([
[0,  0, 0],
[0, -1, 0],
[0,  1, 0]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter

import sympy as sp

from . import notation as nt
from .errors import EvaluationError, NoSolutionError, ParameterError, ShapeError
from .kernel.context import Context
from .kernel.outcome import Outcome, Result, Status
from .layers.conv import Conv2d
from .layers.window import indices, size_pair
from .limits import check_expression
from .numeric import as_array, numpy_function
from .params import concrete_int, holds
from .prose import Prose

__all__ = ["synthesize", "Synthesis", "Tap"]


@dataclass(frozen=True)
class Tap:
    """One target term ``coefficient · X_{γ,p,q}`` and the kernel tap ``(γ, α, β)`` reading it."""

    coefficient: sp.Expr
    entry: sp.Indexed
    channel: sp.Expr
    alpha: sp.Expr
    beta: sp.Expr


@dataclass
class Synthesis(Result):
    """The outcome of :func:`synthesize` for one layer and its per-channel targets.

    Like every result it carries an ``outcome`` (:class:`~symproof.kernel.outcome.Result`):
    synthesis matches taps outside the kernel, so weights found are GIVEN (a construction, not
    yet proved: :func:`~symproof.synthesis_proof.synthesis_proof` has the kernel prove that
    they realise the targets) and a failure is UNKNOWN with its reason; never a strong status.
    ``exists`` (``ok``) and ``reason`` are read off the outcome.
    """

    layer: Conv2d
    targets: tuple[sp.Expr, ...]
    taps: tuple[tuple[Tap, ...], ...] = ()
    biases: tuple[sp.Expr, ...] = ()
    reason: str = ""
    conditions: tuple[sp.Basic, ...] = ()
    input_size: tuple[sp.Expr, sp.Expr] = (nt.H, nt.W)
    boundary: list[Boundary] = field(default_factory=list)
    #: the output channel (1-based) whose target no weights realise; 0 when weights were found
    failed: int = 0

    @property
    def outcome(self) -> Outcome:
        """GIVEN when weights were found, UNKNOWN with the reason when none were."""
        if self.reason:
            return Outcome(Status.UNKNOWN, "tap matching", self.reason)
        return _FOUND

    @property
    def exists(self) -> bool:
        """Whether weights were found: the outcome's ``ok`` (kept for compatibility)."""
        return self.ok

    def weight(self, l=nt.l, gamma=nt.gamma, alpha=nt.alpha, beta=nt.beta) -> sp.Expr:
        """``w_{l,γ,α,β}`` as a sum of Kronecker deltas (valid for symbolic kernel sizes)."""
        self._require()
        l, gamma, alpha, beta = indices(("l", l), ("gamma", gamma), ("alpha", alpha),
                                        ("beta", beta))
        total = sp.S.Zero
        for channel, taps in enumerate(self.taps, 1):
            for tap in taps:
                total += (sp.KroneckerDelta(l, channel) * tap.coefficient
                          * sp.KroneckerDelta(gamma, tap.channel)
                          * sp.KroneckerDelta(alpha, tap.alpha) * sp.KroneckerDelta(beta, tap.beta))
        return total

    def bias(self, l=nt.l) -> sp.Expr:
        """``b_l`` as a sum of Kronecker deltas."""
        self._require()
        (l,) = indices(("l", l))
        return sum((sp.KroneckerDelta(l, c) * b for c, b in enumerate(self.biases, 1)),
                   sp.S.Zero) if self.layer.bias else sp.S.Zero

    def kernel(self, l: int, gamma: int) -> sp.Matrix:
        """The f1 × f2 kernel of output channel ``l``, input channel ``γ`` (1-based)."""
        self._require()
        c_in = concrete_int("in_channels", self.layer.in_channels)
        for name, value, top in (("l", l, len(self.taps)), ("gamma", gamma, c_in)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise ParameterError(name, value, f"must be a channel number from 1 to {top}")
        f1, f2 = (concrete_int("kernel_size", f) for f in self.layer.kernel_size)
        matrix = sp.zeros(f1, f2)
        for tap in self.taps[l - 1]:
            if tap.channel == gamma:
                matrix[int(tap.alpha) - 1, int(tap.beta) - 1] += tap.coefficient
        return matrix

    def weight_array(self):
        """All weights as a NumPy object array of shape (C_out, C_in, f1, f2), exact entries."""
        import numpy as np

        c_out = concrete_int("out_channels", self.layer.out_channels)
        c_in = concrete_int("in_channels", self.layer.in_channels)
        return np.array([[self.kernel(l, g).tolist() for g in range(1, c_in + 1)]
                         for l in range(1, c_out + 1)], dtype=object)

    def realised(self, l=nt.l, i=nt.i, j=nt.j, *, padded: bool = False,
                 input_size=None) -> sp.Expr:
        """The layer's element formula with the synthesised weights and bias substituted
        (``input_size`` writes the zero padding in, as in ``Conv2d.element``)."""
        formula = self.layer.element(l, i, j, padded=padded, input_size=input_size)
        return formula.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base in (nt.w, nt.b),
            lambda e: self.weight(*e.indices) if e.base == nt.w else self.bias(*e.indices))

    def target(self, l: int, i=nt.i, j=nt.j, *, padded: bool = False) -> sp.Expr:
        """Target of channel ``l`` at ``(i, j)``; in padded coordinates ``X̄_{γ,p+P,q+P}``."""
        if isinstance(l, bool) or not isinstance(l, int) or not 1 <= l <= len(self.targets):
            raise ParameterError("l", l, f"must be a channel number from 1 to "
                                         f"{len(self.targets)}")
        i, j = indices(("i", i), ("j", j))
        expr = self.targets[l - 1]
        if (i, j) != (nt.i, nt.j):  # at the generic position the target is itself
            expr = expr.xreplace({nt.i: i, nt.j: j})
        if not padded:
            return expr
        p_rows, p_cols = self.layer.padding
        return expr.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == nt.X,
            lambda e: nt.Xbar[e.indices[0], e.indices[1] + p_rows, e.indices[2] + p_cols])

    def evaluate_target(self, x):
        """The targets on a concrete input ``x`` (C_in, H, W), X read as 0 outside its range:
        shape (C_out, H_out, W_out), vectorised (the row/column index formulas lambdified)."""
        import numpy as np

        self._require()
        numbers = [t.coefficient for taps in self.taps for t in taps] + list(self.biases)
        if any(not value.is_number for value in numbers):
            raise EvaluationError("the targets have symbolic coefficients: substitute numbers "
                                  "before evaluating them")
        positions = [index for taps in self.taps for t in taps for index in t.entry.indices]
        if any(not index.free_symbols <= {nt.i, nt.j} for index in positions):
            raise EvaluationError("the targets' indices use symbols other than i and j: "
                                  "substitute numbers before evaluating them")
        x = as_array("x", x, (3,))
        height, width = x.shape[-2:]
        out_h, out_w = self.layer.output_shape(*x.shape)[-2:]
        out = np.zeros((len(self.targets), out_h, out_w), dtype=np.result_type(x, float))
        for channel, taps in enumerate(self.taps):
            out[channel] += float(self.biases[channel])
            for tap in taps:
                gamma, p, q = tap.entry.indices
                rows, cols = _positions(p - 1, nt.i, out_h), _positions(q - 1, nt.j, out_w)
                inside = ((rows >= 0) & (rows < height))[:, None] & \
                    ((cols >= 0) & (cols < width))[None, :]
                values = x[int(gamma) - 1][np.clip(rows, 0, height - 1)[:, None],
                                           np.clip(cols, 0, width - 1)[None, :]]
                out[channel] += float(tap.coefficient) * np.where(inside, values, 0)
        return out

    def _require(self):
        if not self.ok:
            raise NoSolutionError(f"no weights realise these targets: {self.reason}")


_FOUND = Outcome(Status.GIVEN, "tap matching", "weights read off the targets, not yet proved "
                 "(synthesis_proof proves that they realise them)")


@lru_cache(maxsize=256)
def _positions(index: sp.Expr, own: sp.Symbol, n: int):
    """0-based ``index`` at ``own = 1 … n``: read off when affine with integer coefficients
    (a stencil's ``i + c``), else by lambdify (cached: compiling costs milliseconds)."""
    import numpy as np

    step = index.diff(own)
    offset = index - step * own
    if step.is_Integer and offset.is_Integer:
        return int(offset) + int(step) * np.arange(1, n + 1, dtype=np.int64)
    values = numpy_function(own, index)(np.arange(1, n + 1))
    return np.broadcast_to(np.asarray(values, dtype=np.int64), (n,))


def synthesize(layer: Conv2d, targets: Sequence[sp.Expr],
               input_size: tuple[object, object] | None = None) -> Synthesis:
    """Weights and bias of ``layer`` realising ``targets[l-1]`` as output channel ``l``.

    Each target is a linear expression in entries ``X[γ, p, q]`` whose indices are affine in
    the output position ``i, j`` (``notation.i``, ``notation.j``), plus an optional constant.
    ``input_size`` (default: symbols H, W) is used to state where the window meets the padding.
    """
    if not isinstance(layer, Conv2d):
        raise ParameterError("layer", layer, "must be a Conv2d")
    if layer.groups != 1:  # a tap's channel would then depend on the output channel's group
        raise ParameterError("layer", layer, "must have groups=1: synthesis reads every input "
                             "channel from every output channel")
    if isinstance(targets, (str, bytes, sp.Basic)) or not isinstance(targets, Sequence):
        raise ParameterError("targets", targets, "must be a list of SymPy expressions in X, "
                                                 "one per output channel")
    targets = tuple(targets)
    out_channels = layer.out_channels
    if not (out_channels.is_Integer and len(targets) == int(out_channels)):
        raise ShapeError(f"need one target per output channel: the layer has {out_channels}, "
                         f"got {len(targets)} targets")
    size = (nt.H, nt.W) if input_size is None else size_pair("input_size", input_size)
    all_taps, biases, conditions = [], [], []
    memo: dict = {}  # many entries share a channel or an index: each is solved once
    for channel, target in enumerate(targets, 1):
        terms, constant = _linear_terms(target, channel, memo)
        taps = []
        for coefficient, entry in terms:
            tap, why, needs = _match(layer, entry, memo)
            if why:
                return Synthesis(layer, targets, reason=f"channel {channel}: {why}",
                                 failed=channel)
            conditions.extend(needs)
            taps.append(Tap(coefficient, entry, *tap))
        if constant != 0 and not layer.bias:
            return Synthesis(layer, targets, reason=(
                f"channel {channel}: the target has the constant term {constant}, "
                "but the layer has no bias"), failed=channel)
        all_taps.append(tuple(taps))
        biases.append(constant)
    found = Synthesis(layer, targets, tuple(all_taps), tuple(biases), "",
                      tuple(dict.fromkeys(conditions)), size)
    found.boundary = _boundary(found)
    return found


_LINEAR = ("must be linear in X: a linear combination Σ c·X[γ, p, q] + c_0 of input entries "
           "X[γ, p, q] with offsets such as X[1, i + 1, j] (a convolution is a linear map plus "
           "a bias)")


def _linear_terms(target: sp.Expr, channel: int, memo: dict
                  ) -> tuple[list[tuple[sp.Expr, sp.Indexed]], sp.Expr]:
    """``target`` as ``[(c_t, X_t)], c_0``; an error naming the offending part unless it is
    linear in ``X`` with position-independent, finite coefficients. ``memo`` keeps each
    entry's sort key once its indices were checked (targets share most of their entries)."""
    name = f"targets[{channel - 1}]"
    if not isinstance(target, sp.Expr):
        raise ParameterError(name, target, "must be a SymPy expression in X")
    check_expression(target, name)  # before expand() or a Sum's doit() could explode
    # A Sum over a concrete range is written out (the check above bounds its terms).
    flat = _expanded_stencil(target)
    expanded = target if flat else sp.expand(target.replace(
        lambda e: isinstance(e, sp.Sum) and all(len(lim) == 3 and lim[1].is_Integer
                                                and lim[2].is_Integer for lim in e.limits),
        lambda e: e.doit()))
    collected: dict[sp.Indexed, sp.Expr] = {}
    constant = sp.S.Zero
    for term in sp.Add.make_args(expanded):
        factors = sp.Mul.make_args(term)
        entries = [f for f in factors if isinstance(f, sp.Indexed) and f.base == nt.X]
        if len(entries) > 1:
            raise ParameterError(name, target, f"{_LINEAR}; its term {term} multiplies entries")
        coefficient = sp.Mul(*(f for f in factors if not (isinstance(f, sp.Indexed)
                                                          and f.base == nt.X)))
        if coefficient.has(nt.X):
            part = next(f for f in factors if f.has(nt.X) and not isinstance(f, sp.Indexed))
            raise ParameterError(name, target, f"{_LINEAR}; its part {part} is not")
        if not coefficient.is_Rational:  # a rational number is a valid weight as it is
            _check_coefficient(name, target, coefficient)
        if entries:
            collected[entries[0]] = collected.get(entries[0], sp.S.Zero) + coefficient
        else:
            constant += coefficient
    # (a flat stencil has only numbers, symbols and entries: no function to look for)
    undefined = [] if flat else sorted(expanded.atoms(sp.core.function.AppliedUndef), key=str)
    if undefined:  # numbers (the checks, evaluate_target) could never be computed
        raise ParameterError(name, target, f"must not use undefined functions such as "
                             f"{undefined[0]}: coefficients and indices are numbers or symbols")
    ordered = []  # (the entry as printed: the order of the taps, coefficient, entry)
    for entry, coefficient in collected.items():
        if coefficient != 0:
            shown = memo.get(("entry", entry))
            if shown is None:
                _check_entry(name, target, entry)
                shown = memo["entry", entry] = str(entry)
            ordered.append((shown, coefficient, entry))
    ordered.sort(key=itemgetter(0))
    return [(coefficient, entry) for _, coefficient, entry in ordered], constant


def _expanded_stencil(target: sp.Expr) -> bool:
    """Whether ``target`` is already a sum of rational multiples of entries with expanded
    affine indices (then ``expand`` would return it unchanged, at a cost per term)."""
    def flat(index):  # i, 3, i + 3, 2*i − 1: nothing left to expand
        return all(t.is_Integer or t.is_Symbol or (t.is_Mul and len(t.args) == 2
                                                     and t.args[0].is_Integer
                                                     and t.args[1].is_Symbol)
                   for t in sp.Add.make_args(index))

    for term in sp.Add.make_args(target):
        number, rest = term.as_coeff_Mul()
        if not (number.is_Rational and (rest == 1 or (
                isinstance(rest, sp.Indexed) and all(map(flat, rest.indices))))):
            return False
    return True


def _check_entry(name: str, target: sp.Expr, entry: sp.Indexed) -> None:
    """An entry ``X[γ, p, q]`` with finite integer-valued indices, else an error."""
    if len(entry.indices) != 3:
        raise ParameterError(name, target, "must index X as X[γ, p, q] (channel, row, column)")
    for index in entry.indices:
        if index.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or index.is_real is False \
                or index.has(sp.Indexed):
            raise ParameterError(name, target, f"must index X with finite integer "
                                 f"expressions in i and j; {entry} does not")


def _check_coefficient(name: str, target: sp.Expr, coefficient: sp.Expr) -> None:
    """A weight or bias: finite, real, the same at every position, free of other arrays."""
    others = sorted((e for e in coefficient.atoms(sp.Indexed)), key=str)
    if others or coefficient.has(nt.Xbar):
        shown = others[0] if others else nt.Xbar
        raise ParameterError(name, target, f"must read only the input X (as X[γ, p, q]); it "
                             f"reads {shown}, which is not an entry of X")
    if coefficient.has(nt.i, nt.j):
        raise ParameterError(
            name, target, "must have coefficients that do not depend on the position (i, j): a "
            f"convolution shares its weights across positions (coefficient {coefficient})")
    if coefficient.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or coefficient.is_real is False:
        raise ParameterError(name, target, f"must have finite real coefficients, not "
                             f"{coefficient}")


def _match(layer: Conv2d, entry: sp.Indexed, memo: dict):
    """The tap ``(γ, α, β)`` reading ``entry`` at every position, else why none does.

    ``memo`` keeps the verdict on each channel and on each (axis, index) already solved: a
    dense target reads thousands of entries but only a few distinct rows and columns."""
    gamma, p, q = entry.indices
    why = memo.get(("channel", gamma))
    if why is None:
        why = memo["channel", gamma] = _channel_problem(layer, gamma)
    if why:
        return None, f"{entry}: {why}", ()
    taps, needs = [], []
    for axis, index in ((0, p), (1, q)):
        solved = memo.get((axis, index))
        if solved is None:
            solved = memo[axis, index] = _axis_tap(layer, axis, index)
        tap, why, need = solved
        if why:
            return None, f"{entry}: {why}", ()
        taps.append(tap)
        needs.extend(need)
    return (gamma, *taps), "", tuple(needs)


def _channel_problem(layer: Conv2d, gamma: sp.Expr) -> str:
    """Why ``γ`` is no input channel of ``layer`` ("" when it is one)."""
    if gamma.has(nt.i, nt.j) or not (gamma.is_integer and gamma.is_positive):
        return "the channel index must be a fixed positive integer"
    if holds(sp.Gt(gamma, layer.in_channels)):
        return f"channel {gamma} exceeds C_in = {layer.in_channels}"
    return ""


def _axis_tap(layer: Conv2d, axis: int, index: sp.Expr):
    """``(tap, why, conditions)``: the kernel tap along ``axis`` that reads ``index`` at every
    output position, or why none does."""
    window = layer.window
    own, other = (nt.i, nt.j) if axis == 0 else (nt.j, nt.i)
    kernel = window.kernel_size[axis]
    name = nt.greek("alpha" if axis == 0 else "beta", "text")
    if index.has(other):
        return None, (f"its {'row' if axis == 0 else 'column'} index depends on {other}, "
                      "which a 2-D window cannot do"), ()
    tap = _solve_tap(window, axis, index, own)
    if tap.has(own):
        return None, (f"the tap {name} = {tap} would have to change with {own}: the stencil "
                      f"moves by {sp.diff(index, own)} per output step but the window by "
                      f"S = {window.stride[axis]}"), ()
    if tap.is_integer is not True:  # (S + 1)/S under a dilation S: an integer only for S = 1
        return None, (f"needs {name} = {tap}, not an integer (dilation "
                      f"{window.dilation[axis]} skips that entry)"
                      + ("" if tap.is_number else " for some values of its symbols")), ()
    needs = []
    for bound in (sp.Ge(tap, 1), sp.Le(tap, kernel)):
        if bound in (False, sp.false):
            return None, (f"needs {name} = {tap}, outside 1…{kernel}: the stencil reaches "
                          f"outside the {_kernel_text(layer)} window"), ()
        if bound not in (True, sp.true):
            needs.append(bound)
    return tap, "", tuple(needs)


def _solve_tap(window, axis: int, index: sp.Expr, own: sp.Symbol) -> sp.Expr:
    """The tap solving ``index = S(own − 1) + D(tap − 1) + 1 − P``.

    When the window is concrete and ``index`` is ``S·own + c`` with an integer ``c`` (read off
    its terms, exactly), the tap is the number ``(c + S − 1 + P)/D + 1``: what ``simplify``
    returns, without its cost. Anything else (symbolic sizes, another slope) is simplified."""
    s, p, d = window.stride[axis], window.padding[axis], window.dilation[axis]
    parts = index.as_coefficients_dict()  # index = Σ value·key, exactly
    offset = parts.get(sp.S.One, sp.S.Zero)
    if (all(v.is_Integer for v in (s, p, d)) and set(parts) <= {own, sp.S.One}
            and parts.get(own) == s and offset.is_Integer):
        return sp.Rational(offset + s - 1 + p, d) + 1
    return sp.simplify((index - window.index(axis, own, 1)) / d + 1)


def _kernel_text(layer: Conv2d) -> str:
    f1, f2 = layer.kernel_size
    padding = layer.padding[0] if layer.padding[0] == layer.padding[1] else layer.padding
    return f"{f1}×{f2} (padding {padding})"


@dataclass(frozen=True)
class Boundary:
    """Where the target term ``entry`` of channel ``channel`` lies in the zero padding
    (``where``, a relation on ``i`` or ``j``), and what the channel computes there: ``rest``,
    the target without that term (its other entries still read 0 outside their range).

    ``rest`` is written when first asked for: a dense target has a boundary per term, and
    writing every one out up front would cost the square of its size."""

    channel: int
    entry: sp.Indexed
    where: sp.Basic
    target: sp.Expr = field(repr=False, compare=False)

    @cached_property
    def rest(self) -> sp.Expr:
        """The target with ``entry`` set to 0."""
        return self.target.xreplace({self.entry: sp.S.Zero})

    def __str__(self) -> str:
        return self.said().text()

    def said(self) -> Prose:
        """The boundary case as a sentence with its formulas."""
        return Prose("where ", self.where, ", ", self.entry, " lies in the zero padding, so ",
                     sp.Eq(nt.Y[self.channel, nt.i, nt.j], self.rest, evaluate=False))


def _boundary(found: Synthesis) -> list[Boundary]:
    """Where a target term reads the zero padding, and what the channel computes there
    (each distinct row or column index is examined once, see :func:`_padding_ends`)."""

    height, width = found.input_size
    out_h, out_w = found.layer.window.output_size(height, width)
    axes = ((nt.i, height, out_h, Context([sp.Le(nt.i, out_h)])),
            (nt.j, width, out_w, Context([sp.Le(nt.j, out_w)])))
    ends: dict = {}
    statements = []
    for channel, taps in enumerate(found.taps, 1):
        target = found.target(channel)
        for tap in taps:
            for index, (own, size, last, ctx) in zip(tap.entry.indices[1:], axes):
                if (own, index) not in ends:
                    ends[own, index] = _padding_ends(index, own, size, last, ctx)
                statements.extend(Boundary(channel, tap.entry, where, target)
                                  for where in ends[own, index])
    return statements


def _padding_ends(index: sp.Expr, own: sp.Symbol, size: sp.Expr, last: sp.Expr,
                  ctx: Context) -> tuple[sp.Basic, ...]:
    """The positions ``own = 1 … last`` at which ``index`` lies in the zero padding.

    Output positions run over ``1 ≤ i ≤ H_out``; a term ``X_{γ, a·i + c, …}`` reads padding
    for ``a·i + c < 1``, i.e. ``i ≤ ⌊−c/a⌋``, and for ``a·i + c > H``, i.e.
    ``i ≥ ⌈(H + 1 − c)/a⌉``.
    """
    slope, offset = sp.diff(index, own), index.xreplace({own: 0})
    low_end = sp.floor(-offset / slope)  # last position reading before row 1
    high_start = sp.ceiling((size + 1 - offset) / slope)  # first reading past H
    wheres = []
    if not ctx.implies(sp.Lt(low_end, 1)):
        wheres.append(sp.Eq(own, 1) if low_end == 1 else sp.Le(own, low_end))
    if not ctx.implies(sp.Gt(high_start, last)):
        wheres.append(sp.Eq(own, last) if sp.simplify(high_start - last) == 0 else
                      sp.Ge(own, high_start))
    return tuple(wheres)
