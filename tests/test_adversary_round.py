# ruff: noqa: E501  (the documents are quoted as written, one row a line)
"""Adversarial round on the claim reading of 66d1ec2 (symproof check reads its own exports):
words beside a claim that mention a divisibility without asserting it, rows that start with
an operator, labels, kernels written as matrices. Each test is a wrong verdict found here."""

from __future__ import annotations

import pytest

from symproof.claims.check import check_text
from symproof.proof import Status

_POOL = ("Average pooling with window and stride $k$ on $C$ channels is the convolution with "
         "$C_{\\text{in}} = C$, $C_{\\text{out}} = C$, $f_{1} = k$, $f_{2} = k$, $S = k$, "
         "$P = 0$.\n\n")


def _shown(found) -> str:
    return "\n".join(f"{v.line}: {v.label} {v.latex[:70]} — {v.justification[:120]}"
                     for v in found)


def _floor(beside: str) -> list:
    text = (_POOL + "\\begin{align*}\n\\left\\lfloor{\\frac{m}{k}}\\right\\rfloor &= \\frac{m}{k} "
            + beside + "\n\\end{align*}\n")
    return check_text(text)[0]


@pytest.mark.parametrize("beside", [
    r"\tag*{if $k \mid m$ then this holds, but here it does not}",
    r"\tag*{$k \mid m$ fails}",
    r"\tag*{only when $k\mid m$ does this hold; in general no}",
    r"\tag*{we do NOT assume $k \mid m$}",
    r"\tag*{suppose $k \mid m$ were false}",
    r"\tag*{$\neg (k \mid m)$}",
    r"\tag*{$\lnot\, k \mid m$}",
    r"\tag*{$k \mid m$ is false here}",
    r"\tag*{$k \mid m$ doesn't hold}",
    r"\tag*{never assume $k \mid m$}",
    r"\tag*{counterexample when $k \mid m$ is dropped}",
    r"\tag*{is it true when $k \mid m$? no}",
    r"\tag*{$k \mid m + 1$}",
    r"\tag*{$k \mid m - 1$}",
    r"\tag*{$k \mid m^2$}",
    r"\tag*{$k \mid m'$}",
    r"\tag*{$k \mid m!$}",
    r"\tag*{$k \mid m \cdot 2$}",
    r"\tag*{$a k \mid m$}",
    "% holds when k \\mid m",
    r"\tag*{hence $k \mid m$}",
    r"\tag*{which implies $k \mid m$}",
    r"\tag*{therefore $k \mid m$}",
])
def test_a_divisibility_mentioned_but_not_asserted_proves_nothing(beside):
    """⌊m/k⌋ = m/k is false in general (k = 2, m = 3): words that mention k ∣ m without
    asserting it as the claim's condition (negated, doubted, supposed, about m + 1, in a
    comment, or concluded from the claim: "hence k ∣ m") were read as its condition, and the
    claim PROVED."""
    found = _floor(beside)
    # REFUTED, or UNKNOWN where a divisibility it cannot read (k ∣ m + 1) stands beside it
    assert len(found) == 1 and found[0].status in (Status.REFUTED, Status.UNKNOWN), \
        _shown(found)


def test_an_unread_divisibility_beside_a_claim_is_no_counterexample():
    """⌊(m − 1)/k⌋ = (m − 1)/k holds where k ∣ m − 1: the divisibility beside it, not read
    as its condition, was broken by the counterexample (k = 2, m = 2): a wrong REFUTED."""
    text = (_POOL + "\\begin{align*}\n\\left\\lfloor{\\frac{m - 1}{k}}\\right\\rfloor &= "
            "\\frac{m - 1}{k} \\tag*{requires $k \\mid m - 1$}\n\\end{align*}\n")
    found = check_text(text)[0]
    assert [v.status for v in found] == [Status.UNKNOWN], _shown(found)
    found = check_text(text.replace("requires", "without"))[0]
    assert [v.status for v in found] == [Status.REFUTED], _shown(found)


def test_a_question_after_a_markdown_display_proves_nothing():
    text = _POOL + "$$\\left\\lfloor{\\frac{m}{k}}\\right\\rfloor = \\frac{m}{k}$$ Is this true when $k \\mid m$? Not in general.\n"
    found = check_text(text, markdown=True)[0]
    assert Status.PROVED not in [v.status for v in found], _shown(found)


@pytest.mark.parametrize("beside", [
    r"\tag*{\footnotesize (9) $k \mid m$: write $m = k q$ $\checkmark$}",
    r"\tag*{\footnotesize (9) floor with divisibility, assuming $k \mid m$ $\checkmark$}",
    r"\tag*{since $k \mid m$}",
    r"\qquad \text{as } k \mid m",
])
def test_a_divisibility_asserted_beside_a_claim_still_is_its_condition(beside):
    found = [v for v in _floor(beside) if v.latex.startswith("\\left\\lfloor")]
    assert [v.status for v in found] == [Status.PROVED], _shown(found)


@pytest.mark.parametrize("row", [
    r"\left\lfloor{\frac{m}{k}}\right\rfloor &= \frac{m}{k} &&\text{(9)}\;k \mid m\text{: write }m = k q\;\checkmark",
    r"\left\lfloor{\frac{m}{k}}\right\rfloor &= \frac{m}{k} &&\text{(9)}\;\text{floor with divisibility}\text{, assuming }k \mid m\;\checkmark",
])
def test_the_markdown_exports_divisibility_is_read(row):
    found = check_text(_POOL + "$$\n\\begin{aligned}\n" + row + "\n\\end{aligned}\n$$\n", markdown=True)[0]
    assert [v.status for v in found] == [Status.PROVED], _shown(found)


def test_equations_side_by_side_after_a_double_ampersand_are_two_claims():
    """``a &= b && c &= d`` (align's columns, as textbooks set two equations on one row) was
    read as ``1 + 1 = 2 3`` and ``2 3 = 3``: two wrong REFUTED of true claims."""
    found = check_text("\\begin{align*}\n1 + 1 &= 2 && 3 &= 3\n\\end{align*}\n")[0]
    assert [(v.status, v.latex) for v in found] == [
        (Status.PROVED, "1 + 1 = 2"), (Status.PROVED, "3 = 3")], _shown(found)
    found = check_text("\\begin{align*}\n1 + 1 &= 2 && 3 &= 4\n\\end{align*}\n")[0]
    assert [v.status for v in found] == [Status.PROVED, Status.REFUTED], _shown(found)
    # a column of reasons stays with its claim
    found = check_text("\\begin{align*}\n1 + 1 &= 2 && (\\text{as } 1 = 1)\n\\end{align*}\n")[0]
    assert [v.status for v in found] == [Status.PROVED], _shown(found)


_KERNEL = r"""\section{P1: a forward-difference kernel}

Find a convolution with $C_{\text{in}} = 1$, $C_{\text{out}} = 1$, $F = 3$, $S = 1$, $P = 1$.

\begin{align*}
ROWS \\
b_{1} &= 0 \\
Y_{1,i,j} &= X_{1,i,j+1} - X_{1,i,j}
\end{align*}
"""
_M = r"w_{1,1} &= \begin{bmatrix}0 & 0 & 0\\0 & -1 & 1\\0 & 0 & 0\end{bmatrix}"


@pytest.mark.parametrize("rows", [
    _M + r" \\ w_{1,1,\alpha,\beta} &= 0",
    r"w_{1,1,\alpha,\beta} &= 0 \\ " + _M,
    _M + r" \\ w_{1,1,2,\beta} &= 0",
])
def test_a_kernel_matrix_does_not_override_another_definition_of_its_kernel(rows):
    """The matrix was recorded as nine single taps, which override every definition of their
    channels: with ``w_{1,1,α,β} = 0`` (or row 2 zero) also written, the claim was PROVED
    from the matrix alone. The document's weights contradict each other (or row 2 is 0 and
    Y = 0): never PROVED."""
    found = check_text(_KERNEL.replace("ROWS", rows))[0]
    assert all(v.status is not Status.PROVED for v in found if v.latex.startswith("Y")), \
        _shown(found)


def test_a_kernel_matrix_with_a_consistent_tap_still_proves():
    found = check_text(_KERNEL.replace("ROWS", _M + r" \\ w_{1,1,2,2} &= -1"))[0]
    assert [v.status for v in found if v.latex.startswith("Y")] == [Status.PROVED], _shown(found)
    found = check_text(_KERNEL.replace("ROWS", _M))[0]
    assert [v.status for v in found if v.latex.startswith("Y")] == [Status.PROVED], _shown(found)


_CONV_NAMING_AN_MLP = r"""A convolution with $C_{\text{in}} = 1$, $C_{\text{out}} = 1$, $F = 3$, $S = 1$, $P = 0$.

In an MLP, by contrast, $y_{L} = A_{L} y_{L-1} + b_{L}$.

$$Y_{1,i,j} = b_1 + \sum_{\alpha=1}^{3}\sum_{\beta=1}^{3} w_{1,1,\alpha,\beta} X_{1,i+\alpha-1,j+\beta-1}$$

$$Y_{1,i,j} = b_1 + \sum_{\alpha=1}^{3}\sum_{\beta=1}^{3} w_{1,1,\alpha,\beta} X_{1,i+\alpha,j+\beta-1}$$
"""


def test_a_convolution_section_that_names_an_mlp_is_about_the_convolution():
    """The MLP context was inferred from ``y_{L} = A_{L} y_{L-1} + b_{L}`` anywhere in the
    section, over the convolution its prose states: the true and the false element formula
    were both UNKNOWN ("uses Y, b, w, which the context does not define")."""
    found = check_text(_CONV_NAMING_AN_MLP, markdown=True)[0]
    assert [v.status for v in found] == [Status.PROVED, Status.REFUTED], _shown(found)


@pytest.mark.parametrize("text, markdown", [
    (_POOL + "\\begin{align*}\n\\left\\lfloor{\\frac{m}{k}}\\right\\rfloor &= \\frac{m}{k} \\\\\n&\\quad + 0 \\tag*{\\footnotesize (9) $k \\mid m$: write $m = k q$ $\\checkmark$}\n\\end{align*}\n", False),
    (_POOL + "$$\n\\begin{aligned}\n\\left\\lfloor{\\frac{m}{k}}\\right\\rfloor &= \\frac{m}{k} \\\\\n&\\quad + 0 &&\\text{(9)}\\;k \\mid m\\text{: write }m = k q\\;\\checkmark\n\\end{aligned}\n$$\n", True),
    (_POOL + "\\begin{align*}\n\\left\\lfloor{\\frac{m}{k}}\\right\\rfloor &= \\frac{m}{k}\n  \\tag*{\\footnotesize (9) $k \\mid m$: write $m = k q$ $\\checkmark$}\n\\end{align*}\n", False),
])
def test_the_reason_on_the_last_line_of_a_broken_row_is_beside_its_claim(text, markdown):
    """A row broken across lines carries its tag on its last line (where LaTeX and symproof's
    exports put it): the words beside the claim were its first line's only, so the
    divisibility written in the tag was lost and the step wrongly REFUTED."""
    found = check_text(text, markdown=markdown)[0]
    assert [v.status for v in found] == [Status.PROVED], _shown(found)


_MONOTONE = r"$$\sigma(\max(a, c)) = \max(\sigma(a), \sigma(c))$$"


@pytest.mark.parametrize("words", [
    r"although \sigma is non-monotone here",
    r"(\sigma is non-increasing)",
    r"with \sigma decreasing (not increasing)",
    r"only if $\sigma$ is nondecreasing, which tanh need not be; here $\sigma$ is not monotone",
])
def test_words_that_deny_a_nondecreasing_sigma_prove_nothing(words):
    """σ(max(a, c)) = max(σ(a), σ(c)) holds for a nondecreasing σ only (σ(x) = −x: a = 0,
    c = 1 gives −0 ≠ −1): "non-increasing", "non-monotone", "decreasing (not increasing)"
    were read as "σ nondecreasing", and the claim PROVED."""
    found = check_text(f"# Pooling\n\n{_MONOTONE} {words}\n", markdown=True)[0]
    assert [v.status for v in found] == [Status.UNKNOWN], _shown(found)


@pytest.mark.parametrize("beside", [
    r"&& \text{if } a \geq 0",
    r"&& (a \geq 0)",
    r"\tag{$a \geq 0$}",
    r"\tag*{for $a \geq 0$}",
    r"&& \text{(valid for } a \geq 0)",
])
def test_a_condition_in_a_tag_or_reason_column_is_never_refuted_away(beside):
    """max(a, 0) = a holds for a ≥ 0. The reader now drops tags and ``&&`` columns, and the
    condition in them with it: the claim was REFUTED with a = −7/3, a counterexample that
    breaks the writer's own condition (before 66d1ec2 it was UNKNOWN or UNPARSED)."""
    found = check_text("\\begin{align*}\n\\max(a, 0) &= a " + beside + "\n\\end{align*}\n")[0]
    assert [v.status for v in found if v.latex.startswith("\\max")] == [Status.UNKNOWN], \
        _shown(found)
    # without a condition the claim is refuted as before
    found = check_text("\\begin{align*}\n\\max(a, 0) &= a \\tag{3}\n\\end{align*}\n")[0]
    assert [v.status for v in found] == [Status.REFUTED], _shown(found)


_IDENTITY_KERNEL = r"""\section{P}

A convolution with $C_{\text{in}} = 1$, $C_{\text{out}} = 1$, $F = 2$, $S = 1$, $P = 0$.

\begin{align*}
w_{1,1,\alpha,\beta} &= 1 ONE \\
w_{1,1,\alpha,\beta} &= 0 ZERO \\
b_{1} &= 0 \\
Y_{1,i,j} &= X_{1,i,j} + X_{1,i+1,j+1}
\end{align*}
"""


@pytest.mark.parametrize("one, zero", [
    (r"&& \alpha = \beta", r"&& \alpha \neq \beta"),
    (r"\quad \text{if } \alpha = \beta", r"\quad \text{if } \alpha \neq \beta"),
    (r"&& \text{if } \alpha = \beta", r"&& \text{otherwise}"),
])
def test_a_weight_definition_under_a_condition_beside_it_is_not_read_without_it(one, zero):
    """w = 1 on the diagonal, 0 elsewhere: Y = X_{i,j} + X_{i+1,j+1} (true). The condition
    column was split off as a claim of its own (``&& α = β``) or dropped, or the definition
    went unrecorded: the claim was REFUTED for every weight (or with w = 1 everywhere)."""
    found = check_text(_IDENTITY_KERNEL.replace("ONE", one).replace("ZERO", zero))[0]
    assert Status.REFUTED not in [v.status for v in found], _shown(found)
    assert [v.status for v in found if v.latex.startswith("Y")] == [Status.UNKNOWN], \
        _shown(found)


def test_columns_of_claims_on_other_names_are_still_two_claims():
    found = check_text("\\begin{align*}\nx + 0 &= x && y + 0 &= y\n\\end{align*}\n")[0]
    assert [v.latex for v in found] == ["x + 0 = x", "y + 0 = y"], _shown(found)


def test_definitions_in_intertext_hold():
    """``\\intertext{where $b_1 = 0$ and $w_{1,1,1,1} = 2$, so}`` between rows: the reader
    now drops the intertext, and the definitions in it went with it: Y = 2 X (true with the
    document's weights) was REFUTED for every weight."""
    text = r"""\section{P}

A convolution with $C_{\text{in}} = 1$, $C_{\text{out}} = 1$, $F = 1$, $S = 1$, $P = 0$.

\begin{align*}
Y_{1,i,j} &= w_{1,1,1,1} X_{1,i,j} + b_1 \\
\intertext{where $b_1 = 0$ and $w_{1,1,1,1} = 2$, so}
Y_{1,i,j} &= 2 X_{1,i,j}
\end{align*}
"""
    found = check_text(text)[0]
    assert Status.REFUTED not in [v.status for v in found], _shown(found)
    assert [v.status for v in found if v.latex == "Y_{1,i,j} = 2 X_{1,i,j}"] == [Status.PROVED]
    wrong = check_text(text.replace("= 2$", "= 3$"))[0]
    assert [v.status for v in wrong if v.latex == "Y_{1,i,j} = 2 X_{1,i,j}"] == [Status.REFUTED]


@pytest.mark.parametrize("beside", [
    r"&& \text{since } w_{1,1,1,1} = 2,\ b_1 = 0",
    r"\tag{since $w_{1,1,1,1} = 2$, $b_1 = 0$}",
])
def test_weights_given_in_a_reason_beside_the_claim_are_no_counterexample(beside):
    """The weights the reason beside a claim sets (dropped with the tag or column) make
    Y = 2X true; judged for every weight it was REFUTED."""
    text = ("A convolution with $C_{\\text{in}} = 1$, $C_{\\text{out}} = 1$, $F = 1$, $S = 1$, "
            "$P = 0$.\n\n\\begin{align*}\nY_{1,i,j} &= 2 X_{1,i,j} " + beside
            + "\n\\end{align*}\n")
    found = check_text(text)[0]
    assert [v.status for v in found] == [Status.UNKNOWN], _shown(found)
