"""Adversarial regressions (check 13, soundness of verdicts): each test states a claim, why it is
true or false (or undecidable from the document), and the verdict it must get."""

from __future__ import annotations

from symproof.claims.check import check_text


def verdicts(document: str) -> dict[int, tuple[str, str]]:
    found, _ = check_text(document, markdown=True)
    return {v.line: (v.label, v.reason) for v in found}


def test_element_formula_with_an_unbound_name_is_unknown_not_refuted():
    """``Y = 2X + c``, ``Y = m·Σ…`` and ``X_{1,i,j+t}``: c, m and t are bound by nothing; a
    counterexample that gives them a value (t = 3/2 as an index offset!) refutes nothing."""
    doc = "\n".join([
        "<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=k stride=1 padding=0 "
        "bias=false -->",
        "",
        r"$$w_{1,1,\alpha,\beta} = 1$$",
        "",
        r"$$Y_{1,i,j} = \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} X_{1,i+\alpha-1,j+\beta-1} + c$$",
        "",
        r"$$Y_{1,i,j} = m \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} X_{1,i+\alpha-1,j+\beta-1}$$",
        "",
        r"$$Y_{1,i,j} = \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} X_{1,i+\alpha-1,j+\beta-1+t}$$",
        "",
        r"$$Y_{1,i,j} = \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} X_{1,i+\alpha-1,j+\beta}$$",
    ])
    found = verdicts(doc)
    for line, name in ((5, "c"), (7, "m"), (9, "t")):
        assert found[line][0] == "UNKNOWN", (line, found[line])
        assert name in found[line][1]
    assert found[11][0] == "REFUTED"  # an off-by-one with only bound names is still refuted


def test_element_formula_with_an_unbound_constant_numeric_layer():
    """The same with a numeric kernel (no size of the context in the claim at all)."""
    doc = "\n".join([
        "<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=1 stride=1 padding=0 -->",
        "",
        r"$$w_{1,1,1,1} = 2$$",
        "",
        r"$$Y_{1,i,j} = 2 X_{1,i,j} + c$$",
        "",
        r"$$Y_{1,i,j} = 2 X_{1,i,j} + b_1$$",
    ])
    found = verdicts(doc)
    assert found[5][0] == "UNKNOWN" and "c" in found[5][1]
    assert found[7][0] == "PROVED"


def test_printed_counterexample_names_every_value_it_depends_on():
    """PyTorch's H_out with kernel_size[1] for kernel_size[0]: false at s = 1 (H_in = 2,
    k_1 = 1, k_2 = 2, p = 0, d = 1: 2 rows, the claim says 1) but true at s = 2. The line
    printed the first six values only, leaving out s = 1: at s = 2 the sides agree."""
    doc = "\n".join([
        "<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=k_1xk_2 stride=s "
        "padding=p dilation=d input=H_inxW_in -->",
        "",
        r"$$H_{out} = \left\lfloor\frac{H_{in}  + 2 \times \text{padding}[0] - \text{dilation}[0]"
        r" \times (\text{kernel\_size}[1] - 1) - 1}{\text{stride}[0]} + 1\right\rfloor$$",
    ])
    label, reason = verdicts(doc)[3]
    assert label == "REFUTED"
    assert "s = " in reason


def test_index_level_counterexample_gives_an_index_an_integer():
    """∂/∂[A_ℓ]_{i,j} Σ_k [A_ℓ]_{p,k}[y_{ℓ−1}]_k is δ_{pi}[y_{ℓ−1}]_j, not [y_{ℓ−1}]_j: false
    for p ≠ i. The counterexample gave the row index p the value 4/3."""
    doc = "\n".join([
        "## P6",
        "",
        r"Since $y_L = A_L y_{L-1} + b_L$ and $y_\ell = \sigma(A_\ell y_{\ell-1} + b_\ell)$,",
        "",
        r"$$\frac{\partial}{\partial [A_\ell]_{i,j}} \left( \sum_{k=1}^{n_{\ell-1}} "
        r"[A_{\ell}]_{p,k} [y_{\ell-1}]_k \right) = \delta_{pi} [y_{\ell-1}]_j$$",
        "",
        r"$$\frac{\partial}{\partial [A_\ell]_{i,j}} \left( \sum_{k=1}^{n_{\ell-1}} "
        r"[A_{\ell}]_{p,k} [y_{\ell-1}]_k \right) = [y_{\ell-1}]_j$$",
    ])
    found, _ = check_text(doc, markdown=True)
    by_line = {v.line: v for v in found}
    assert by_line[5].label == "PROVED"
    wrong = by_line[7]
    assert wrong.label in ("REFUTED", "UNKNOWN")
    if wrong.label == "REFUTED":
        shown = wrong.evidence["counterexample"]
        p, size = int(shown["p"]), int(shown["n[ell]"])
        assert 1 <= p <= size and p != int(shown["i"])


def test_wrong_rank_message_shows_no_reader_placeholder():
    """[σ(ρ(X))]_{i,j} in a pooling context whose X has 3 indices: the message named the
    reader's placeholders, "X[a_0, a_1]", which the document never wrote."""
    doc = "\n".join([
        "<!-- symproof maxpool2d kernel_size=k stride=k input=mxn -->",
        "",
        r"$$\left[\sigma(\rho(X))\right]_{i,j} = \sigma\Big(\left[\rho(X)\right]_{i,j}\Big)$$",
    ])
    label, reason = verdicts(doc)[3]
    assert label == "UNKNOWN"
    assert "a_0" not in reason and "X" in reason


def test_input_size_stated_in_prose_is_used_not_contradicted():
    """F = 3, S = 2, P = 1 and $H_{\\rm in} = 7$: H_out = ⌊(7 + 2 − 3)/2⌋ + 1 = 4. The prose's
    H_in was ignored and "H_out = 4" refuted with H_in = 2, against the document's data."""
    doc = "\n".join([
        "# Problem 1",
        "",
        r"The parameters are $C_{\rm in} = 1$, $C_{\rm out} = 1$, F = 3, S = 2, P = 1, and the "
        r"input has $H_{\rm in} = 7$ and $W_{\text{in}} = 5$ pixels.",
        "",
        r"$$H_{\text{out}} = 4$$",
        "",
        r"$$H_{\text{out}} = 3$$",
        "",
        r"$$W_{\text{out}} = 3$$",
    ])
    found = verdicts(doc)
    assert found[5][0] == "PROVED"
    assert found[7][0] == "REFUTED" and "H_in = 2" not in found[7][1]
    assert found[9][0] == "PROVED"


def _pool_counterexample_respects_padding(doc: str, line: int) -> None:
    found, _ = check_text(doc, markdown=True)
    verdict = next(v for v in found if v.line == line)
    assert verdict.label in ("REFUTED", "UNKNOWN"), verdict.reason
    if verdict.label == "REFUTED":
        shown = verdict.evidence["counterexample"]
        assert 2 * int(shown.get("p", 0)) <= int(shown["k"]), shown


def test_pooling_counterexample_pads_at_most_half_the_kernel():
    """H_out of max pooling with p for 2p: false (H_in = 2, k = 2, p = 1, d = 2, s = 1 gives
    2 rows, the claim 1), but it was refuted with k = 2, p = 2, which PyTorch refuses
    ("pad should be at most half of effective kernel size")."""
    doc = "\n".join([
        "<!-- symproof maxpool2d kernel_size=k stride=s padding=p dilation=d input=H_inxW_in -->",
        "",
        r"$$H_{out} = \left\lfloor \frac{H_{in} + p - d (k-1) - 1}{s} + 1 \right\rfloor$$",
    ])
    _pool_counterexample_respects_padding(doc, 3)


def test_ceil_mode_pooling_counterexample_pads_at_most_half_the_kernel():
    """Average pooling with ceil_mode: ⌈(H + 2p − k)/s⌉ + 1 forgets the window that would
    start in the padding (H_in = 2, k = 3, p = 1, s = 3: PyTorch gives 1); it was refuted
    with k = 1, p = 1."""
    doc = "\n".join([
        "<!-- symproof avgpool2d kernel_size=k stride=s padding=p ceil_mode=true "
        "input=H_inxW_in -->",
        "",
        r"$$H_{out} = \left\lceil \frac{H_{in} + 2 p - k}{s} \right\rceil + 1$$",
    ])
    _pool_counterexample_respects_padding(doc, 3)


def test_transposed_counterexample_keeps_output_padding_below_the_stride():
    """o' = s(i' − 1) − a + k − 2p is false whenever a > 0, but it was refuted with s = 1,
    a = 1, which PyTorch refuses (output_padding < max(stride, dilation))."""
    doc = "\n".join([
        "<!-- symproof convtranspose2d in_channels=1 out_channels=1 kernel_size=k stride=s "
        "padding=p output_padding=a input=H_inxH_in -->",
        "<!-- symproof names i'=H_in o'=H_out -->",
        "",
        r"$$o' = s (i' - 1) - a + k - 2p$$",
    ])
    found, _ = check_text(doc, markdown=True)
    verdict = next(v for v in found if v.line == 4)
    assert verdict.label in ("REFUTED", "UNKNOWN"), verdict.reason
    if verdict.label == "REFUTED":
        shown = verdict.evidence["counterexample"]
        assert int(shown.get("a", 0)) < int(shown.get("s", 1)), shown


def test_two_definitions_of_one_function_in_other_forms_do_not_conflict():
    """σ(x) = tanh(x) and σ(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) define one function: they were reported
    as a conflict ("sigma(x,) is tanh(x) here, …"), and every claim about σ' left UNKNOWN."""
    doc = "\n".join([
        r"$$\sigma(x) = \tanh(x)$$",
        "",
        r"$$\sigma'(x) = 1 - \sigma(x)^2$$",
        "",
        r"$$\sigma'(x) = 1 + \sigma(x)^2$$",
        "",
        r"$$\sigma(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}$$",
    ])
    found = verdicts(doc)
    assert found[1][0] == "GIVEN" and found[7][0] == "GIVEN"
    assert found[3][0] == "PROVED"
    assert found[5][0] == "REFUTED"


def test_a_real_function_conflict_names_the_call_plainly():
    doc = "\n".join([r"$$\sigma(x) = \tanh(x)$$", "",
                     r"$$\sigma(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}} + 1$$"])
    found = verdicts(doc)
    assert found[1][0] == "UNKNOWN" and found[3][0] == "UNKNOWN"
    assert "sigma(x)" in found[1][1] and "(x,)" not in found[1][1]


def test_divisibility_counterexample_keeps_input_entries_inside_the_input():
    """Average pooling as a convolution (k | m) with an extra term X_{l,ki+1,…}: false (for
    i < m/k the row ki + 1 is in the input). It was refuted with m = 1, k = 1 and
    X[3, 2, 1] = 1, an entry outside the 1 × 1 input, where X is 0: the divisibility tactic
    wrote m = k·q in the claim but kept the input's size m, drawn apart."""
    doc = "\n".join([
        "<!-- symproof conv2d in_channels=C out_channels=C kernel_size=k stride=k padding=0 "
        "bias=false input=mxm -->",
        r"<!-- symproof assume k \mid m -->",
        "",
        r"$$w_{l,\gamma,\alpha,\beta} = \begin{cases} \frac{1}{k^2} & (\gamma = l) \\ 0 & "
        r"(\text{otherwise}) \end{cases}$$",
        "",
        r"$$Y_{l,i,j} = \frac{1}{k^2} \sum_{\alpha=1}^{k} \sum_{\beta=1}^{k} "
        r"X_{l,k(i-1)+\alpha,k(j-1)+\beta} + \frac{1}{k^2} \sum_{\alpha=1}^{k} "
        r"X_{l, k i + 1, k(j-1)+\alpha}$$",
    ])
    found, _ = check_text(doc, markdown=True)
    verdict = next(v for v in found if v.line == 6)
    assert verdict.label in ("REFUTED", "UNKNOWN"), verdict.reason
    if verdict.label == "REFUTED":
        shown = verdict.evidence["counterexample"]
        m = int(shown["m"])
        for name, value in shown.items():
            if name.startswith("X[") and int(value) != 0:
                row, col = (int(v) for v in name[2:-1].split(", ")[1:])
                assert 1 <= row <= m and 1 <= col <= m, shown
