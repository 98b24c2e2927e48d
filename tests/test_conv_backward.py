"""Backpropagation through Conv2d (issue 16, items 1 and 2): the three gradients and the
transposed-convolution theorem PROVED by the kernel for symbolic sizes, VERIFIED exactly on
small instances, equal to torch.autograd on random configurations; perturbed formulas never
proved; the kernel rules they need, with adversarial cases."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof import Conv2d, symbols
from symproof import notation as nt
from symproof.backprop import conv as bc
from symproof.backprop.upstream import G
from symproof.errors import ParameterError, ShapeError
from symproof.kernel import Context, Status, identity
from symproof.kernel.flatten import flattened, padded_branches, reflect
from symproof.kernel.floors import remainder_bounds

C_IN, C_OUT, F1, F2, S, P, D, H, W = symbols("C_in C_out f_1 f_2 S P D H W")
SYMBOLIC = Conv2d(C_IN, C_OUT, (F1, F2), stride=S, padding=P, dilation=D)
STRIDE1 = Conv2d(C_IN, C_OUT, (F1, F2), padding=P, dilation=D)
CONCRETE = [Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
            Conv2d(1, 2, 3, stride=3, padding=2, dilation=2, bias=False),
            Conv2d(3, 1, (3, 1), padding=(0, 1))]
p, q = nt.index_symbol("p"), nt.index_symbol("q")
l, i, j, gamma, alpha, beta = nt.l, nt.i, nt.j, nt.gamma, nt.alpha, nt.beta


def torch_or_skip():
    return pytest.importorskip("torch")


# --- PROVED for symbolic sizes ---------------------------------------------------------------

@pytest.mark.parametrize("name", bc.NAMES)
def test_each_gradient_is_proved_by_differentiation_for_symbolic_sizes(name):
    outcome = bc.prove(SYMBOLIC, name)
    assert outcome.status is Status.PROVED and outcome.tactic == "differentiation"


@pytest.mark.parametrize("layer", CONCRETE, ids=repr)
@pytest.mark.parametrize("name", bc.NAMES)
def test_each_gradient_is_proved_for_concrete_layers_and_symbolic_input(layer, name):
    if name == "b" and not layer.bias:
        pytest.skip("no bias")
    assert bc.prove(layer, name).status is Status.PROVED


@pytest.mark.parametrize("layer", [SYMBOLIC, *CONCRETE], ids=repr)
def test_the_input_gradient_is_the_transposed_convolution_of_g(layer):
    assert bc.prove_transposed(layer).status is Status.PROVED


@pytest.mark.parametrize("layer", [SYMBOLIC, *CONCRETE], ids=repr)
def test_the_transposed_convolution_is_the_adjoint(layer):
    assert bc.prove_adjoint(layer).status is Status.PROVED


@pytest.mark.parametrize("layer", [SYMBOLIC, *CONCRETE], ids=repr)
def test_the_output_padding_restores_the_input_size_and_is_a_remainder(layer):
    assert all(o.status is Status.PROVED for o in bc.prove_output_size(layer))
    for pad, stride in zip(bc.output_padding(layer), layer.stride):
        assert remainder_bounds(pad, stride).status is Status.PROVED


@pytest.mark.parametrize("layer", [STRIDE1, Conv2d(2, 3, (3, 2), padding=(1, 2),
                                                   dilation=(2, 1))], ids=repr)
def test_stride_one_is_the_full_correlation_with_the_flipped_kernel(layer):
    assert [o.status for o in bc.prove_full_correlation(layer)] == [Status.PROVED] * 3


def test_the_full_correlation_form_is_refused_with_a_stride():
    with pytest.raises(ParameterError, match="stride"):
        bc.full_correlation(SYMBOLIC)


def test_groups_are_refused_with_a_clear_error():
    with pytest.raises(ParameterError, match="groups .*must be 1"):
        bc.formula(Conv2d(2, 4, 3, groups=2), "w")
    with pytest.raises(ParameterError, match="name"):
        bc.formula(SYMBOLIC, "A")


def test_the_transposed_layer_has_the_conv_weights_and_restores_the_size():
    layer = Conv2d(2, 3, (3, 2), stride=(3, 2), padding=1, dilation=(1, 2))
    up = bc.transposed(layer, 11, 8)
    assert (up.in_channels, up.out_channels, up.output_padding) == (3, 2, (1, 1))
    assert up.output_shape(3, *layer.output_shape(2, 11, 8)[1:]) == (2, 11, 8)


# --- perturbed formulas are never proved ----------------------------------------------------

def _perturbed():
    win = SYMBOLIC.window
    rows, cols = bc.output_size(SYMBOLIC)
    shifted = sp.Sum(G[l, i, j] * nt.X[gamma, win.index(0, i, alpha) + 1,
                                       win.index(1, j, beta)], (i, 1, rows), (j, 1, cols))
    unstrided = sp.Sum(G[l, i, j] * nt.X[gamma, S * i + D * (alpha - 1) + 1 - P,
                                         win.index(1, j, beta)], (i, 1, rows), (j, 1, cols))
    every_channel = sp.Sum(G[l, i, j], (l, 1, C_OUT), (i, 1, rows), (j, 1, cols))
    wrong_delta = bc.formula(SYMBOLIC, "X").xreplace(
        {sp.KroneckerDelta(p, win.index(0, i, alpha)): sp.KroneckerDelta(p, S * i + D * (
            alpha - 1) + 1 - P)})
    return {"w: wrong shift": ("w", shifted), "w: S(i-1) -> Si": ("w", unstrided),
            "b: sums over channels": ("b", every_channel), "X: S(i-1) -> Si": ("X", wrong_delta)}


@pytest.mark.parametrize("case", list(_perturbed()))
def test_perturbed_gradients_are_not_proved(case):
    name, claimed = _perturbed()[case]
    assert bc.prove(SYMBOLIC, name, claimed=claimed).status in (Status.UNKNOWN, Status.REFUTED)


def test_perturbed_gradients_of_a_concrete_layer_are_refuted():
    layer = CONCRETE[0]
    win = layer.window
    rows, cols = bc.output_size(layer)
    shifted = sp.Sum(G[l, i, j] * nt.X[gamma, win.index(0, i, alpha) + 1,
                                       win.index(1, j, beta)], (i, 1, rows), (j, 1, cols))
    outcome = bc.prove(layer, "w", claimed=shifted)
    assert outcome.status is Status.REFUTED and outcome.counterexample


def test_the_kernel_without_its_flip_is_not_proved():
    flipped = bc.full_correlation(STRIDE1)
    unflipped = flipped.xreplace({nt.w[l, gamma, F1 + 1 - alpha, F2 + 1 - beta]:
                                  nt.w[l, gamma, alpha, beta]})
    ctx = bc.context(STRIDE1, "X")
    assert identity(bc.formula(STRIDE1, "X"), unflipped, ctx).status is not Status.PROVED
    concrete = Conv2d(1, 1, (3, 2), padding=1)
    flipped = bc.full_correlation(concrete)
    unflipped = flipped.xreplace({nt.w[l, gamma, 4 - alpha, 3 - beta]:
                                  nt.w[l, gamma, alpha, beta]})
    outcome = identity(bc.formula(concrete, "X"), unflipped, bc.context(concrete, "X"))
    assert outcome.status is Status.REFUTED


def test_a_wrong_output_padding_is_not_proved():
    layer = SYMBOLIC
    win = layer.window
    rows = bc.output_size(layer)[0]
    wrong = bc.output_padding(layer)[0] + 1
    restored = (rows - 1) * win.stride[0] - 2 * win.padding[0] + win.dilation[0] * (
        win.kernel_size[0] - 1) + wrong + 1
    assert identity(restored, H, Context()).status is not Status.PROVED
    assert remainder_bounds(wrong, S).status is Status.UNKNOWN
    assert remainder_bounds(sp.Integer(2), 2).status is Status.REFUTED


def test_a_transposed_layer_with_swapped_channels_is_not_the_gradient():
    claimed = bc.transposed_gradient(SYMBOLIC).xreplace({nt.w[l, gamma, alpha, beta]:
                                                         nt.w[gamma, l, alpha, beta]})
    outcome = identity(bc.formula(SYMBOLIC, "X"), claimed, bc.context(SYMBOLIC, "X"))
    assert outcome.status is not Status.PROVED


# --- the kernel's new rules: sound, and not fooled -------------------------------------------

n_ = sp.Symbol("n", integer=True, positive=True)


def test_flattening_equates_sums_that_differ_by_nesting_and_order():
    nested = sp.Sum(G[l, i, 1] * sp.Sum(nt.w[l, i], (i, 1, n_)), (l, 1, 3))
    assert identity(nested, sp.Sum(G[l, i, 1] * nt.w[l, i], (i, 1, n_), (l, 1, 3))
                    ).status is not Status.PROVED  # the inner i is another index
    fresh = sp.Sum(G[l, 1, 1] * sp.Sum(nt.w[l, i], (i, 1, n_)), (l, 1, 3))
    assert identity(fresh, sp.Sum(G[l, 1, 1] * nt.w[l, i], (i, 1, n_), (l, 1, 3))
                    ).status is Status.PROVED


def test_a_delta_is_summed_out_only_inside_its_range_without_padding():
    g = sp.IndexedBase("g")
    c = sp.Symbol("c", integer=True)
    total = sp.Sum(sp.KroneckerDelta(p, i + c) * g[i], (i, 1, n_))
    plain = Context([sp.Le(p, n_)])
    assert identity(total, g[p - c], plain).status is not Status.PROVED  # g is not padded
    padded = Context([sp.Le(p, n_)], zero_outside={g: (n_,)})
    assert identity(total, g[p - c], padded).status is Status.PROVED
    narrower = Context([sp.Le(p, n_)], zero_outside={g: (n_ + 1,)})
    assert identity(total, g[p - c], narrower).status is not Status.PROVED


def test_the_padding_rule_drops_only_a_condition_the_entry_range_implies():
    ctx = Context(zero_outside={nt.X: (1, H, W)})
    inside = sp.And(sp.Le(1, p + 1), sp.Le(p + 1, H))
    kept = sp.Piecewise((nt.X[1, p + 1, 1] * nt.w[1], sp.Le(p + 1, H - 1)), (0, True))
    dropped = sp.Piecewise((nt.X[1, p + 1, 1] * nt.w[1], inside), (0, True))
    assert padded_branches(dropped, ctx) == nt.X[1, p + 1, 1] * nt.w[1]
    assert padded_branches(kept, ctx) == kept  # H − 1 is stricter than X's own range
    not_padded = sp.Piecewise((nt.w[1, p + 1], inside), (0, True))
    assert padded_branches(not_padded, ctx) == not_padded


def test_reflection_is_a_bijection_and_refuses_dependent_bounds():
    g = sp.IndexedBase("g")
    mirrored, outcome = reflect(sp.Sum(alpha * g[alpha], (alpha, 1, n_)), alpha)
    assert outcome.status is Status.PROVED
    assert mirrored == sp.Sum((n_ + 1 - alpha) * g[n_ + 1 - alpha], (alpha, 1, n_))
    with pytest.raises(ValueError):
        reflect(sp.Sum(g[alpha, beta], (alpha, 1, beta), (beta, 1, n_)), alpha)
    for k in (2, 5):
        assert sp.Sum(alpha**2, (alpha, 1, k)).doit() == reflect(
            sp.Sum(alpha**2, (alpha, 1, k)), alpha)[0].doit()


def test_a_backward_range_is_not_summed_out():
    g = sp.IndexedBase("g")
    m = sp.Symbol("m", integer=True)  # may be below 0: Karr's convention applies
    total = sp.Sum(sp.KroneckerDelta(p, i) * g[i], (i, 1, m))
    assert flattened(total) == total


# --- VERIFIED exactly, and numbers against torch.autograd --------------------------------------

@pytest.mark.parametrize("layer, size", [(Conv2d(2, 1, 3), (3, 3)),
                                         (Conv2d(2, 1, 3, padding=1), (4, 4)),
                                         (CONCRETE[0], (5, 7))], ids=repr)
def test_every_entry_is_verified_exactly(layer, size):
    outcome = bc.verify_exact(layer, *size)
    assert outcome.status is Status.VERIFIED


def test_exact_integers_by_hand():
    """X = 1…9, w = 1, G = 1 on a 3×3 input, 2×2 kernel: the counts of windows per entry."""
    layer = Conv2d(1, 1, 2)
    x = np.arange(1, 10).reshape(1, 3, 3)
    grad_input, grad_weight, grad_bias = bc.conv2d_backward(layer, x, np.ones((1, 1, 2, 2)),
                                                            np.ones((1, 2, 2)))
    assert grad_input[0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    assert grad_weight[0, 0].tolist() == [[12, 16], [24, 28]]
    assert grad_bias.tolist() == [4]


@st.composite
def configurations(draw, small: bool = False):
    top = 2 if small else 4
    f1, f2 = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s1, s2 = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    d1, d2 = draw(st.integers(1, 3 if not small else 2)), draw(st.integers(1, 2))
    p1, p2 = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    span1, span2 = d1 * (f1 - 1) + 1, d2 * (f2 - 1) + 1
    height = draw(st.integers(max(1, span1 - 2 * p1), span1 + (4 if small else 7)))
    width = draw(st.integers(max(1, span2 - 2 * p2), span2 + (4 if small else 7)))
    layer = Conv2d(draw(st.integers(1, top)), draw(st.integers(1, top)), (f1, f2),
                   stride=(s1, s2), padding=(p1, p2), dilation=(d1, d2),
                   bias=draw(st.booleans()))
    return layer, draw(st.integers(1, 1 if small else 3)), height, width, draw(
        st.integers(0, 2**31))


def _draw(layer, batch, height, width, seed):
    rng = np.random.default_rng(seed)
    c_in, c_out = layer.in_channels, layer.out_channels
    x = rng.standard_normal((batch, c_in, height, width))
    weight = rng.standard_normal((c_out, c_in, *layer.kernel_size))
    bias = rng.standard_normal(c_out)
    grad = rng.standard_normal(layer.output_shape(*x.shape))
    return x, weight, bias, grad


def _close(ours, theirs):
    for a, b in zip(ours, theirs):
        if a is None or b is None:
            assert a is None and b is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_numeric_gradients_equal_torch_autograd(config):
    torch_or_skip()
    layer, batch, height, width, seed = config
    x, weight, bias, grad = _draw(layer, batch, height, width, seed)
    _close(bc.conv2d_backward(layer, x, weight, grad), bc.autograd(layer, x, weight, bias, grad))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations(small=True))
def test_the_symbolic_formulas_instantiated_equal_torch_autograd(config):
    torch_or_skip()
    layer, batch, height, width, seed = config
    x, weight, bias, grad = _draw(layer, batch, height, width, seed)
    _close(bc.formula_values(layer, x, weight, grad), bc.autograd(layer, x, weight, bias, grad))


def test_autograd_check_is_spot_checked_with_and_without_torch():
    layer = CONCRETE[0]
    assert bc.autograd_check(layer, 5, 7).status is Status.SPOT_CHECKED
    torch_or_skip()
    outcome = bc.autograd_check(layer, 5, 7, use_torch=True)
    assert outcome.status is Status.SPOT_CHECKED and outcome.samples == 5


def test_conv2d_backward_validates_its_arrays():
    layer = Conv2d(2, 3, 2)
    x, w, g = np.ones((2, 4, 4)), np.ones((3, 2, 2, 2)), np.ones((3, 3, 3))
    with pytest.raises(ShapeError, match="grad_output must have the layer's output shape"):
        bc.conv2d_backward(layer, x, w, np.ones((3, 4, 4)))
    with pytest.raises(ShapeError, match="weight must have shape"):
        bc.conv2d_backward(layer, x, np.ones((3, 3, 2, 2)), g)
    with pytest.raises(ParameterError, match="layer"):
        bc.conv2d_backward("conv", x, w, g)
    single = bc.conv2d_backward(layer, x, w, g)
    batched = bc.conv2d_backward(layer, x[None], w, g[None])
    _close((single[0][None], single[1], single[2]), batched)


# --- the worked problems -----------------------------------------------------------------------

def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, timeout=300)


def test_p7_and_p8_are_proved_for_symbolic_sizes():
    from symproof.registry import get

    for name in ("p7", "p8"):
        proof = get(name).run()
        assert proof.status is Status.PROVED, name
        assert all(s.outcome.status in (Status.PROVED, Status.GIVEN) for s in proof.steps)
        assert {c.outcome.status for c in proof.checks} <= {Status.VERIFIED,
                                                             Status.SPOT_CHECKED}


@pytest.mark.parametrize("argv, proved", [
    (("prove", "p7", "--torch", "--brief"), "PROVED"),
    (("prove", "p8", "--torch", "--brief"), "PROVED"),
    (("prove", "p7", "--set", "S=1", "--set", "f_1=3", "--set", "D=2", "--brief"), "PROVED"),
    (("prove", "p8", "--set", "S=2", "--set", "P=1", "--brief"), "PROVED"),
])
def test_cli_proves_p7_and_p8(argv, proved):
    if "--torch" in argv:
        torch_or_skip()
    done = run(*argv)
    assert done.returncode == 0, done.stderr
    assert proved in done.stdout and "REFUTED" not in done.stdout


def test_cli_p7_with_torch_names_autograd_and_its_checks():
    torch_or_skip()
    done = run("prove", "p7", "--torch")
    assert done.returncode == 0, done.stderr
    assert "torch.autograd" in done.stdout and "SPOT_CHECKED" in done.stdout
    assert "VERIFIED" in done.stdout


def test_cli_refuses_bad_settings_in_one_line():
    done = run("prove", "p7", "--set", "S=0")
    assert done.returncode == 2 and done.stderr.startswith("error: S must be a positive")
    assert "Traceback" not in done.stderr


# --- the documents -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def backprop_proofs():
    from symproof.registry import get

    return [get("p7").run(), get("p8").run(), get("p7").run({"S": "1", "f_1": "3", "D": "2"})]


@pytest.mark.parametrize("style", ["solution", "audit"])
def test_p7_and_p8_compile_without_overfull_boxes(tmp_path, backprop_proofs, style):
    from symproof.latex.document import tex_document

    from .latex_tools import need, overfull, pdflatex

    need("pdflatex")
    tex = tex_document(backprop_proofs, style=style)
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    log = pdflatex(tmp_path, "doc.tex", runs=2)
    assert all(width <= 10 for width in overfull(log)), overfull(log)
    body = tex.split(r"\begin{document}", 1)[1]
    if style == "solution":
        from .test_model_answers import INTERNAL

        assert not [word for word in INTERNAL if word.lower() in body.lower()]
        assert body.count("Therefore") == len(backprop_proofs)
    assert r"\partial theta" not in body and "kernel_size" not in body and "Conv2d" not in body


def test_p7_and_p8_export_markdown_with_math(backprop_proofs):
    from symproof.latex.document import markdown_document

    markdown = markdown_document(backprop_proofs)
    assert markdown.count("## P7") == 2 and markdown.count("## P8") == 1
    assert r"\frac{\partial L}{\partial X_{\gamma,p,q}}" in markdown
    assert r"\left\lfloor" in markdown


def test_sums_cancel_only_over_the_same_ranges():
    from symproof.kernel.flatten import cancel_renamed

    g = sp.IndexedBase("g")
    other_n = sp.Symbol("n")  # prints like n_, but is another symbol
    a = sp.Sum(g[i, j], (i, 1, n_), (j, 1, 3))
    assert cancel_renamed(a - sp.Sum(g[j, i], (j, 1, n_), (i, 1, 3))) == 0
    assert cancel_renamed(a - sp.Sum(g[i, j], (i, 1, other_n), (j, 1, 3))) != 0
    assert cancel_renamed(a - sp.Sum(g[j, i], (i, 1, n_), (j, 1, 3))) != 0  # transposed


def test_a_delta_with_expression_indices_reads_back():
    """Regression: the reader split δ's subscript at spaces, so δ_{p, S(i−1)+1} of a backward
    formula could not be read back."""
    from symproof.latex.roundtrip import reads_back
    from symproof.printing import latex

    delta = sp.KroneckerDelta(p, S * (i - 1) + D * (alpha - 1) + 1 - P)
    assert reads_back(latex(delta), delta)
