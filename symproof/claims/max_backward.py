"""Claims about ``∂L/∂X`` through max pooling, judged (``%! symproof maxpool2d-backward …``).

Max pooling routes each window's upstream gradient ``G_{l,i,j}`` to the entry where the window's
maximum is attained (CS231n's "max gate routes the gradient"; Goodfellow et al. §9.3), so the
gradient depends on the values of ``X``. What is judged, and how:

* a concrete layer (every size a number): the claim, read as written (an indicator of the
  arg-max ``\\mathbb{1}[X_{l,p,q} = \\max_{…} X_{…}]``, a ``\\max``, or no ``X`` at all, which
  routes to every entry), is evaluated exactly on seeded inputs where every window's maximum
  is attained at one entry (the gradient is defined, no tie rule is used; some inputs have few
  values, equal across windows) and seeded upstream gradients, at every entry the claim's free
  indices name, against
  :func:`~symproof.backprop.pool.max_pool2d_backward` (PyTorch's routing, cross-checked with
  ``torch.autograd`` in tests/test_pool_backward.py). Every input agreeing is SPOT_CHECKED (the
  claim speaks of all inputs: a finite sample proves nothing more); the first disagreement is
  REFUTED by the kernel's exact check of that input, which is shown (X, G and the entry);
* the routed form ``Σ_{i,j} G_{l,i,j} δ_{p,S(i−1)+u_{l,i,j}−P} δ_{q,…}`` with the arg-max taps
  the directive names (``argmax=u,v``), any sizes: the kernel's rule for the derivative where
  every window's maximum is attained only at its tap ``(u_{l,i,j}, v_{l,i,j})``
  (:func:`~symproof.kernel.routed_derivative`, as :func:`~symproof.backprop.pool.
  prove_max_backward` uses it), PROVED under that hypothesis, which the verdict states;
  otherwise UNKNOWN (a symbolic layer's other forms too), never refuted without values.

Inputs with ties are never drawn: at a tie the maximum is not differentiable and PyTorch's
choice (:data:`~symproof.backprop.pool.TIE_RULE`) is a convention a document may not share, so
nothing here is ever refuted on a tie.
"""

from __future__ import annotations

import itertools
import math

import sympy as sp

from .. import limits
from .. import notation as nt
from ..backprop.pool import (
    ARGMAX_COL,
    ARGMAX_ROW,
    EMPTY_WINDOW,
    TIE_RULE,
    empty_windows,
    max_pool2d_backward,
    max_pool2d_routes,
)
from ..backprop.upstream import through
from ..errors import ParameterError, ShapeError, TooLargeError
from ..kernel import Context, exhaustive, expand_sums, routed_derivative, spot_check
from ..numeric import as_array, exact_number
from ..proof import Outcome, Status
from ..reductions import MaxOver

__all__ = ["judge_max_gradient", "judge_max_example", "TIE_RULES", "DRAWS", "SEED",
           "ROUTING"]

#: How many seeded inputs (and upstream gradients) a concrete claim is evaluated on.
DRAWS = 6
#: Their seed: the same draws on every run, so that a verdict can be reproduced.
SEED = 0
#: What a verdict on max pooling says of the routing it assumes.
ROUTING = ("each window's gradient goes to the entry where its maximum is attained; inputs "
           "whose every window has one maximal entry only (no tie rule used)")


def judge_max_gradient(layer, wrt: sp.Indexed, rhs: sp.Expr, shapes: dict,
                       output: tuple, context: Context) -> Outcome:
    """The verdict on ``∂L/∂wrt = rhs`` through the max pooling ``layer``; ``shapes`` are
    the arrays' index ranges (X: (C, H, W), G: the output's), ``output`` the output's size
    and ``context`` the layer's assumptions (for the symbolic route)."""
    if rhs.has(ARGMAX_ROW) or rhs.has(ARGMAX_COL):
        return _routed(layer, wrt, rhs, output, context)
    if not all(sp.sympify(n).is_Integer for shape in shapes.values() for n in shape):
        return Outcome(Status.UNKNOWN, "max pooling", (
            "with symbolic sizes only the routed form Σ_{i,j} G_{l,i,j} δ_{p,…u_{l,i,j}…} "
            "δ_{q,…v_{l,i,j}…} is judged (u, v the arg-max taps, named by argmax=u,v in the "
            "directive; the kernel's rule); give the sizes numbers to have other forms "
            "checked on inputs"))
    x_shape = tuple(int(n) for n in shapes[nt.X])
    g_shape = tuple(int(n) for n in shapes[nt.G])
    if empty_windows(layer, x_shape):
        return Outcome(Status.UNKNOWN, "max pooling", EMPTY_WINDOW)
    cases = _cases(wrt, x_shape)
    if cases is None:
        return Outcome(Status.UNKNOWN, "max pooling", f"the indices of {wrt} are not plain "
                       "names or numbers in range, so the entries it names are not read")
    written = sp.expand(expand_sums(rhs))
    # each case of each draw evaluates the written sum once
    cost = len(cases) * max(1, sp.count_ops(written)) * DRAWS
    try:
        limits.check("check_entries", "the exact check of max pooling's gradient", cost)
    except TooLargeError as error:
        return Outcome(Status.UNKNOWN, "max pooling", f"not run: {error}")
    claim = _Claim(written, wrt, cases, x_shape, g_shape)
    draws = _draws(layer, x_shape, g_shape)
    description = (f"∂L/∂{wrt.base} through {layer!r} on {DRAWS} seeded inputs (seed {SEED}) "
                   f"of shape {x_shape}: {ROUTING}")
    unread = next((why for x, g in draws for why in [claim.unread(x, g)] if why), "")
    if unread:
        return Outcome(Status.UNKNOWN, "max pooling", unread)
    # the draws above, handed out in their order (spot_check's own generator is not used)
    handed = iter(draws)
    sampled = spot_check(lambda _rng: next(handed),
                         lambda x, g: (_true(layer, x, g, wrt, cases), claim.floats(x, g)),
                         samples=DRAWS, seed=SEED, tolerance=0.0, description=description)
    if sampled.status is not Status.REFUTED:
        return sampled
    x, g = draws[int(sampled.counterexample["draw"])]
    exact = _exactly(layer, x, g, wrt, claim)
    if exact.status is Status.REFUTED:
        return exact
    # one input agreeing exactly says nothing of the others: never VERIFIED from here
    return Outcome(Status.UNKNOWN, "max pooling", "the numbers disagreed at one input, but "
                   f"not exactly: {exact.detail}")


#: The tie rules an example may declare: PyTorch's (:data:`~symproof.backprop.pool.TIE_RULE`).
TIE_RULES = ("pytorch",)


def judge_max_example(layer, x: object, grad_output: object, claimed: object,
                      tie_rule: str | None = None) -> Outcome:
    """A concrete example: ``claimed`` as ``∂L/∂X`` at the input ``x`` with upstream gradient
    ``grad_output`` (arrays of shape (C, H, W) and the output's; exact numbers), checked
    entry by entry by the kernel against the routing (:func:`max_pool2d_backward`): VERIFIED
    or REFUTED. Where a window's maximum is tied the gradient is a convention: the example is
    judged only under a declared ``tie_rule`` (``"pytorch"``, stated in the verdict), else
    UNKNOWN, never REFUTED on a tie."""
    import numpy as np

    if tie_rule is not None and tie_rule not in TIE_RULES:
        raise ParameterError("tie_rule", tie_rule, f"must be one of {', '.join(TIE_RULES)} "
                                                   "or None")
    values = as_array("x", x, (3,), real=True)
    shape = tuple(int(n) for n in values.shape)
    limits.check("check_entries", "the exact check of a max-pooling example",
                 math.prod(shape) * math.prod(layer.window.kernel_size))
    if empty_windows(layer, shape):
        return Outcome(Status.UNKNOWN, "max pooling", EMPTY_WINDOW)
    wanted = as_array("claimed", claimed, (3,), real=True)
    if wanted.shape != values.shape:
        raise ShapeError(f"claimed must have the input's shape {shape}, got {wanted.shape}")
    upstream = as_array("grad_output", grad_output, (3,), real=True)
    for name, given in (("grad_output", upstream), ("claimed", wanted)):
        _finite(name, given)
    rule = ROUTING.replace("; inputs whose every window has one maximal entry only (no tie "
                           "rule used)", "")
    if _tied(layer, values.astype(np.float64)):
        if tie_rule is None:
            return Outcome(Status.UNKNOWN, "max pooling", (
                "a window's maximum is attained at two entries of this input (or is NaN): the "
                "gradient there is a convention, and the example does not say which (PyTorch's: "
                f"{TIE_RULE}); not judged"))
        rule += f"; at a tie, PyTorch's rule: {TIE_RULE}"
    grad = max_pool2d_backward(layer, values.astype(np.float64), upstream)
    entry = nt.X[nt.l, nt.index_symbol("p"), nt.index_symbol("q")]

    def check(case: dict) -> tuple[sp.Expr, sp.Expr]:
        return (exact_number(_value_at(grad, entry, case)),
                exact_number(_value_at(wanted, entry, case)))

    return exhaustive(check, _cases(entry, shape), f"every entry of ∂L/∂X through {layer!r} "
                                                   f"at the given input and upstream gradient "
                                                   f"({rule})")


def _finite(name: str, values) -> None:
    """Refuse an infinite or NaN entry of a gradient: it has no exact value to compare."""
    import numpy as np

    if values.dtype.kind == "f" and not np.isfinite(values).all():
        at = tuple(int(n) for n in np.argwhere(~np.isfinite(values))[0])
        raise ParameterError(name, values[at], f"must hold finite numbers (entry {at} is not)")


def _cases(wrt: sp.Indexed, x_shape: tuple) -> list[dict] | None:
    """Every assignment of the entry's free indices within X's ranges (None when an index is
    neither a plain name nor a number in range)."""
    ranges = {}
    for index, size in zip(wrt.indices, x_shape):
        if isinstance(index, sp.Symbol):
            if index in ranges:
                return None  # X_{l,p,p}: a diagonal, not read
            ranges[index] = range(1, size + 1)
        elif not (index.is_Integer and 1 <= index <= size):
            return None
    return [dict(zip(ranges, (sp.Integer(v) for v in point)))
            for point in itertools.product(*ranges.values())]


def _draws(layer, x_shape: tuple, g_shape: tuple) -> list[tuple]:
    """The seeded inputs and upstream gradients a claim is evaluated on."""
    import numpy as np
    rng, draw = np.random.default_rng(SEED), _Drawer(layer, x_shape, g_shape)
    return [draw(rng) for _ in range(DRAWS)]


class _Drawer:
    """The n-th input where every window's maximum is attained at one entry, and the n-th
    upstream gradient (:meth:`__call__`); n counts the calls, so that the draws, in turn,
    move X below 0 and scale it by 1000, sign G and scale it by 100: a claim that reads
    [X > 0], [X < 20], |G| or min(G, 10) is not taken for the gradient."""

    def __init__(self, layer, x_shape: tuple, g_shape: tuple):
        self.layer, self.x_shape, self.g_shape, self.count = layer, x_shape, g_shape, 0

    def __call__(self, rng) -> tuple:
        n, self.count = self.count, self.count + 1
        x, g = _draw(self.layer, rng, self.x_shape, self.g_shape)
        if n % 3:
            g = g * rng.choice((-1, 1), size=self.g_shape)
        x = x * (1000 if n % 2 else 1)
        # a shift and a positive scale keep every arg-max (and every tie-free window)
        shift = (0, -int(x.max()) - 1, int(rng.integers(-x.max(), x.max() + 1)))[n % 3]
        return x + shift, g * (100 if n in (2, 4) else 1)


def _draw(layer, rng, x_shape: tuple, g_shape: tuple) -> tuple:
    """An input where every window's maximum is attained at one entry, and an upstream
    gradient of integers 1 … 9 (never 0, so a gradient routed to a wrong entry shows). Every
    other input has few values (1 … 3, drawn again until no window's maximum is tied): equal
    values in different windows catch a claim that compares X_{p,q} with the maximum of a
    window that does not hold it; the others are 1 … N in a random order."""
    g = rng.integers(1, 10, size=g_shape)
    if rng.integers(2):
        for _ in range(_ATTEMPTS):
            x = rng.integers(1, 4, size=x_shape)
            if not _tied(layer, x):
                return x, g
    return (rng.permutation(math.prod(x_shape)) + 1).reshape(x_shape), g


#: How many few-valued inputs are drawn before falling back to distinct entries.
_ATTEMPTS = 20


def _tied(layer, x) -> bool:
    """Whether some window of ``layer`` attains its maximum at two entries of ``x``, or reads
    a NaN (its maximum is NaN, and where the gradient goes is PyTorch's convention too: the
    last NaN, :data:`~symproof.backprop.pool.TIE_RULE`)."""
    import numpy as np
    _, plan = max_pool2d_routes(layer, x.astype(np.float64))
    columns = plan.columns(plan.padded(x.astype(np.float64), -np.inf))
    if np.isnan(columns).any():
        return True
    top = columns.max(axis=-3, keepdims=True)
    return bool(((columns == top).sum(axis=-3) > 1).any())


def _true(layer, x, g, wrt: sp.Indexed, cases: list[dict]):
    """``∂L/∂X`` at the entries the cases name, by PyTorch's routing, exactly."""
    import numpy as np
    grad = max_pool2d_backward(layer, x.astype(np.float64), g.astype(object))
    return np.array([float(_value_at(grad, wrt, case)) for case in cases])


def _value_at(grad, wrt: sp.Indexed, case: dict):
    return grad[tuple(int(i.xreplace(case)) - 1 for i in wrt.indices)]


class _Claim:
    """The claim's right side at every case, prepared once (indices given, every window's
    maximum written out over its taps), and its values at an input and upstream gradient:
    entries of G outside its range are 0 (the padding rule), of X outside its range −∞ (max
    pooling's padding)."""

    def __init__(self, written: sp.Expr, wrt: sp.Indexed, cases: list[dict], x_shape: tuple,
                 g_shape: tuple):
        self.wrt, self.cases, self.shapes = wrt, cases, {nt.X: x_shape, nt.G: g_shape}
        self.prepared = [written.xreplace(case).replace(
            lambda e: isinstance(e, MaxOver), lambda e: e.doit()) for case in cases]
        self.entries = {e for expr in self.prepared for e in expr.atoms(sp.Indexed)
                        if e.base in self.shapes}
        self.found: dict = {}

    def at(self, x, g) -> list[sp.Expr]:
        """The exact values at every case (an entry that is not a number stays a symbol)."""
        arrays = {nt.X: (x, sp.S.NegativeInfinity), nt.G: (g, sp.S.Zero)}
        given = {}
        for e in self.entries:
            shape, (values, outside) = self.shapes[e.base], arrays[e.base]
            if len(e.indices) != len(shape) or not all(i.is_Integer for i in e.indices):
                continue
            if any(not 1 <= i <= n for i, n in zip(e.indices, shape)):
                given[e] = outside
            else:
                given[e] = sp.Integer(int(values[tuple(int(i) - 1 for i in e.indices)]))
        return [expr.xreplace(given) for expr in self.prepared]

    def unread(self, x, g) -> str:
        """Why the values at this input are not numbers, or "" (and they are kept)."""
        values = self.at(x, g)
        for case, value in zip(self.cases, values):
            if not value.is_Rational:
                return (f"at {self.wrt.xreplace(case)} the right side is {value}, not a "
                        "number, for an input whose windows have one maximum each: the "
                        "claim is not read as a gradient")
        self.found[_key(x, g)] = values
        return ""

    def floats(self, x, g):
        """The values kept for this input (:meth:`unread` ran on it), as floats."""
        import numpy as np

        return np.array([float(v) for v in self.found[_key(x, g)]])


def _key(x, g) -> bytes:
    return x.tobytes() + b"|" + g.tobytes()


def _exactly(layer, x, g, wrt: sp.Indexed, claim: _Claim) -> Outcome:
    """The kernel's exact check at one input, every entry: REFUTED with the input shown."""
    import numpy as np

    grad = max_pool2d_backward(layer, x.astype(np.float64), g.astype(object))
    shown = {"X": _matrix(x), "G": _matrix(g)}
    values = claim.at(x, g)
    names = tuple(claim.cases[0])  # the entry's free indices (every case names the same)
    position = {tuple(case.values()): n for n, case in enumerate(claim.cases)}

    def check(case: dict) -> tuple[sp.Expr, sp.Expr]:
        n = position[tuple(case[name] for name in names)]
        return sp.Integer(int(_value_at(grad, wrt, claim.cases[n]))), values[n]

    return exhaustive(check, ({**case, **shown} for case in claim.cases),
                      f"∂L/∂{wrt.base} of {layer!r} at the input X and upstream gradient G "
                      f"shown ({ROUTING})")


def _matrix(values) -> sp.Basic:
    """An array as SymPy shows it: a matrix per channel (one channel: the matrix)."""
    planes = [sp.ImmutableMatrix(plane.tolist()) for plane in values]
    return planes[0] if len(planes) == 1 else sp.Tuple(*planes)


def _routed(layer, wrt: sp.Indexed, rhs: sp.Expr, output: tuple, context: Context
            ) -> Outcome:
    """The routed form (the arg-max taps u, v): the kernel's rule for a window maximum
    attained at one tap (:func:`~symproof.kernel.routed_derivative`), PROVED under that
    hypothesis, which its detail states; anything else UNKNOWN (a counterexample would need
    values of u and v that are the arg-max of some input: not searched)."""
    argmax = {nt.alpha: ARGMAX_ROW[nt.l, nt.i, nt.j], nt.beta: ARGMAX_COL[nt.l, nt.i, nt.j]}
    outcome = routed_derivative(through(layer, output_size=output), wrt, rhs, argmax, context)
    if outcome.status is Status.PROVED:
        return outcome
    return Outcome(Status.UNKNOWN, outcome.tactic, outcome.detail)
