"""Wrong verdicts an adversary found in the sum rewriting, the vectorised exact check, the
synthesis proof and check (issue #10 review), each pinned by a test, and a property that the
sum rules agree with a brute-force evaluation."""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import Conv2d, Status, symbols, synthesize
from symproof.claims.check import check_text
from symproof.kernel import Context, expand_sums, identity
from symproof.kernel.linear import exhaustive_linear
from symproof.notation import X, i, j
from symproof.synthesis_proof import synthesis_proof, uniqueness

t, u, v = sp.symbols("t u v", integer=True)
A, B, m, n = symbols("A B m n")
g = sp.Function("g")


def test_a_name_bound_twice_is_two_sums():
    twice = sp.Sum(sp.Sum(sp.KroneckerDelta(t, 2), (t, 1, 3)), (t, 1, 3))  # = 3
    assert identity(twice, 3).status is Status.PROVED
    assert identity(twice, 1).status is not Status.PROVED
    lhs = sp.Sum(sp.Sum(sp.KroneckerDelta(t, 2) * X[1, t + i], (t, 1, 3)), (t, 1, 3))
    grid = {i: range(1, 4)}
    assert getattr(exhaustive_linear(lhs, X[1, i + 2], grid, "d"), "status", None) \
        is not Status.VERIFIED
    assert getattr(exhaustive_linear(lhs, 3 * X[1, i + 2], grid, "d"), "status", None) \
        is not Status.REFUTED


def test_an_outer_bound_naming_the_pinned_index_is_another_symbol():
    w = sp.Symbol("u", integer=True, positive=True)  # the outer bound: a free u ≥ 1
    total = sp.Sum(g(w) * sp.KroneckerDelta(w, 2), (w, 1, 3), (v, 1, w))  # = u·g(2)
    assert identity(total, w * g(2)).status is Status.PROVED
    assert identity(total, 2 * g(2)).status is not Status.PROVED
    f = sp.Function("f")
    shadowed = sp.Sum(v * sp.Sum(f(v), (v, 1, n)), (v, 1, 3))  # an inner sum rebinds v
    assert identity(shadowed, 6 * sp.Sum(f(v), (v, 1, n))).status is Status.PROVED


def test_backward_symbolic_ranges_follow_karr():
    total = sp.Sum(sp.KroneckerDelta(v, 3), (v, A, B))  # B = 1, A = 5: −Σ_{2}^{4} δ = −1
    assert identity(total, 0, Context([sp.Ge(A, 4)])).status is not Status.PROVED
    assert identity(total.subs({A: 5, B: 1}), -1).status is Status.PROVED


def test_sympys_delta_summation_is_not_trusted():
    wrong = sp.Piecewise((1, (n >= 2) & (m >= n / 2)), (0, True))
    assert identity(sp.Sum(sp.KroneckerDelta(2 * v, n), (v, 1, m)), wrong).status \
        is not Status.PROVED
    x = sp.Symbol("x", real=True)
    assert identity(sp.Sum(sp.KroneckerDelta(v, x) * g(v), (v, 1, n)),
                    sp.Piecewise((g(x), (x >= 1) & (x <= n)), (0, True))).status \
        is not Status.PROVED


def test_entries_of_different_rank_are_different():
    outcome = exhaustive_linear(X[1, i], X[1, i, 0], {i: range(1, 4)}, "t")
    assert outcome.status is Status.REFUTED


def test_a_symbolic_padding_does_not_refute_a_synthesis():
    padding = symbols("P", nonnegative=True)
    found = synthesize(Conv2d(1, 1, 3, padding=padding), [X[1, i + 1, j]])
    assert uniqueness(found).status is Status.PROVED
    assert synthesis_proof(found, "t", "t", "t").status is not Status.REFUTED


def test_a_counterexample_lets_the_kernel_fit_both_axes():
    doc = ("<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=3 input=mxn -->\n"
           "$$H_{\\text{out}} = \\left| m - 2 \\right|$$\n$$H_{\\text{out}} = n - 2$$\n")
    verdicts, _ = check_text(doc)
    assert verdicts[0].status is not Status.REFUTED
    assert verdicts[1].status is Status.REFUTED
    assert int(verdicts[1].evidence["counterexample"]["m"]) >= 3


def test_overlapping_cases_take_the_first_row_that_holds():
    weights = ("$$w_{1,1,\\alpha,\\beta} = \\begin{cases} 1 & (\\alpha = 2, \\beta = 2) \\\\ "
               "5 & (\\alpha = 2) \\\\ 0 & (\\text{otherwise}) \\end{cases}$$\n")
    doc = ("<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=3 padding=1 "
           "bias=false -->\n" + weights +
           "$$Y_{1,i,j} = X_{1,i,j} + 5 X_{1,i,j-1} + 5 X_{1,i,j+1}$$\n")
    verdicts, _ = check_text(doc)
    assert [v.label for v in verdicts] == ["PROVED", "PROVED"]


# --- the rules against brute force -----------------------------------------------------------

def _brute(total: sp.Sum, at: dict) -> sp.Expr:
    """A finite sum by its definition (Karr's convention for backward ranges), innermost limit
    first, with the free symbols at ``at``."""
    def over(limits: list, at: dict) -> sp.Expr:
        if not limits:
            return total.function.xreplace(at)
        *inner, (variable, low, high) = limits  # the outermost limit is the last
        low, high = int(low.xreplace(at)), int(high.xreplace(at))
        sign, values = (1, range(low, high + 1)) if high >= low - 1 else (
            -1, range(high + 1, low))
        return sign * sp.Add(*(over(inner, {**at, variable: sp.Integer(k)}) for k in values))

    return over(list(total.limits), at)


BOUNDS = st.sampled_from([sp.Integer(1), sp.Integer(3), A, B, A + 1, B - 2, sp.Integer(0)])
PARTNERS = st.sampled_from([sp.Integer(2), A, B, A - B, sp.Integer(7), u])


@given(BOUNDS, BOUNDS, BOUNDS, BOUNDS, PARTNERS, st.booleans(), st.integers(0, 3),
       st.integers(0, 3), st.integers(0, 3))
def test_pinned_and_written_sums_equal_their_definition(lo1, hi1, lo2, hi2, partner, nested,
                                                        a, b, c):
    body = sp.KroneckerDelta(t, partner) * g(t + 2 * v) + (v if nested else 0)
    total = sp.Sum(body, (t, lo1, hi1), (v, lo2, hi2))
    rewritten = expand_sums(total)
    at = {A: sp.Integer(a + 1), B: sp.Integer(b + 1), u: sp.Integer(c)}
    expected = _brute(total, at)
    got = rewritten.xreplace(at)
    got = got.doit() if got.has(sp.Sum) else got
    assert sp.simplify(sp.piecewise_fold(got) - expected) == 0, (total, at, rewritten)


# --- second round (issue #10 review of the CLI and documents) --------------------------------

def _verdicts(doc: str) -> list[str]:
    return [v.label for v in check_text(doc)[0]]


def test_an_exact_zero_simplify_cannot_see_is_not_a_counterexample():
    doc = ("$$\\cos(\\frac{\\pi}{7})\\cos(\\frac{2\\pi}{7})\\cos(\\frac{4\\pi}{7}) = "
           "-\\frac{1}{8}$$\n"
           "$$\\cos(\\frac{2\\pi}{7})+\\cos(\\frac{4\\pi}{7})+\\cos(\\frac{6\\pi}{7}) = "
           "-\\frac{1}{2}$$\n$$\\cos(\\frac{\\pi}{7}) = 1$$\n")
    statuses = _verdicts(doc)
    assert "REFUTED" not in statuses[:2]  # both are true (exactly 0 differences)
    assert statuses[2] == "REFUTED"


def test_written_sums_over_empty_ranges_are_empty():
    doc = ("$$\\sum_{i=5}^{3} i = 0$$\n$$\\sum_{i=5}^{3} i = -4$$\n$$\\prod_{t=5}^{3} t = 1$$\n"
           "$$\\sum_{t=1}^{m-3} 1 = m-3$$\n$$\\sum_{t=1}^{m} 1 = m$$\n")
    assert _verdicts(doc) == ["PROVED", "REFUTED", "PROVED", "REFUTED", "PROVED"]


def test_under_k_divides_m_counterexamples_respect_it():
    doc = ("<!-- symproof avgpool2d kernel_size=k stride=k channels=C input=mxm -->\n"
           "<!-- symproof assume k \\mid m -->\n"
           "$$W_{\\text{out}} = \\left\\lfloor \\frac{2m+k-1}{2k} \\right\\rfloor$$\n"
           "$$W_{\\text{out}} = \\frac{m}{k}$$\n$$W_{\\text{out}} = \\frac{m}{k} + 1$$\n")
    verdicts = check_text(doc)[0]
    assert verdicts[0].status is not Status.REFUTED  # true: ⌊q + (k − 1)/(2k)⌋ = q
    assert verdicts[1].status is Status.PROVED and verdicts[2].status is Status.REFUTED
    values = verdicts[2].evidence["counterexample"]
    if "k" in values and "m" in values:
        assert int(values["m"]) % int(values["k"]) == 0


def test_line_breaks_other_than_newline_do_not_move_directives():
    doc = ("<!-- symproof conv2d kernel_size=3 padding=0 input=8x8 -->\n"
           "$$W_{\\text{out}} = 6$$\n\f\f\v\u2028\n"
           "<!-- symproof conv2d kernel_size=3 padding=1 input=8x8 -->\n$$W_{\\text{out}} = 8$$\n")
    assert _verdicts(doc) == ["PROVED", "PROVED"]


def test_malformed_latex_is_unparsed_and_the_rest_checked():
    doc = ("$$\\delta_ = \\begin{cases} 1 \\end{cases}$$\n$$[x]_ = 1$$\n"
           "%! symproof assume \\bar{X}\n$$a + a = 2a$$\n")
    statuses = _verdicts(doc)
    assert statuses[-1] == "PROVED" and set(statuses[:-1]) == {"UNPARSED"}


def test_mathematics_in_code_is_not_checked():
    doc = ("```\n$$a = a + 1$$\n<!-- symproof conv2d kernel_size=3 -->\n```\n"
           "\\begin{verbatim}\n$$b = b + 1$$\n\\end{verbatim}\n\\verb|$$c = c + 1$$|\n"
           "$$d + d = 2d$$\n")
    verdicts, contexts = check_text(doc)
    assert [v.label for v in verdicts] == ["PROVED"] and len(contexts) >= 1


# --- third round ---------------------------------------------------------------------------

def test_summation_indices_are_not_assumed_positive():
    doc = ("$$\\sum_{i=-2}^{2} |i| = 0$$\n$$\\sum_{i=-2}^{2} |i| = 6$$\n"
           "$$\\sum_{k=-3}^{3} \\sqrt{k^2} = 0$$\n"
           "$$\\sum_{i=-2}^{1}\\sum_{j=1}^{i} 1 = 1$$\n$$\\sum_{i=-2}^{1}\\sum_{j=1}^{i} 1 = -2$$\n"
           "$$\\sum_{\\alpha=1}^{3} X_{1,i+\\alpha} = X_{1,i+1}+X_{1,i+2}+X_{1,i+3}$$\n")
    assert _verdicts(doc) == ["REFUTED", "PROVED", "REFUTED", "PROVED", "REFUTED", "PROVED"]


def test_assumptions_hold_without_a_layer_and_every_divisibility_counts():
    doc = ("<!-- symproof assume n \\ge 3 -->\n<!-- symproof assume 2 \\mid n -->\n"
           "<!-- symproof assume 3 \\mid n -->\n$$\\sum_{i=1}^{n-2} 1 = n-2$$\n"
           "$$\\lfloor n/2\\rfloor = n/2$$\n$$\\lfloor n/3\\rfloor = n/3$$\n"
           "$$\\lfloor n/3\\rfloor = n/3 + 1$$\n")
    assert _verdicts(doc) == ["PROVED", "PROVED", "PROVED", "REFUTED"]
    odd = "<!-- symproof assume 2 \\mid n+1 -->\n$$\\lfloor (n+1)/2\\rfloor=(n+1)/2$$\n"
    assert _verdicts(odd) == ["PROVED"]


def test_x_is_zero_outside_its_range_and_positions_stay_in_the_output():
    doc = ("<!-- symproof conv2d kernel_size=3 padding=1 input=5x5 -->\n"
           "$$Y_{1,1,1} = b_1 + \\sum_{\\alpha=2}^{3}\\sum_{\\beta=2}^{3} w_{1,1,\\alpha,\\beta}"
           "X_{1,\\alpha-1,\\beta-1}$$\n"
           "$$Y_{1,5,5} = b_1 + \\sum_{\\alpha=1}^{2}\\sum_{\\beta=1}^{2} w_{1,1,\\alpha,\\beta}"
           "X_{1,3+\\alpha,3+\\beta}$$\n"
           "$$Y_{1,1,1} = b_1 + w_{1,1,2,2} X_{1,1,1}$$\n")
    verdicts = check_text(doc)[0]
    assert [v.label for v in verdicts] == ["PROVED", "PROVED", "REFUTED"]
    shown = verdicts[2].evidence["counterexample"]
    assert all("0" not in key.split(",")[1:] for key in shown if key.startswith("X"))


def test_values_that_make_a_sum_bound_fractional_are_no_counterexample():
    v = sp.Symbol("v")
    claim = sp.Sum(1, (t, 1, v**2))
    assert identity(claim, sp.floor(v**2)).status is not Status.REFUTED


def test_a_jump_at_an_exact_zero_is_not_trusted():
    from symproof.kernel import certainly_nonzero

    e = 8 * sp.cos(sp.pi / 7) * sp.cos(2 * sp.pi / 7) * sp.cos(4 * sp.pi / 7)
    assert not certainly_nonzero(sp.sign(e + 1))
    assert certainly_nonzero(sp.sqrt(2) - 1)


def test_code_is_neither_checked_nor_annotated_and_user_text_is_kept():
    from symproof.claims.annotate import annotate

    md = ("Here:\n\n    <!-- symproof conv2d kernel_size=3 -->\n    $$ Y_{1,i,j} = 0 $$\n\n"
          "And `$$ 1 = 2 $$` is code.\n- item\n\n    $$ a + a = 2a $$\n")
    verdicts, contexts = check_text(md, markdown=True)
    assert [v.label for v in verdicts] == ["PROVED"] and len(contexts) >= 1
    kept = "$$ 1 = 1 $$\n<!-- symproof: PROVED x --> Important user text. <!-- end -->\n"
    out = annotate(kept, [SimpleNamespace(line=1, label="PROVED", reason="identity")],
                   markdown=True)
    assert "Important user text" in out
    tex = "\\[ x = 1 \\] \\begin{verbatim}\ncode\n\\end{verbatim}\n"
    noted = annotate(tex, [SimpleNamespace(line=1, label="UNKNOWN", reason="\\end{verbatim}")],
                     markdown=False)
    assert noted.split("\n").index("\\end{verbatim}") < noted.split("\n").index(
        "% symproof: UNKNOWN \\end{verbatim}")


def test_exact_jacobian_check_with_widths_of_two_digits_is_not_refuted():
    """Entry names A1_111 used to collide ((1, 11) and (11, 1)): a correct formula was
    REFUTED once two adjacent widths reached 11 (found while reading issue #14)."""
    from symproof.backprop import verify_exact

    assert verify_exact((11, 11, 1)).status.name == "VERIFIED"
    assert verify_exact((2, 12, 1)).status.name == "VERIFIED"
