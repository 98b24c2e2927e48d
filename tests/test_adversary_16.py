"""Adversarial regression tests for issue 16 (backpropagation): inputs that once got a wrong
verdict, a traceback or lost data from the kernel rules, the backward formulas or ``check``."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from symproof import MaxPool2d, limits
from symproof.claims.check import check_text
from symproof.claims.context import backward_from_words
from symproof.claims.loss_claims import _rebound, loss_from_words
from symproof.claims.max_backward import judge_max_example
from symproof.errors import ParameterError
from symproof.figures.pool import pool_figure
from symproof.kernel import Context, Status, identity, routed_derivative
from symproof.kernel.flatten import (
    cancel_renamed,
    flattened,
    padded_branches,
    reflect,
)
from symproof.kernel.floors import floor_interval, remainder_bounds
from symproof.kernel.totals import rewrite_totals
from symproof.reductions import MaxOver
from symproof.registry import get

n, m, H = sp.symbols("n m H", integer=True, positive=True)
i, k, u, v = sp.symbols("i k u v", integer=True)
x, y, z, G, t = (sp.IndexedBase(s) for s in ("x", "y", "z", "G", "t"))


def test_pinned_index_rebound_in_a_factor_sum_is_not_substituted_into_it():
    """Σ_v δ_{v,k} (Σ_{v'} x_{v'} z_k)(Σ_u y_u) is z_k Σ x · Σ y, not Σ_v x_v z_v · Σ y: the
    pin v = k must not reach the factor sum that binds its own v (it did: wrong PROVED)."""
    lhs = sp.Sum(sp.KroneckerDelta(v, k) * sp.Sum(x[v] * z[k], (v, 1, m))
                 * sp.Sum(y[u], (u, 1, m)), (v, 1, n))
    wrong = sp.Sum(x[v] * z[v], (v, 1, m)) * sp.Sum(y[u], (u, 1, m))
    ctx = Context([sp.Le(1, k), sp.Le(k, n)])
    assert identity(lhs, wrong, ctx).status is not Status.PROVED
    assert identity(lhs, wrong, ctx, sums_first=True).status is not Status.PROVED
    right = z[k] * sp.Sum(x[v], (v, 1, m)) * sp.Sum(y[u], (u, 1, m))
    assert identity(lhs, right, ctx).status is not Status.REFUTED


def test_pin_to_an_expression_with_a_factor_sum_binding_the_index_is_no_traceback():
    """δ_{v,k+1} with a factor Σ_v: substituting k + 1 for a bound name raised ValueError."""
    lhs = sp.Sum(sp.KroneckerDelta(v, k + 1) * sp.Sum(x[v], (v, 1, m))
                 * sp.Sum(y[u], (u, 1, m)), (v, 1, n))
    flattened(lhs, Context([sp.Le(1, k), sp.Le(k, n)]))


def test_assumption_on_a_free_name_says_nothing_of_a_summation_index_of_that_name():
    """Context i ≤ 2 (the free i) and Σ_{i=1}^{n} [i ≤ 2] G_i: the bound i is another symbol;
    the condition was settled by the free i's assumption (wrong PROVED = Σ_{i=1}^{n} G_i)."""
    summand = sp.Piecewise((G[i], sp.Le(i, 2)), (0, True))
    lhs = sp.Sum(summand, (i, 1, n))
    for ctx in (Context([sp.Le(1, i), sp.Le(i, 2)]),
                Context([sp.Le(1, i), sp.Le(i, 2)], zero_outside={G: (H,)})):
        assert ctx.resolve(lhs) == lhs
        assert identity(lhs, sp.Sum(G[i], (i, 1, n)), ctx).status is not Status.PROVED
    padded = Context([sp.Le(1, i), sp.Le(i, 2)], zero_outside={G: (H,)})
    assert padded_branches(lhs, padded) == lhs


def test_padding_rule_still_drops_a_condition_the_padded_range_implies_under_a_clash():
    """The renaming keeps the rule: Σ_{i=1}^{n} [i ≤ H] G_i = Σ_{i=1}^{n} G_i with G zero
    outside 1 … H, also when the context names a free i."""
    lhs = sp.Sum(sp.Piecewise((G[i], sp.Le(i, H)), (0, True)), (i, 1, n))
    ctx = Context([sp.Le(1, i), sp.Le(i, 2)], zero_outside={G: (H,)})
    assert padded_branches(lhs, ctx) == sp.Sum(G[i], (i, 1, n))


def test_assumed_total_is_not_rewritten_under_a_product_binding_its_size():
    """Σ_{k=1}^{n} t_k = 1 (free n) says nothing of Π_{n=1}^{m} Σ_{k=1}^{n} t_k (another n);
    it was rewritten to Π 1 = 1: wrong PROVED."""
    ctx = Context([sp.Eq(sp.Sum(t[k], (k, 1, n)), 1)])
    product = sp.Product(sp.Sum(t[k], (k, 1, n)), (n, 1, m))
    assert rewrite_totals(product, ctx) == product
    assert identity(product, 1, ctx).status is not Status.PROVED
    assert rewrite_totals(sp.Sum(t[k], (k, 1, n)) * product, ctx) == product


def test_a_delta_with_the_index_on_both_sides_pins_nothing_unless_linear():
    """Σ_{v=−n}^{n} δ_{v,−v} x_v = x_0. The other side (−v) was taken as the pinned value: the
    bound v leaked out free, and, with −n ≤ v ≤ n assumed of a free v, the sum was PROVED equal
    to δ_{v,−v} x_{−v} (which is 0 at v = 1)."""
    lhs = sp.Sum(sp.KroneckerDelta(v, -v) * x[v], (v, -n, n))
    assert v not in flattened(lhs).free_symbols
    ctx = Context([sp.Le(-n, v), sp.Le(v, n)])
    wrong = sp.KroneckerDelta(v, -v) * x[-v]
    assert identity(lhs, wrong, ctx).status is not Status.PROVED
    assert identity(lhs, wrong, ctx, sums_first=True).status is not Status.PROVED
    assert identity(lhs, x[0]).status is not Status.REFUTED
    # δ_{v,2v} is linear in v (difference −v): it pins v = 0
    assert identity(sp.Sum(sp.KroneckerDelta(v, 2 * v) * x[v], (v, -n, n)), x[0]).status \
        is Status.PROVED


alpha, beta = sp.symbols("alpha beta", integer=True)


def test_reflection_mirrors_the_bounds_of_the_limits_inside_it():
    """Σ_{α=1}^{n} Σ_{β=1}^{α} y_α = Σ_α α y_α; reflecting α left the inner bound β ≤ α as it
    was, and PROVED it equal to Σ_α α y_{n+1−α}."""
    total = sp.Sum(y[alpha], (beta, 1, alpha), (alpha, 1, n))
    mirrored, outcome = reflect(total, alpha)
    assert outcome.status is Status.PROVED
    for size in range(1, 5):
        values = {y[r]: sp.Symbol(f"y{r}") for r in range(1, size + 1)}
        assert (total.subs(n, size).doit().xreplace(values)
                == mirrored.subs(n, size).doit().xreplace(values))


def test_reflection_does_not_capture_a_name_an_inner_sum_binds():
    """Σ_{α=1}^{n} Σ_{n'=1}^{2} x_α y_{n'} with the inner index named n: α ↦ n + 1 − α must not
    put the outer n under the inner sum (nor rename α's binder into an invalid limit)."""
    total = sp.Sum(x[alpha] * sp.Sum(y[n], (n, 1, 2)), (alpha, 1, n))
    mirrored, _ = reflect(total, alpha)
    for size in range(1, 4):
        assert sp.expand(total.subs(n, size).doit() - mirrored.subs(n, size).doit()) == 0
    rebound = sp.Sum(x[alpha] * sp.Sum(y[alpha], (alpha, 1, 2)), (alpha, 1, n))
    again, _ = reflect(rebound, alpha)
    assert sp.expand(rebound.subs(n, 3).doit() - again.subs(n, 3).doit()) == 0


def test_cancel_renamed_does_not_capture_a_free_name_of_the_other_sum():
    """Σ_i x_i z_i − Σ_k x_k z_i (i free in the second) is not 0: renaming k to i captured the
    free i."""
    difference = sp.Sum(x[i] * z[i], (i, 1, n)) - sp.Sum(x[k] * z[i], (k, 1, n))
    assert cancel_renamed(difference) != 0
    assert cancel_renamed(sp.Sum(x[i] * z[i], (i, 1, n)) - sp.Sum(x[k] * z[k], (k, 1, n))) == 0


def test_routed_derivative_refuses_a_tap_outside_the_window():
    """max_{α=1}^{2} X_{i+α} is never attained at α = 5: "∂/∂X_p = δ_{p,i+5} where the maximum
    is attained only at α = 5" was PROVED (vacuously), a formula no input ever has."""
    alpha_ = sp.Symbol("alpha", integer=True)
    window = MaxOver(x[i + alpha_], (alpha_, 1, 2))
    p = sp.Symbol("p", integer=True)
    outside = routed_derivative(window, x[p], sp.KroneckerDelta(p, i + 5), {alpha_: sp.Integer(5)})
    assert outside.status is Status.UNKNOWN and "outside the window" in str(outside.detail)
    inside = routed_derivative(window, x[p], sp.KroneckerDelta(p, i + 1), {alpha_: sp.Integer(1)})
    assert inside.status is Status.PROVED


def test_a_delta_pinned_to_a_number_inside_its_range_is_no_traceback():
    """Σ_{v=1}^{3} δ_{v,2} x_v: the range condition 1 ≤ 2 ≤ 3 is true, SymPy writes x_2 alone
    (no Piecewise), and the step dropping implied conditions unpacked it as one (ValueError,
    TypeError with a further limit)."""
    ctx = Context([])
    once = sp.Sum(sp.KroneckerDelta(v, 2) * x[v], (v, 1, 3))
    assert flattened(once, ctx) == x[2]
    twice = sp.Sum(sp.KroneckerDelta(v, 2) * x[v] * y[u], (v, 1, 3), (u, 1, n))
    assert identity(twice, x[2] * sp.Sum(y[u], (u, 1, n)), ctx, sums_first=True).status \
        is Status.PROVED
    assert identity(once, x[3], ctx, sums_first=True).status is not Status.PROVED


def test_remainder_bounds_are_those_of_the_stride_asked_for():
    """n − 3⌊n/3⌋ lies in 0 … 2, not in 0 … 1: asked with stride 2 it was PROVED (the rule read
    its own S = 3 off the floor and ignored the one given)."""
    value = n - 3 * sp.floor(n / 3)
    assert remainder_bounds(value, 2).status is not Status.PROVED
    assert remainder_bounds(value, 3).status is Status.PROVED
    assert remainder_bounds(value).status is Status.PROVED


def test_padding_rule_drops_no_branch_when_the_padding_is_minus_infinity():
    """Max pooling pads with −∞: there X_k = −∞ for k > H, so [k ≤ H] X_k (0 beyond H) is not
    X_k, and Σ_{k≤n} [k ≤ H] X_k ≠ Σ_{k≤n} X_k when n > H. Both were PROVED (the padding rule
    took the entry outside as 0)."""
    ctx = Context([sp.Le(1, k)], zero_outside={x: (H,)}, outside_value=-sp.oo)
    branch = sp.Piecewise((x[k], sp.Le(k, H)), (0, True))
    assert padded_branches(branch, ctx) == branch
    assert identity(branch, x[k], ctx).status is not Status.PROVED
    free = Context([], zero_outside={x: (H,)}, outside_value=-sp.oo)
    assert identity(sp.Sum(branch, (k, 1, n)), sp.Sum(x[k], (k, 1, n)), free).status \
        is not Status.PROVED
    zero = Context([sp.Le(1, k)], zero_outside={x: (H,)})
    assert identity(branch, x[k], zero).status is Status.PROVED


def test_floor_interval_needs_an_integer_variable():
    """⌊(H − 2)/S⌋ + 1 = o ⟺ S(o − 1) + 2 ≤ H ≤ So + 1 holds for an integer H only (H = 7/2,
    S = 2, o = 1: the size is 1 but H > 3); it was PROVED for a real H."""
    real = sp.Symbol("H", real=True)
    S, o = sp.symbols("S o", integer=True, positive=True)
    size = sp.floor((real - 2) / S) + 1
    assert floor_interval(size, real, o, S * (o - 1) + 2, S * o + 1).status is not Status.PROVED
    assert floor_interval(sp.floor((H - 2) / S) + 1, H, o, S * (o - 1) + 2, S * o + 1).status \
        is Status.PROVED


# --- second pass (adv16b) --------------------------------------------------------------------

def _last_verdict(document: str):
    """The verdict on the last claim of ``document`` (time limits raised: the machine is
    shared, and load must make nothing UNKNOWN "by time")."""
    with limits.raised(claim_seconds=120, document_seconds=1200):
        found = check_text(document)[0]
    return max(found, key=lambda verdict: verdict.line)


def test_a_sum_over_the_free_index_name_binds_its_own_entries():
    """``p_j \\sum_{j=1}^{n} t_j - t_j`` is p_j Σ_k t_k − t_j (true for any target), and
    ``p_j = e^{z_j}/\\sum_{j=1}^{n} e^{z_j}`` is the softmax: the reader writes t_j as one
    symbol, and the free index's j was given to the t_j inside the sum too (n·t_j, n·e^{z_j}):
    both were REFUTED."""
    directive = "%! symproof softmax-cross-entropy classes=n"
    for claim in (r"\frac{\partial L}{\partial z_j} = p_j \sum_{j=1}^{n} t_j - t_j",
                  r"p_j = \frac{e^{z_j}}{\sum_{j=1}^{n} e^{z_j}}",
                  r"p_j = \frac{e^{z_j}}{\sum_{j=1}^{n} e^{z_{j}}}"):
        verdict = _last_verdict(f"{directive}\n\\[ {claim} \\]\n")
        assert verdict.label == "PROVED", (claim, verdict.reason)
    # still wrong where it is wrong: the sum's own j is not the free one
    wrong = r"\frac{\partial L}{\partial z_j} = p_j \sum_{j=1}^{n} t_j - t_j \sum_{j=1}^{n} t_j"
    assert _last_verdict(f"{directive}\n\\[ {wrong} \\]\n").label == "REFUTED"
    mse = _last_verdict("%! symproof mse classes=n\n\\[ \\frac{\\partial L}{\\partial y_j} = "
                        "\\frac{2}{n}\\sum_{j=1}^{n}(y_j - t_j) \\]\n")
    assert mse.label == "REFUTED", mse.reason


def test_a_backward_directive_binds_no_name_twice():
    """``upstream=X`` left X the input (a claim true in the document's words, ∂L/∂b_l =
    Σ X_{l,i,j}, was REFUTED); ``argmax=L,v`` or ``argmax=G,v`` gave the loss's or the
    upstream gradient's letter a second meaning. Each is refused, naming the field."""
    for words, field in ((("conv2d-backward", "upstream=X"), "upstream"),
                         (("conv2d-backward", "upstream=w"), "upstream"),
                         (("conv2d-backward", "upstream=L"), "upstream"),
                         (("conv2d-backward", "loss=G"), "upstream"),
                         (("maxpool2d-backward", "argmax=L,v"), "argmax"),
                         (("maxpool2d-backward", "argmax=G,v"), "argmax"),
                         (("maxpool2d-backward", "argmax=u,b"), "argmax"),
                         (("maxpool2d-backward", "argmax=u,v", "upstream=u"), "argmax")):
        with pytest.raises(ParameterError, match=field):
            backward_from_words(words)
    assert backward_from_words(("maxpool2d-backward", "argmax=u,v", "upstream=delta",
                                "loss=J"))[1].argmax == ("u", "v")
    verdict = _last_verdict("%! symproof conv2d-backward in_channels=C_in out_channels=C_out "
                            "kernel_size=f upstream=X\n\\[ \\frac{\\partial L}{\\partial b_l} = "
                            "\\sum_{i=1}^{H_{out}}\\sum_{j=1}^{W_{out}} X_{l,i,j} \\]\n")
    assert verdict.label != "REFUTED", verdict.reason


def test_the_pooling_figure_names_the_rows_a_dilated_window_skips():
    """P9's figure with dilation (``--set D=2 --set P=1``) said "rows 1–5: never read" of a
    5×7 input whose rows 2 and 4 are read (a range from the first unread row to the last);
    the rows and columns named are those torch's windows never touch."""
    figure = pool_figure(MaxPool2d(2, stride=2, padding=1, dilation=2), (5, 7))
    ids = torch.arange(1.0, 36.0).reshape(1, 1, 5, 7)
    taps = {int(v) for v in F.unfold(ids, 2, dilation=2, padding=1, stride=2).flatten() if v}
    rows = [r for r in range(1, 6) if r not in {(v - 1) // 7 + 1 for v in taps}]
    cols = [c for c in range(1, 8) if c not in {(v - 1) % 7 + 1 for v in taps}]
    assert (rows, cols) == ([1, 3, 5], [1, 3, 5, 7])
    svg = figure.svg()
    assert "rows 1, 3, 5: never read" in svg and "columns 1, 3, 5, 7: never read" in svg
    assert "1–5" not in svg


def test_p9_max_pooling_with_a_one_by_one_window_is_no_internal_error():
    """``prove p9 --set kind=max --set k_1=1 --set k_2=1 --set P=0`` (with or without D) was
    an internal error (AttributeError: a 1×1 window's maximum is its one entry, not a
    MaxOver with a body). It runs; its steps are never refuted."""
    for dilation in (1, 3):
        proof = get("p9").build(kind="max", k_1=1, k_2=1, S=1, P=0, D=dilation)
        assert proof.status is not Status.REFUTED
        assert all(step.outcome.status is not Status.REFUTED for step in proof.steps)


@pytest.mark.xfail(strict=True, reason="a window of one row or column: its maximum no longer "
                   "names α, and the kernel's routing rule does not see that u = 1 (kernel work)")
def test_p9_max_pooling_with_a_window_one_row_high_is_proved():
    """A k_1 = 1 window: the arg-max row tap u_{l,i,j} can only be 1, but the window's
    maximum (a MaxOver over β only) no longer names α, and the kernel's routing rule does not
    see that u = 1: the step stays UNKNOWN (honest, not proved)."""
    proof = get("p9").build(kind="max", k_1=1, k_2=2, S=1, P=0, D=1)
    assert proof.status is Status.PROVED


@pytest.mark.parametrize("words, rule", [
    (("softmax-cross-entropy", "classes=0"), "positive integer"),
    (("mse", "classes=0"), "positive integer"),
    (("softmax-cross-entropy", "classes=L"), "loss's names"),
    (("softmax-cross-entropy", "classes=n", "loss=n"), "loss's names"),
])
def test_a_loss_directive_refuses_no_classes_and_a_loss_named_like_them(words, rule):
    """``classes=0`` was taken (every entry index j ≤ 0: each claim about ∂L/∂z_j is vacuous),
    and ``classes=L`` gave the loss's letter a second meaning (Σ_{k=1}^{L} read as the
    classes beside ∂L/∂z_j)."""
    with pytest.raises(ParameterError, match=rule):
        loss_from_words(words)
    verdict = _last_verdict(f"%! symproof {' '.join(words)}\n\\[ \\frac{{\\partial L}}"
                            "{\\partial z_j} = 0 \\]\n")
    assert verdict.label == "UNKNOWN", verdict.reason


@pytest.mark.xfail(strict=True, reason="a loss directive reads only gradient claims and the "
                   "softmax: the document's own definition of L is not compared with the "
                   "directive's (a feature of the loss claims' lane)")
def test_a_documents_half_squared_error_under_mse_is_flagged_where_it_is_defined():
    """Bishop, d2l and Nielsen write E = ½ Σ_k (y_k − t_k)², so ∂E/∂y_j = y_j − t_j. Under
    ``%! symproof mse`` (PyTorch's mean, (1/n) Σ) that gradient is REFUTED, rightly for the
    directive's loss, while the definition that explains it is left UNKNOWN ("only gradient
    claims are read"): the reader sees a true derivation refuted. The definition should be
    judged against the directive's loss (REFUTED there, with the directive's formula)."""
    with limits.raised(claim_seconds=120, document_seconds=1200):
        found = check_text("%! symproof mse classes=n\n"
                           "\\[ L = \\frac{1}{2}\\sum_{k=1}^{n} (y_k - t_k)^2 \\]\n"
                           "\\[ \\frac{\\partial L}{\\partial y_j} = y_j - t_j \\]\n")[0]
    definition, derivative = sorted(found, key=lambda verdict: verdict.line)
    assert derivative.label == "REFUTED"
    assert definition.label == "REFUTED", definition.reason


@pytest.mark.parametrize("directive, claim", [
    ("classes=2 target=probability", r"\frac{\partial L}{\partial z_j} = p_j - |t_j|"),
    ("classes=3 target=probability", r"\frac{\partial L}{\partial z_j} = p_j - \max(t_j, 0)"),
    ("classes=3 target=probability", r"\frac{\partial L}{\partial z_j} = p_j - \min(t_j, 1)"),
    ("classes=3 target=probability",
     r"p_j = \frac{e^{z_j}}{e^{z_1} + e^{z_2} + e^{z_3}} (t_1 + t_2 + t_3)"),
    ("classes=3 target=probability", r"p_j = p_j + |t_1| - t_1"),
])
def test_a_probability_target_is_never_refuted_at_a_point_off_the_simplex(directive, claim):
    """True for every probability vector (t ≥ 0, Σ t = 1), these were REFUTED at t = (4, −3),
    t_1 = −8 or t = 0: the kernel's general search knows Σ t = 1 (written out) but not t ≥ 0,
    and the softmax's definition was searched with no target model at all."""
    verdict = _last_verdict(f"%! symproof softmax-cross-entropy {directive}\n\\[ {claim} \\]\n")
    assert verdict.label != "REFUTED", verdict.reason


def test_a_wrong_claim_on_a_probability_target_is_still_refuted_on_the_simplex():
    verdict = _last_verdict("%! symproof softmax-cross-entropy classes=3 target=probability\n"
                            "\\[ \\frac{\\partial L}{\\partial z_j} = p_j + |t_j| \\]\n")
    assert verdict.label == "REFUTED", verdict.reason
    shown = verdict.evidence["counterexample"]
    targets = [Fraction(shown[f"t[{n}]"]) for n in (1, 2, 3)]
    assert all(value >= 0 for value in targets) and sum(targets) == 1, shown


@pytest.mark.parametrize("claim, label", [
    (r"p_j \sum_{k=1}^{3} t_k - t_j", "PROVED"),
    (r"\sum_{k=1}^{3} t_k (p_j - \delta_{j,k})", "PROVED"),
    (r"\frac{e^{z_j}}{\sum_{m=1}^{3} e^{z_m}} \sum_{k=1}^{3} t_k - t_j", "PROVED"),
    (r"p_j - t_j \sum_{k=1}^{3} p_k t_k", "REFUTED"),
    (r"p_j \sum_{k=1}^{2} t_k - t_j", "UNKNOWN"),  # entries 1 … 2 of 3: not the classes' sum
])
def test_a_sum_up_to_the_number_of_classes_the_directive_gives_is_read(claim, label):
    """With ``classes=3`` a sum written Σ_{k=1}^{3} was "a sum over other than 1 … the
    number of classes" (UNKNOWN): only the bound written as the classes' name was taken."""
    verdict = _last_verdict("%! symproof softmax-cross-entropy classes=3\n"
                            f"\\[ \\frac{{\\partial L}}{{\\partial z_j}} = {claim} \\]\n")
    assert verdict.label == label, verdict.reason


def test_a_max_pooling_example_with_a_nan_needs_the_declared_tie_rule():
    """X = [[1, NaN], [2, NaN]]: the window's maximum is NaN, and PyTorch routes its gradient
    to the last NaN, a convention like a tie's. Without a declared tie rule the claim routing
    to the first NaN was REFUTED (and the one routing to the last VERIFIED); NaN == NaN is
    false, so no tie was seen. Infinite or NaN gradients were an OverflowError/ValueError."""
    nan, inf = float("nan"), float("inf")
    x, g = [[[1, nan], [2, nan]]], [[[1]]]
    first, last = [[[0, 1], [0, 0]]], [[[0, 0], [0, 1]]]
    for claimed in (first, last):
        outcome = judge_max_example(MaxPool2d(2), x, g, claimed)
        assert outcome.status is Status.UNKNOWN and "convention" in str(outcome.detail)
    assert judge_max_example(MaxPool2d(2), [[[nan, 1], [2, 3]]], g, [[[1, 0], [0, 0]]]) \
        .status is Status.UNKNOWN
    assert judge_max_example(MaxPool2d(2), x, g, first, tie_rule="pytorch").status \
        is Status.REFUTED
    assert judge_max_example(MaxPool2d(2), x, g, last, tie_rule="pytorch").status \
        is Status.VERIFIED
    # +∞ is a number the maximum can be: routed as any other
    assert judge_max_example(MaxPool2d(2), [[[inf, 2], [3, 4]]], g, [[[1, 0], [0, 0]]]) \
        .status is Status.VERIFIED
    for grad_output, claimed, name in ((g, [[[0, 0], [0, nan]]], "claimed"),
                                       ([[[inf]]], [[[0, 0], [0, inf]]], "grad_output")):
        with pytest.raises(ParameterError, match=f"{name} must hold finite numbers"):
            judge_max_example(MaxPool2d(2), [[[1, 2], [3, 4]]], grad_output, claimed)


def test_a_max_pooling_counterexample_of_a_zero_based_document_says_it_is_one_based():
    """Under ``indexing=0`` the claim is judged shifted to 1-based indices; the convolution's
    reason said so, max pooling's did not: its p = 3, q = 2 (1-based) read in the document's
    0-based indices name an entry where the wrong claim happens to hold."""
    claim = (r"\frac{\partial L}{\partial X_{0,p,q}} = \sum_{i=0}^{1}\sum_{j=0}^{1} G_{0,i,j}"
             r" \mathbb{1}\left[X_{0,p,q} = \max_{0 \le a \le 1, 0 \le b \le 1} "
             r"X_{0,2i+a, 2j+b}\right] [2i \le p \le 2i+2] [2j \le q \le 2j+1]")
    verdict = _last_verdict("%! symproof maxpool2d-backward kernel_size=2 stride=2 "
                            f"input=1x4x4 indexing=0\n\\[ {claim} \\]\n")
    assert verdict.label == "REFUTED", verdict.reason
    assert "0-based indices read as 1-based" in verdict.reason


@pytest.mark.parametrize("problem, setting", [("p9", "D=L"), ("p7", "D=L"), ("p7", "P=L")])
def test_a_size_is_not_named_like_the_loss_of_the_problem(problem, setting):
    """``prove p9 --set D=L`` wrote "For a loss L of the output Y of pooling with … dilation L"
    and ∂L/∂X: one letter, two meanings in the exported solution. Refused in one line."""
    done = subprocess.run([sys.executable, "-m", "symproof", "prove", problem, "--set",
                           setting], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "L is already a symbol" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("change", [r"{} [X_{{1,p,q}} > 0]", r"{} [X_{{1,p,q}} < 20]"])
def test_max_pooling_draws_are_not_all_small_and_positive(change):
    """The inputs were 1 … N and the upstream gradients 1 … 9 in every draw: a claim that
    also reads [X > 0], [X < 20], |G| or min(G, 10) agreed on all of them and was
    SPOT_CHECKED, false as it is."""
    routed = (r"\frac{\partial L}{\partial X_{1,p,q}} = \sum_{i=1}^{2}\sum_{j=1}^{2} G_{1,i,j}"
              r" \mathbb{1}\left[X_{1,p,q} = \max_{1 \le a \le 2, 1 \le b \le 2} "
              r"X_{1,2(i-1)+a, 2(j-1)+b}\right] [2(i-1) < p \le 2i] [2(j-1) < q \le 2j]")
    directive = "%! symproof maxpool2d-backward kernel_size=2 stride=2 input=1x4x4"
    for claim in (change.format(routed), routed.replace("G_{1,i,j}", "|G_{1,i,j}|"),
                  routed.replace("G_{1,i,j}", r"\min(G_{1,i,j}, 10)")):
        verdict = _last_verdict(f"{directive}\n\\[ {claim} \\]\n")
        assert verdict.label == "REFUTED", (claim, verdict.reason)
    assert _last_verdict(f"{directive}\n\\[ {routed} \\]\n").label == "SPOT_CHECKED"


def test_renaming_a_sum_over_the_free_index_keeps_the_inner_limits_bound_to_it():
    """Σ_{j=1}^{n} Σ_{k=1}^{j} t_j t_k written as one sum of two limits: renaming j (the free
    index's name) must reach the inner limit's bound k ≤ j too, not leave it to the free j."""
    j_, k_, n_ = sp.symbols("j k n", integer=True)
    t_j, t_k = sp.symbols("t_j t_k")
    renamed = _rebound(sp.Sum(t_j * t_k, (k_, 1, j_), (j_, 1, n_)) + t_j, {"j"})
    (total,) = renamed.atoms(sp.Sum)
    (inner, _, upper), (outer, _, _) = total.limits
    assert inner == k_ and upper == outer and outer != j_
    assert j_ not in total.free_symbols and sp.Symbol("t_j") in renamed.free_symbols


@pytest.mark.parametrize("first, label", [("S(i-1) < p", "PROVED"), ("S(i-1) \\le p", "REFUTED")])
def test_a_cases_row_ending_in_otherwise_with_a_full_stop_is_read(first, label):
    """``0 & \\text{otherwise.}`` (the sentence's full stop inside \\text) left the cases
    environment unread (UNPARSED), true or false."""
    claim = (r"\frac{\partial L}{\partial X_{l,p,q}} = \sum_{i=1}^{H_{out}}\sum_{j=1}^{W_{out}}"
             r" \begin{cases} \frac{G_{l,i,j}}{k^2} & \text{if } " + first +
             r" \le S(i-1)+k \land S(j-1) < q \le S(j-1)+k, \\ 0 & \text{otherwise.}"
             r" \end{cases}")
    verdict = _last_verdict(f"%! symproof avgpool2d-backward kernel_size=k stride=S\n"
                            f"\\[ {claim} \\]\n")
    assert verdict.label == label, verdict.reason
