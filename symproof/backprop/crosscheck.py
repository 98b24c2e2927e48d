"""Cross-checks of the Jacobian formulas of :mod:`symproof.backprop.formulas` by independent
means, each decided by the kernel:

* :func:`verify_exact` — VERIFIED or REFUTED: on concrete small widths, every entry of the six
  formulas against ``sympy.diff`` of the explicit network, exactly, with a generic σ;
* :func:`finite_differences` — central differences of the network's output, an independent
  numeric reference;
* :func:`numeric_check` — SPOT_CHECKED: the formulas' numbers (:func:`~.numeric.jacobian`)
  against central differences, or against ``torch.autograd`` (PyTorch, imported only then).

They live apart from the formulas because they are the evidence *about* them: nothing here is
used to compute a Jacobian. NumPy and torch are imported on first use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy as sp

from ..calculus import differentiable, prime
from ..crosscheck import torch_module
from ..errors import ParameterError
from ..kernel import exhaustive, spot_check
from ..layers import MLP
from ..limits import check
from ..numeric import check_size
from ..params import as_size
from .arguments import Wrt, arrays, resolve
from .formulas import activation_name
from .losses import LOSS_NAMES, LOSSES, loss_value
from .numeric import forward, jacobians

__all__ = ["verify_exact", "finite_differences", "numeric_check", "verify_loss_exact",
           "loss_check"]


def _exact_instance(widths: Sequence[int], activation: str, *, depth: int, one_output: bool
                    ) -> tuple[list[int], type, sp.core.function.UndefinedFunction]:
    """The widths of an exact check as numbers (``n_0, …, n_L``, L ≥ ``depth``, and n_L = 1
    with ``one_output``), refused otherwise, and within the size limit (every entry of every
    weight matrix is a symbol differentiated on its own); σ and σ' of the activation."""
    rule = f"must be n_0, …, n_L (numbers) with L ≥ {depth}" + (", n_L = 1" if one_output
                                                                else "")
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise ParameterError("widths", widths, rule)
    sizes = [as_size(f"widths[{k}]", w) for k, w in enumerate(widths)]
    if any(not w.is_Integer for w in sizes) or len(sizes) < depth + 1 or (
            one_output and sizes[-1] != 1):
        raise ParameterError("widths", tuple(widths), rule)
    widths = [int(w) for w in sizes]
    activation = activation_name(activation)
    check("expanded_terms", "the exact check (entries of the weight matrices)",
          sum(a * b for a, b in zip(widths, widths[1:])))
    return widths, differentiable(activation), prime(activation)


def _layer_symbols(widths: list[int], number: int, **assumptions) -> tuple[sp.Matrix, sp.Matrix]:
    """``A_number`` (n_number × n_{number−1}) and ``b_number`` as matrices of symbols, one
    per entry (``A2_1,3``, ``b2_1``)."""
    a = sp.Matrix(widths[number], widths[number - 1],
                  lambda r, c: sp.Symbol(f"A{number}_{r + 1},{c + 1}", **assumptions))
    b = sp.Matrix(sp.symbols(f"b{number}_1:{widths[number] + 1}", **assumptions))
    return a, b


def verify_exact(widths: Sequence[int], activation: str = "sigma"):
    """VERIFIED / REFUTED: every entry of the six formulas on concrete widths, exactly, with a
    generic σ. Each layer's explicit map is differentiated by ``sympy.diff`` entry by entry (in
    fresh symbols for its input), and the chain rule composes the layers; the formulas are
    evaluated on the same explicit matrices and compared entry by entry."""
    widths, sigma, sigma_p = _exact_instance(widths, activation, depth=2, one_output=True)
    depth = len(widths) - 1
    ys = [sp.Matrix(sp.symbols(f"u0_1:{widths[0] + 1}"))]
    As, bs, zs, local = [], [], [], []
    for number in range(1, depth + 1):
        a, b = _layer_symbols(widths, number)
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        z = a * inputs + b
        y = z if number == depth else z.applyfunc(sigma)
        As.append(a), bs.append(b), zs.append(z), ys.append(y)
        local.append(y)
    pairs: dict[tuple[str, int], tuple[sp.Expr, sp.Expr]] = {}

    def compare(label, derived, formula):
        for number, (d, f) in enumerate(zip(derived, formula), 1):
            pairs[label, number] = (d, f)

    # Local Jacobians by sympy.diff, entry by entry.
    jac_in, jac_b = [], []
    for number in range(1, depth + 1):
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        jac_in.append(local[number - 1].jacobian(inputs))
        jac_b.append(local[number - 1].jacobian(bs[number - 1]))
        if number < depth:
            d = sp.diag(*zs[number - 1].applyfunc(sigma_p))
            compare(f"∂y_{number}/∂b_{number}", jac_b[-1], d)
            compare(f"∂y_{number}/∂y_{number - 1}", jac_in[-1], d * As[number - 1])
        else:
            compare("∂y_L/∂b_L", jac_b[-1], sp.eye(1))
            compare("∂y_L/∂y_L-1", jac_in[-1], As[-1])
    # ∂y_L/∂y_ℓ by the chain rule of the local Jacobians, then ∂y_L/∂A_ℓ entry by entry.
    upstream = {depth: sp.eye(1)}
    for number in range(depth, 0, -1):
        upstream[number - 1] = upstream[number] * jac_in[number - 1]
    for number in range(1, depth + 1):
        a = As[number - 1]
        inputs = sp.Matrix(sp.symbols(f"u{number - 1}_1:{widths[number - 1] + 1}"))
        grad, y_local = upstream[number], local[number - 1]
        # Σ_p [∂y_L/∂y_ℓ]_p ∂[y_ℓ]_p/∂[A_ℓ]_{r,c}, every p; an entry without [A_ℓ]_{r,c}
        # among its symbols has derivative 0, which needs no call to diff.
        free = [y.free_symbols for y in y_local]
        derived = sp.Matrix(a.rows, a.cols, lambda r, c, a=a, g=grad, y=y_local, f=free: sp.Add(
            *(g[0, q] * y[q].diff(a[r, c]) for q in range(len(y)) if a[r, c] in f[q])))
        if number == depth:
            formula = inputs.T
        else:
            d = sp.diag(*zs[number - 1].applyfunc(sigma_p))
            formula = d * upstream[number].T * inputs.T
        compare(f"∂y_L/∂A_{number}", derived, formula)
    widths_text = ", ".join(map(str, widths))
    # The kernel compares every entry (identical ones cost nothing to expand).
    return exhaustive(lambda case: pairs[case["formula"], case["entry"]],
                      ({"formula": label, "entry": number} for label, number in pairs),
                      f"widths ({widths_text}), generic σ, every entry")


def _outputs_after(mlp, weights, biases, number: int, z):
    """y_L for a batch of pre-activations ``z`` of layer ``number`` (rows: batch)."""
    y = z if number == mlp.depth else mlp.activation.evaluate(z)
    for layer in range(number + 1, mlp.depth + 1):
        z = y @ weights[layer - 1].T + biases[layer - 1]
        y = z if layer == mlp.depth else mlp.activation.evaluate(z)
    return y[:, 0]


#: The step of the central differences.
STEP = 1e-6


def finite_differences(mlp, wrt, values=None, h: float = STEP, *, x=None, weights=None,
                       biases=None):
    """Central differences of the scalar output with respect to ``"x"``, ``("A", ℓ)`` or
    ``("b", ℓ)`` (see :class:`~symproof.backprop.arguments.Wrt`), at the numbers ``x``,
    ``weights=[A_1, …, A_L]``, ``biases=[b_1, …, b_L]``; shaped like :func:`jacobian`
    (numerator layout). All perturbations of one parameter run as one batch: a change of
    ``[A_ℓ]_{r,c}`` by h moves ``[z_ℓ]_r`` by ``h·[y_{ℓ−1}]_c``. The deprecated form
    (``wrt="A_1"``, one dict ``values``) still works and warns.

    >>> from symproof import MLP
    >>> grad = finite_differences(MLP((2, 1), "tanh"), ("A", 1), x=[1.0, 2.0],
    ...                           weights=[[[3.0, 4.0]]], biases=[[0.5]])
    >>> grad.round(6)
    array([[1., 2.]])
    """

    if not isinstance(mlp, MLP):
        raise ParameterError("mlp", mlp, "must be an MLP")
    wrt, x, weights, biases = resolve("finite_differences", mlp, wrt, values, x, weights,
                                      biases)
    kind, number = wrt.kind, wrt.layer
    if kind == "y" and number != 0:
        raise ParameterError("wrt", (kind, number), "must be 'x', ('A', ℓ) or ('b', ℓ) for "
                                                    "finite differences")
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not (math.isfinite(h) and h > 0):
        raise ParameterError("h", h, "must be a positive finite step")
    x, weights, biases = arrays(mlp, x, weights, biases)
    return _central_differences(mlp, wrt, h, weights, biases, forward(mlp, x, weights, biases))


def _central_differences(mlp, wrt, h: float, weights, biases, passes):
    """:func:`finite_differences` on validated arrays and their forward ``passes`` (ys, zs)."""
    import numpy as np

    kind, number = wrt.kind, wrt.layer
    ys, zs = passes
    if kind == "y":
        steps = np.eye(len(ys[0])) * h

        def shift(sign):
            return (ys[0] + sign * steps) @ weights[0].T + biases[0]

        number, shape = 1, (len(ys[0]),)
    else:
        rows = len(zs[number - 1])
        if kind == "b":
            steps = np.eye(rows) * h
            shape = (rows,)
        else:
            cols = len(ys[number - 1])
            check_size("the finite-difference steps", rows * cols * rows)
            steps = np.zeros((rows * cols, rows))
            steps[np.arange(rows * cols), np.repeat(np.arange(rows), cols)] = \
                h * np.tile(ys[number - 1], rows)
            shape = (rows, cols)

        def shift(sign):
            return zs[number - 1] + sign * steps

    plus = _outputs_after(mlp, weights, biases, number, shift(1))
    minus = _outputs_after(mlp, weights, biases, number, shift(-1))
    grad = ((plus - minus) / (2 * h)).reshape(shape)
    return grad if kind == "A" else grad[None, :]


def numeric_check(widths: Sequence[int], activation: str, *, samples: int, seed: int,
                  tolerance: float, use_torch: bool = False):
    """SPOT_CHECKED: the formulas' numbers (``jacobian``) against central differences, or
    against ``torch.autograd`` with ``use_torch``, for every ``x``, ``A_ℓ``, ``b_ℓ``, on
    ``samples`` random networks of these widths drawn from ``seed``.

    >>> numeric_check((3, 2, 1), "tanh", samples=2, seed=0, tolerance=1e-6).status.name
    'SPOT_CHECKED'
    """
    import numpy as np

    _check_sampling(samples, seed, tolerance)
    mlp = MLP(widths, activation)
    # vectorised NumPy work: bounded like any numeric evaluation, not like a SymPy expansion
    check_size("the numeric check (entries of the weight matrices)",
               elements=sum(int(a) * int(b) for a, b in zip(mlp.widths, mlp.widths[1:]))
               if all(w.is_Integer for w in mlp.widths) else 0)
    wrts = [Wrt("y", 0)] + [Wrt(kind, k) for k in range(1, mlp.depth + 1) for kind in "Ab"]

    def sample(rng):
        return (rng.standard_normal(widths[0]),
                [rng.standard_normal((b, a)) / np.sqrt(a) for a, b in zip(widths, widths[1:])],
                [rng.standard_normal(b) for b in widths[1:]])

    def compare(x, weights, biases):
        given = {"x": x, "weights": weights, "biases": biases}
        ours = np.concatenate([j.ravel() for j in jacobians(mlp, wrts, **given)])
        if use_torch:
            reference = _autograd(mlp, x, weights, biases, wrts)
        else:  # the arrays are the sample's own, valid by construction: validated once
            valid = arrays(mlp, x, weights, biases)
            passes = forward(mlp, *valid)
            reference = np.concatenate([_central_differences(mlp, w, STEP, *valid[1:], passes)
                                        .ravel() for w in wrts])
        return ours, reference

    reference = "torch.autograd" if use_torch else "central differences"
    return spot_check(sample, compare, samples=samples, seed=seed, tolerance=tolerance,
                      description=f"widths {tuple(widths)}, {activation}, vs {reference}")


def _autograd(mlp, x, weights, biases, wrts, *, loss=None, target=None):
    """The derivatives of y_L (or of PyTorch's own loss of y_L against ``target``) by
    ``torch.autograd`` on the same float64 numbers, with respect to each of ``wrts`` in turn,
    flattened and concatenated."""
    import numpy as np

    torch = torch_module()
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    weights = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in weights]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in biases]
    act = {"ReLU": torch.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh,
           "LeakyReLU": lambda v: torch.nn.functional.leaky_relu(
               v, float(mlp.activation.negative_slope))}[type(mlp.activation).__name__]
    y = x
    for layer, (a, b) in enumerate(zip(weights, biases), 1):
        y = a @ y + b
        if layer < mlp.depth:
            y = act(y)
    if loss is None:
        y.sum().backward()
    else:  # PyTorch's definitions: mse_loss (mean), cross_entropy with class probabilities
        t = torch.tensor(target, dtype=torch.float64)
        functional = torch.nn.functional
        value = functional.mse_loss(y, t) if loss == "mse" else functional.cross_entropy(
            y[None], t[None])
        value.backward()
    grads = {Wrt("y", 0): x.grad}
    for k, (a, b) in enumerate(zip(weights, biases), 1):
        grads[Wrt("A", k)], grads[Wrt("b", k)] = a.grad, b.grad
    return np.concatenate([grads[w].numpy().ravel() for w in wrts])


def _explicit_loss(loss: str, y: sp.Matrix) -> tuple[sp.Expr, sp.Matrix, sp.Matrix]:
    """The loss of an explicit output ``y`` (real entries) against a symbolic target, and the
    proved ``∂L/∂y`` row evaluated on it: ``(L, target, gradient)``. The cross-entropy's
    target has ``t_n = 1 − Σ_{k<n} t_k`` (``Σ t = 1`` built in, the formula's assumption)."""
    width = y.rows
    t = sp.Matrix(sp.symbols(f"t_1:{width + 1}", real=True))
    if loss == "mse":
        value = sum((y[k] - t[k]) ** 2 for k in range(width)) / width
        return value, t, (sp.Rational(2, width) * (y - t)).T
    t[width - 1] = 1 - sum(t[:width - 1])
    total = sum(sp.exp(v) for v in y)
    p = y.applyfunc(lambda v: sp.exp(v) / total)
    # log p_k = y_k − log Σ_m exp(y_m) (y real): the definition, with the log of a quotient
    # of positive numbers split, so that expand can compare exactly
    value = -sum(t[k] * (y[k] - sp.log(total)) for k in range(width))
    return value, t, (p - t).T


def verify_loss_exact(widths: Sequence[int], loss: str, activation: str = "sigma"):
    """VERIFIED / REFUTED: on concrete widths ``n_0, …, n_L`` (any n_L ≥ 1) and a scalar loss,
    every entry of ``∂L/∂A_ℓ`` and ``∂L/∂b_ℓ`` from the backward formulas of
    :mod:`~symproof.backprop.losses` (the loss's proved gradient as the starting row) against
    ``sympy.diff`` of the explicit loss (of free outputs u) composed with ``sympy.diff`` of the
    explicit network's outputs, exactly, with a generic σ."""
    if not (isinstance(loss, str) and loss in LOSSES):
        raise ParameterError("loss", loss, f"must be one of {', '.join(LOSSES)}")
    widths, sigma, sigma_p = _exact_instance(widths, activation, depth=1, one_output=False)
    depth = len(widths) - 1
    ys = [sp.Matrix(sp.symbols(f"x_1:{widths[0] + 1}", real=True))]
    As, bs, zs = [], [], []
    for number in range(1, depth + 1):
        a, b = _layer_symbols(widths, number, real=True)
        z = a * ys[-1] + b
        As.append(a), bs.append(b), zs.append(z)
        ys.append(z if number == depth else z.applyfunc(sigma))
    # L of free outputs u, then the chain rule through y_L = u: an identity for every u holds
    # at u = y_L, and the loss's exp and log stay outside the network's expressions
    outputs = sp.Matrix(sp.symbols(f"u_1:{widths[-1] + 1}", real=True))
    value, _, row = _explicit_loss(loss, outputs)
    by_output = [value.diff(u) for u in outputs]

    def derived(parameter):
        return sp.Add(*(d * y.diff(parameter) for d, y in zip(by_output, ys[-1])))

    pairs = {}
    u = row  # ∂L/∂y_ℓ, from ℓ = L down: the backward recursion of the formulas
    for number in range(depth, 0, -1):
        local = sp.ones(widths[number], 1) if number == depth else \
            zs[number - 1].applyfunc(sigma_p)
        d = sp.diag(*local)
        grad_b = u * d
        grad_a = d * u.T * ys[number - 1].T
        for r in range(widths[number]):
            pairs[f"∂L/∂b_{number}", (r + 1,)] = (derived(bs[number - 1][r]), grad_b[0, r])
            for col in range(widths[number - 1]):
                pairs[f"∂L/∂A_{number}", (r + 1, col + 1)] = (
                    derived(As[number - 1][r, col]), grad_a[r, col])
        u = u * d * As[number - 1]
    shown = ", ".join(map(str, widths))
    return exhaustive(lambda case: pairs[case["gradient"], case["entry"]],
                      ({"gradient": label, "entry": at} for label, at in pairs),
                      f"widths ({shown}), {LOSS_NAMES[loss]}, generic σ, every entry")


def loss_check(widths: Sequence[int], activation: str, loss: str, *, samples: int, seed: int,
               tolerance: float, use_torch: bool = False):
    """SPOT_CHECKED: the gradient of the loss from the formulas (``jacobian(…, loss=…)``) for
    ``x`` and every ``A_ℓ``, ``b_ℓ``, against ``torch.autograd`` of PyTorch's own loss
    (``mse_loss``, ``cross_entropy`` with class probabilities) with ``use_torch``, else against
    central differences of :func:`~symproof.backprop.losses.loss_value`; on ``samples`` random
    networks and targets (a random probability vector for cross-entropy) drawn from ``seed``."""
    import numpy as np

    if not (isinstance(loss, str) and loss in LOSSES):
        raise ParameterError("loss", loss, f"must be one of {', '.join(LOSSES)}")
    _check_sampling(samples, seed, tolerance)
    mlp = MLP(widths, activation)
    check_size("the numeric check (entries of the weight matrices)",
               elements=sum(int(a) * int(b) for a, b in zip(mlp.widths, mlp.widths[1:]))
               if all(w.is_Integer for w in mlp.widths) else 0)
    widths = [int(w) for w in mlp.widths]
    wrts = [Wrt("y", 0)] + [Wrt(kind, k) for k in range(1, mlp.depth + 1) for kind in "Ab"]

    def sample(rng):
        target = rng.standard_normal(widths[-1])
        if loss == "cross_entropy":
            target = rng.dirichlet(np.ones(widths[-1]))
        return (rng.standard_normal(widths[0]),
                [rng.standard_normal((b, a)) / np.sqrt(a) for a, b in zip(widths, widths[1:])],
                [rng.standard_normal(b) for b in widths[1:]], target)

    def compare(x, weights, biases, target):
        ours = np.concatenate([j.ravel() for j in jacobians(
            mlp, wrts, x=x, weights=weights, biases=biases, loss=loss, target=target)])
        if use_torch:
            return ours, _autograd(mlp, x, weights, biases, wrts, loss=loss, target=target)
        return ours, _loss_differences(mlp, x, weights, biases, wrts, loss, target)

    reference = "torch.autograd" if use_torch else "central differences"
    return spot_check(sample, compare, samples=samples, seed=seed, tolerance=tolerance,
                      description=f"widths {tuple(widths)}, {activation}, "
                                  f"{LOSS_NAMES[loss]}, vs {reference}")


def _check_sampling(samples, seed, tolerance) -> None:
    """The sampling parameters of a numeric check, validated."""
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 10_000:
        raise ParameterError("samples", samples, "must be an integer from 1 to 10,000")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ParameterError("seed", seed, "must be an integer from 0 to 2^32 - 1")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not (
            math.isfinite(tolerance) and tolerance > 0):
        raise ParameterError("tolerance", tolerance, "must be a positive finite number")


def _loss_differences(mlp, x, weights, biases, wrts, loss, target):
    """Central differences of the loss in every entry of each of ``wrts`` (x, A_ℓ, b_ℓ)."""
    import numpy as np

    def value(x, weights, biases):
        ys, _ = forward(mlp, x, weights, biases)
        return loss_value(loss, ys[-1], target)

    out = []
    for wrt in wrts:
        arrays_ = [np.array(x, float)] + [np.array(a, float) for a in weights] + \
            [np.array(b, float) for b in biases]
        at = 0 if wrt.kind == "y" else (wrt.layer if wrt.kind == "A" else
                                        mlp.depth + wrt.layer)
        grad = np.zeros_like(arrays_[at])
        for index in np.ndindex(grad.shape):
            moved = []
            for sign in (1, -1):
                arrays_[at][index] += sign * STEP
                moved.append(value(arrays_[0], arrays_[1:mlp.depth + 1],
                                   arrays_[mlp.depth + 1:]))
                arrays_[at][index] -= sign * STEP
            grad[index] = (moved[0] - moved[1]) / (2 * STEP)
        out.append(grad.ravel())
    return np.concatenate(out)
