"""The context of `symproof check` (symproof/claims/context.py): one grammar for layer fields
shared with `symproof layer`, directives for every layer kind, symbolic directive values that
are the claims' symbols, every `assume` form, and inference from prose that states only some
sizes. Outcomes are asserted on real text; counterexamples are checked against the
assumptions they must respect."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.context import (
    DocumentContext,
    assume,
    infer_context,
    layer_from,
    sizes_of,
)
from symproof.claims.parse import parse_latex
from symproof.errors import ParameterError
from symproof.layers.spec import specs
from symproof.params import input_from_text
from symproof.proof import Status

DATA = Path(__file__).parent / "data"


def verdicts_of(text: str) -> list:
    return check_text(text, markdown=True)[0]


def labels(text: str) -> list[tuple[int, str]]:
    return [(v.line, v.label) for v in verdicts_of(text)]


def counterexample(verdict) -> dict[str, sp.Expr]:
    """The counterexample a REFUTED verdict shows, as numbers by name."""
    shown = verdict.evidence.get("counterexample", {})
    return {name: sp.Rational(value) for name, value in shown.items()
            if re.fullmatch(r"-?[0-9]+(/[0-9]+)?", value)}


# --- one grammar for layer fields ------------------------------------------------------------

@pytest.mark.parametrize("kind, name, text, expected", [
    ("conv2d", "kernel_size", "3x1", (3, 1)),
    ("conv2d", "stride", "1,2", (1, 2)),
    ("conv2d", "stride", "2", 2),
    ("conv2d", "padding", "0", 0),
    ("conv1d", "kernel_size", "5", 5),
    ("avgpool2d", "ceil_mode", "true", True),
    ("avgpool2d", "count_include_pad", "false", False),
])
def test_field_from_text_reads_the_grammar_of_the_command_line(kind, name, text, expected):
    spec = specs()[kind]
    assert spec.field(name).from_text(text, len(spec.axes)) == expected


def test_field_from_text_symbols_are_positive_integers_and_paddings_nonnegative():
    spec = specs()["conv2d"]
    k = spec.field("kernel_size").from_text("k", 2)
    p = spec.field("padding").from_text("p", 2)
    assert k.is_integer and k.is_positive and p.is_integer and p.is_nonnegative
    assert p.is_positive is None  # a padding may be 0
    # a padding named like a positive size elsewhere is that same symbol
    same = spec.field("padding").from_text("k", 2, positive=frozenset({"k"}))
    assert same == k


@pytest.mark.parametrize("kind, name, text, rule", [
    ("conv2d", "kernel_size", "0", "positive integer"),
    ("conv2d", "kernel_size", "3x3x3", "one value or 2 values"),
    ("conv1d", "kernel_size", "3x3", "one value"),
    ("conv2d", "padding", "-1", "integer"),
    ("avgpool2d", "ceil_mode", "maybe", "true or false"),
    ("conv2d", "stride", "1+1", "integer"),
])
def test_field_from_text_refuses_with_parameter_value_and_rule(kind, name, text, rule):
    spec = specs()[kind]
    with pytest.raises(ParameterError) as error:
        spec.field(name).from_text(text, len(spec.axes))
    assert error.value.name == name and rule in str(error.value)


def test_one_input_reader_for_the_cli_and_directives():
    assert input_from_text("5x7", ("H", "W"), 3) == (3, 5, 7)
    assert input_from_text("3x5x7", ("H", "W"), 3) == (3, 5, 7)
    assert input_from_text("5", ("L",)) == (None, 5)
    m, n = sp.symbols("m n", integer=True, positive=True)
    assert input_from_text("mxn", ("H", "W"), 1) == (1, m, n)
    for text, rule in (("2x5x5", "3 channels"), ("5x5x5x5", "HxW or CxHxW"),
                       ("ixj", "must not use the symbol i")):
        with pytest.raises(ParameterError, match=rule):
            input_from_text(text, ("H", "W"), 3)


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, timeout=300)


def test_the_cli_and_a_directive_build_the_same_layer():
    shown = run("layer", "conv2d", "--in-channels", "3", "--kernel-size", "3x1",
                "--stride", "1x2", "--input", "5x7")
    assert shown.returncode == 0, shown.stderr
    layer, dims, _, _ = layer_from(("conv2d", "in_channels=3", "kernel_size=3x1",
                                    "stride=1x2", "input=5x7"))
    assert repr(layer) in shown.stdout and dims == (5, 7)
    assert "(1, 3, 4)" in shown.stdout  # 5 − 3 + 1 rows, ⌊(7 − 1)/2⌋ + 1 columns
    refused = run("layer", "conv2d", "--in-channels", "3", "--kernel-size", "3",
                  "--input", "2x5x5")
    assert refused.returncode == 2 and "input must have the layer's 3 channels" in refused.stderr


# --- directives for every layer kind ---------------------------------------------------------

@pytest.mark.parametrize("directive, claim, status", [
    ("conv2d in_channels=3 kernel_size=3 input=5x5", r"H_{\text{out}} = 3", "PROVED"),
    ("conv2d in_channels=3 kernel_size=3 input=3x5x5", r"W_{\text{out}} = 3", "PROVED"),
    ("conv2d kernel_size=3x1 stride=1x2 input=5x7", r"W_{\text{out}} = 4", "PROVED"),
    ("conv2d kernel_size=3x1 stride=1x2 input=5x7", r"H_{\text{out}} = 4", "REFUTED"),
    ("conv2d in_channels=4 out_channels=4 groups=2 kernel_size=3 dilation=2 input=mxn",
     r"H_{\text{out}} = m - 4", "PROVED"),
    ("conv1d kernel_size=3 input=7", r"L_{\text{out}} = 5", "PROVED"),
    ("convtranspose2d kernel_size=3 stride=2 input=4x4", r"H_{\text{out}} = 9", "PROVED"),
    ("convtranspose2d kernel_size=3 stride=2 output_padding=1 input=4x4",
     r"H_{\text{out}} = 10", "PROVED"),
    ("maxpool2d kernel_size=2x1 stride=1x2 input=5x7", r"H_{\text{out}} = 4", "PROVED"),
    ("maxpool2d kernel_size=2 stride=2 ceil_mode=true input=5x5", r"H_{\text{out}} = 3",
     "PROVED"),
    ("maxpool2d kernel_size=2 stride=2 input=5x5", r"H_{\text{out}} = 3", "REFUTED"),
    ("avgpool2d kernel_size=3 stride=2 ceil_mode=true count_include_pad=false input=6x6",
     r"H_{\text{out}} = 3", "PROVED"),
    ("linear in_features=3 out_features=2", "1 + 1 = 2", "PROVED"),
])
def test_directives_for_every_layer_kind(directive, claim, status):
    for form in (f"%! symproof {directive}", f"<!-- symproof {directive} -->"):
        verdicts = verdicts_of(f"{form}\n$${claim}$$\n")
        assert [(v.line, v.label) for v in verdicts] == [(2, status)], verdicts


@pytest.mark.parametrize("directive, words", [
    ("conv2d kernel_size=0", ["kernel_size", "positive integer", "0"]),
    ("conv2d kernel_size=3 stride=1x2x3", ["stride", "one value or 2 values", "1x2x3"]),
    ("conv2d kernel_size=3 input=2x2", ["2"]),
    ("conv2d kernel_size=3 colour=red", ["setting", "colour", "one of"]),
    ("conv2d kernel_size=3 kernel_size=5", ["kernel_size", "once"]),
    ("conv2d kernel_size=", ["kernel_size", "needs a value"]),
    ("avgpool2d kernel_size=2 stride=2 ceil_mode=perhaps", ["ceil_mode", "true or false"]),
    ("conv2d", ["kernel_size", "required"]),
    ("pool3d kernel_size=2", ["layer", "pool3d", "one of"]),
    ("assume", ["assume", "statement"]),
    ("assume k \\le", ["cannot read"]),
])
def test_a_bad_directive_is_reported_at_its_line_and_the_rest_is_checked(directive, words):
    verdicts = verdicts_of(f"text\n%! symproof {directive}\n$$1 + 1 = 2$$\n$$1 + 1 = 3$$\n")
    at = [v for v in verdicts if v.line == 2]
    assert len(at) == 1 and at[0].status is Status.UNKNOWN, verdicts
    for word in words:
        assert word in at[0].reason, at[0].reason
    assert [(v.line, v.label) for v in verdicts if v.line > 2] == [(3, "PROVED"),
                                                                   (4, "REFUTED")]


# --- symbolic directive values are the claims' symbols ---------------------------------------

def test_symbolic_directive_values_prove_the_textbook_size_formula():
    text = ("%! symproof conv2d kernel_size=F stride=S padding=P input=HxW\n"
            r"$$H_{\text{out}} = \left\lfloor \frac{H + 2P - F}{S} \right\rfloor + 1$$" "\n"
            r"$$H_{\text{out}} = \frac{H + 2P - F}{S} + 1$$" "\n")
    verdicts = verdicts_of(text)
    assert [(v.line, v.label) for v in verdicts] == [(2, "PROVED"), (3, "REFUTED")]
    shown = counterexample(verdicts[1])
    assert all(v.is_integer and v >= 0 for v in shown.values())
    assert shown.get("S", 1) >= 1 and shown.get("F", 1) >= 1


def test_lowercase_symbolic_values_stay_positive_integers_in_every_claim():
    text = ("%! symproof conv2d kernel_size=k stride=s padding=p input=rxr\n"
            r"$$H_{\text{out}} = \left\lfloor \frac{r + 2p - k}{s} \right\rfloor + 1$$" "\n"
            r"$$|s| = s$$" "\n"
            r"$$\left\lfloor \frac{s}{s+1} \right\rfloor = 0$$" "\n"
            r"$$\left\lfloor \frac{r + 2p}{s} \right\rfloor = \left\lfloor \frac{r}{s} "
            r"\right\rfloor + \left\lfloor \frac{2p}{s} \right\rfloor$$" "\n")
    verdicts = verdicts_of(text)
    assert [v.label for v in verdicts] == ["PROVED", "PROVED", "PROVED", "REFUTED"]
    shown = counterexample(verdicts[3])
    assert shown["s"] >= 1 and shown["r"] >= 1 and shown.get("p", 0) >= 0
    assert all(v.is_integer for v in shown.values())


def test_the_context_binds_its_symbols_by_name():
    ctx = DocumentContext()
    layer, dims, _, _ = layer_from(("conv2d", "kernel_size=k", "stride=s", "padding=p",
                                    "input=rxr"))
    ctx.values.update(sizes_of(layer, dims, None))
    ctx.bind_names()
    s = ctx.values["s"]
    assert s.is_positive and s.is_integer and ctx.values["p"].is_nonnegative
    assert s == layer.stride[0]  # the very symbol of the layer


# --- assume, in every form -------------------------------------------------------------------

def test_a_claim_true_only_under_the_assumption():
    claim = r"$$\max(m, 4) = m$$"
    for form in ("%! symproof assume m > 4", "<!-- symproof assume m \\ge 5 -->",
                 "%! symproof assume 5 \\le m"):
        assert labels(f"{form}\n{claim}\n") == [(2, "PROVED")], form
    without = verdicts_of(f"text\n{claim}\n")[0]
    assert without.status in (Status.REFUTED, Status.UNKNOWN)
    if without.status is Status.REFUTED:
        assert counterexample(without)["m"] <= 3


def test_a_counterexample_never_breaks_an_assumption():
    text = "%! symproof assume m \\ge 5\n$$\\max(m, 6) = m$$\n"
    (verdict,) = verdicts_of(text)
    assert verdict.status in (Status.REFUTED, Status.UNKNOWN)
    if verdict.status is Status.REFUTED:
        assert counterexample(verdict)["m"] == 5  # the only admissible value below 6


def test_assume_k_odd_eliminates_k_with_or_without_a_layer():
    alone = ("%! symproof assume k = 2n+1\n"
             r"$$\left\lfloor \frac{k}{2} \right\rfloor = n$$" "\n"
             r"$$\frac{k - 1}{2} = n$$" "\n"
             r"$$\left\lfloor \frac{k}{2} \right\rfloor = n + 1$$" "\n")
    assert labels(alone) == [(2, "PROVED"), (3, "PROVED"), (4, "REFUTED")]
    layer = ("%! symproof conv2d kernel_size=k input=mxm\n%! symproof assume k = 2n+1\n"
             r"$$H_{\text{out}} = m - 2n$$" "\n" r"$$H_{\text{out}} = m - 2n - 1$$" "\n")
    verdicts = verdicts_of(layer)
    assert [v.label for v in verdicts] == ["PROVED", "REFUTED"]
    assert counterexample(verdicts[1]).get("n", 0) >= 0  # k = 2n + 1 ≥ 1
    described = check_text(layer, markdown=True)[1][-1][1].described
    assert "assuming k = 2n+1" in described and "2*n + 1" in described


def test_assume_an_equation_solves_for_the_name_that_keeps_sizes_integers():
    text = ("%! symproof conv2d kernel_size=F padding=P input=HxW\n"
            "%! symproof assume P = (F-1)/2\n"
            r"$$H_{\text{out}} = H$$" "\n" r"$$H_{\text{out}} = H + 1$$" "\n")
    assert labels(text) == [(3, "PROVED"), (4, "REFUTED")]


def test_assume_divisibility_with_and_without_a_layer():
    layer = ("<!-- symproof avgpool2d kernel_size=k stride=k channels=C input=mxm -->\n"
             "<!-- symproof assume k \\mid m -->\n$$W_{\\text{out}} = \\frac{m}{k}$$\n")
    assert labels(layer) == [(3, "PROVED")]
    alone = ("<!-- symproof assume k \\mid m -->\n"
             r"$$\left\lfloor \frac{m}{k} \right\rfloor = \frac{m}{k}$$" "\n")
    assert labels(alone) == [(2, "PROVED")]
    assert labels(alone.split("\n", 1)[1])[0][1] != "PROVED"


def test_assumptions_before_the_first_directive_hold_in_every_context():
    text = ("%! symproof assume m > 4\n"
            "%! symproof conv2d kernel_size=3 input=mxm\n$$\\max(m, 4) = m$$\n"
            "%! symproof conv2d kernel_size=5 input=mxm\n$$\\max(m, 4) = m$$\n")
    assert labels(text) == [(3, "PROVED"), (5, "PROVED")]


def test_assume_reads_with_the_contexts_own_symbols():
    ctx = DocumentContext()
    layer, dims, _, _ = layer_from(("conv2d", "kernel_size=k", "input=mxm"))
    ctx.layer = layer
    ctx.values.update(sizes_of(layer, dims, None))
    ctx.bind_names()

    def read(text, known=()):
        return parse_latex(text, known=list(known))

    assume(ctx, r"2 \le k", read)
    (relation,) = ctx.assumptions
    assert layer.kernel_size[0] in relation.free_symbols


# --- inference from prose --------------------------------------------------------------------

def test_prose_with_only_some_sizes_gives_a_layer_with_symbolic_rest():
    text = ("Here F = 3, S = 2, P = 1.\n\n"
            r"$$H_{\text{out}} = \left\lfloor \frac{H_{\text{in}} - 1}{2} \right\rfloor + 1$$"
            "\n" r"$$H_{\text{out}} = \frac{H_{\text{in}} - 1}{2} + 1$$" "\n")
    verdicts, contexts = check_text(text, markdown=True)
    assert [(v.line, v.label) for v in verdicts] == [(3, "PROVED"), (4, "REFUTED")]
    described = contexts[0][1].described
    assert "F = 3" in described and "symbolic" in described and "C_in" in described
    assert counterexample(verdicts[1])["H_in"] >= 1


def test_a_bad_value_in_prose_is_reported_on_its_line_and_the_rest_is_checked():
    text = ("# One\n\nThe parameters are $C_{\\rm in} = 0$, $C_{\\rm out} = 2$, F = 3.\n\n"
            "$$1 + 1 = 2$$\n\n# Two\n\nHere F = 3, S = 2, P = 1.\n\n"
            "$$H_{\\text{out}} = \\left\\lfloor \\frac{H_{\\text{in}} - 1}{2} \\right\\rfloor"
            " + 1$$\n"
            "$$1 + 1 = 3$$\n")
    verdicts = verdicts_of(text)
    assert [(v.line, v.label) for v in verdicts] == [
        (3, "UNKNOWN"), (5, "PROVED"), (11, "PROVED"), (12, "REFUTED")]
    assert "C_in must be a positive integer, got 0" in verdicts[0].reason
    result = run("check", "--json", str(DATA / "seed_solution.md"))
    assert result.returncode in (0, 1)


@pytest.mark.parametrize("prose, problem", [
    ("P = -1, F = 3", "P must be"),
    ("F = 3, S = 0", "S must be a positive integer"),
    ("F = 3, S = l", "must not use the symbol l"),
])
def test_bad_prose_values(prose, problem):
    ctx, problems = infer_context(prose, 1)
    assert ctx.layer is None and len(problems) == 1 and problem in problems[0].reason


def test_display_math_is_not_prose():
    ctx, problems = infer_context("$C_{\\rm in}=1$, F = 3.\n$$b = 0$$\n", 1)
    assert ctx.layer.bias is True and not problems  # b = 0 displayed is a claim, not data


def test_a_decimal_in_prose_is_no_size():
    ctx, _ = infer_context("Take F = 3.5 here.", 1)
    assert ctx.layer is None


SEED = (DATA / "seed_solution.md").read_text()


def test_seed_problem_2_and_3_contexts():
    verdicts, contexts = check_text(SEED, markdown=True)
    by_start = {start: ctx for start, ctx in contexts}
    p2 = by_start[21].layer
    assert (p2.in_channels, p2.out_channels) == (sp.Symbol("C", integer=True, positive=True),) * 2
    k = sp.Symbol("k", integer=True, positive=True)
    assert p2.kernel_size == (k, k) and p2.stride == (k, k) and p2.padding == (0, 0)
    assert p2.bias is False
    p3 = by_start[44].layer
    assert (p3.in_channels, p3.out_channels, p3.kernel_size, p3.bias) == (3, 1, (1, 1), False)
    at = {}
    for v in verdicts:
        at.setdefault(v.line, []).append(v)
    # P2, line 33: the layer with the weights of line 29 and b = 0; line 25 the general formula
    assert [v.label for v in at[25]] == ["PROVED"] and [v.label for v in at[33]] == ["PROVED"]
    assert [v.label for v in at[29]] == ["PROVED"]
    # P2, lines 38 and 40: W_out = |(W_in − f_1 + 2P)/S + 1| with bars (absolute value, as
    # written) is false unless k | W_in: refuted with a counterexample where k ∤ W_in; the
    # second link equates W_in with the writer's m, which nothing binds: UNKNOWN, naming m;
    # |(m − k + 0)/k + 1| = m/k holds.
    for line, size in ((38, "W_in"), (40, "H_in")):
        first, second, third = at[line]
        assert (first.label, second.label, third.label) == ("REFUTED", "UNKNOWN", "PROVED")
        shown = counterexample(first)
        assert shown[size] % shown["k"] != 0
        assert "m" in second.reason
    # P3, line 48: an unbiased convolution with C_in = 3, C_out = 1, F = S = 1, P = 0
    assert [v.label for v in at[48]] == ["PROVED"]
    # P1's padding error stays refuted
    assert [v.label for v in at[9]] == ["REFUTED"] and at[13][0].label == "REFUTED"


def test_seed_continuation_lines_judged_in_their_context():
    """Lines 34 and 49 of the seed continue a display on the next line (``$$= …$$``); here
    each is written as a link of one chain, to judge them in P2's and P3's contexts."""
    lines = SEED.split("\n")
    lines[32] = lines[32].rstrip("$") + " " + lines[33].lstrip("$")
    lines[33] = ""
    lines[47] = lines[47].rstrip("$") + " " + lines[48].lstrip("$")
    lines[48] = ""
    verdicts = verdicts_of("\n".join(lines))
    at = {}
    for v in verdicts:
        at.setdefault(v.line, []).append(v.label)
    assert at[33] == ["PROVED", "PROVED"]
    assert at[48] == ["PROVED", "PROVED"]


# --- soundness: random directives and the true size formula ----------------------------------

_VALUE = st.one_of(st.integers(1, 4).map(str), st.sampled_from(["F", "S", "k", "s", "a"]))


def _formula(kind: str, n: str, k: str, s: str, p: str, how: str = "") -> str:
    """The output size of one axis as LaTeX: the textbook formula, or a subtly false twin
    (``how``: off by one, missing floor, padding with the wrong sign)."""
    sign = "-" if how == "sign" else "+"
    if kind == "convtranspose2d":
        flipped = "+" if how == "sign" else "-"
        formula = rf"({n} - 1) \cdot {s} {flipped} 2 \cdot {p} + ({k} - 1) + 1"
    elif how == "missing floor":
        formula = rf"\frac{{{n} {sign} 2 \cdot {p} - {k}}}{{{s}}} + 1"
    else:
        formula = rf"\left\lfloor \frac{{{n} {sign} 2 \cdot {p} - {k}}}{{{s}}} \right\rfloor + 1"
    return formula + (" + 1" if how == "off by one" else "")


def _size(kind: str, n: int, k: int, s: int, p: int, how: str = ""):
    """What :func:`_formula` says, in numbers."""
    sign = -1 if how == "sign" else 1
    if kind == "convtranspose2d":
        value = (n - 1) * s - sign * 2 * p + k
    elif how == "missing floor":
        value = sp.Rational(n + 2 * p - k, s) + 1
    else:
        value = (n + sign * 2 * p - k) // s + 1
    return value + (1 if how == "off by one" else 0)


def _differs(kind: str, values: dict, how: str) -> bool:
    """Whether the twin differs from the true size somewhere the layer is defined (a small
    search: symbols range over 0…5, sizes positive, the window inside the padded input, a
    pooling padding at most half its window)."""
    names = sorted({v for v in values.values() if not v.isdigit()})
    for point in itertools.product(range(6), repeat=len(names)):
        at = dict(zip(names, point))
        n, k, s, p = (int(values[x]) if values[x].isdigit() else at[values[x]]
                      for x in ("n", "k", "s", "p"))
        if min(n, k, s) < 1 or p < 0 or (kind != "convtranspose2d" and n + 2 * p < k):
            continue
        if kind.endswith("pool2d") and 2 * p > k:
            continue
        if _size(kind, n, k, s, p) != _size(kind, n, k, s, p, how):
            return True
    return False


_VALUE = st.one_of(st.integers(1, 4).map(str), st.sampled_from(["F", "S", "k", "s", "a"]))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["conv2d", "conv1d", "maxpool2d", "avgpool2d", "convtranspose2d"]),
       n=_VALUE, k=_VALUE, s=_VALUE, p=st.one_of(st.integers(0, 2).map(str), st.just("q")),
       how=st.sampled_from(["off by one", "missing floor", "sign"]))
def test_random_directives_true_formula_never_refuted_twin_never_proved(kind, n, k, s, p,
                                                                        how):
    if kind == "convtranspose2d" and how == "missing floor":
        how = "off by one"  # it has no floor to miss
    fields = f"kernel_size={k} stride={s} padding={p}"
    if kind in ("conv2d", "conv1d", "convtranspose2d"):
        fields = f"in_channels=1 out_channels=1 {fields}"
    axis, size = ("L", n) if kind == "conv1d" else ("H", f"{n}x{n}")
    out = f"{axis}_{{\\text{{out}}}}"
    text = (f"%! symproof {kind} {fields} input={size}\n"
            f"$${out} = {_formula(kind, n, k, s, p)}$$\n"
            f"$${out} = {_formula(kind, n, k, s, p, how)}$$\n")
    verdicts = verdicts_of(text)
    statuses = {v.line: v.status for v in verdicts}
    assert statuses.get(2) is not Status.REFUTED, verdicts
    if _differs(kind, {"n": n, "k": k, "s": s, "p": p}, how):
        assert statuses.get(3) is not Status.PROVED, verdicts
    for v in verdicts:
        if v.status is Status.REFUTED:  # sizes positive integers, the padding from 0
            shown = counterexample(v)
            assert all(shown.get(name, 1) >= 1 for name in ("F", "S", "k", "s", "a")), v.reason
            assert all(value.is_integer for value in shown.values()), v.reason
            assert shown.get("q", 0) >= 0, v.reason


@pytest.mark.parametrize("stated", ["k = 2n+1", "k = 2n+5", "k = 2n - 1"])
def test_an_odd_kernel_may_be_1_so_max_k_2_is_not_k(stated):
    """k = 1 is odd (n = 0, −2 or 1): the letter n, a positive size in the course's table,
    ranges here over the integers that keep k positive, never only n ≥ 1."""
    verdicts = verdicts_of(f"%! symproof assume {stated}\n$$\\max(k, 2) = k$$\n"
                           "$$\\max(k, 1) = k$$\n")
    assert [v.label for v in verdicts] in (["REFUTED", "PROVED"], ["UNKNOWN", "PROVED"])
    if verdicts[0].status is Status.REFUTED:
        assert counterexample(verdicts[0]).get("k", 1) == 1


def test_a_document_wide_assumption_that_does_not_fit_a_context_is_reported():
    text = ("%! symproof assume a \\mid b\n%! symproof conv2d kernel_size=3\n$$1 + 1 = 2$$\n")
    verdicts = verdicts_of(text)
    assert [(v.line, v.label) for v in verdicts][-1] == (3, "PROVED")
    assert {v.line for v in verdicts if v.status is Status.UNKNOWN} == {1}


_SIZE = st.one_of(st.integers(1, 3).map(str), st.sampled_from(["a", "c", "D"]))


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(kernel=st.tuples(_SIZE, _SIZE), stride=st.tuples(_SIZE, _SIZE), dilation=_SIZE,
       n=st.tuples(st.integers(5, 9).map(str), st.sampled_from(["m", "r"])),
       twin=st.sampled_from(["off by one", "no dilation", "other axis"]))
def test_pairs_and_dilation_true_sizes_never_refuted_twins_never_proved(kernel, stride,
                                                                         dilation, n, twin):
    """``kernel_size=AxB stride=SxT dilation=D input=NxM``: each axis pairs with its own
    kernel and stride; the textbook size ⌊(n − D(f − 1) − 1)/s⌋ + 1 is never refuted, and a
    twin that differs somewhere (off by one, the dilation left out, the other axis's kernel)
    is never proved."""
    directive = (f"%! symproof conv2d kernel_size={kernel[0]}x{kernel[1]} "
                 f"stride={stride[0]}x{stride[1]} dilation={dilation} input={n[0]}x{n[1]}")

    def size(axis: int, how: str = "") -> str:
        f = kernel[1 - axis] if how == "other axis" else kernel[axis]
        span = f"{f}" if how == "no dilation" else rf"{dilation} \cdot ({f} - 1) + 1"
        extra = " + 1" if how == "off by one" else ""
        return (rf"\left\lfloor \frac{{{n[axis]} - ({span})}}{{{stride[axis]}}} \right\rfloor"
                f" + 1{extra}")

    claims = [f"$$H_{{\\text{{out}}}} = {size(0)}$$", f"$$W_{{\\text{{out}}}} = {size(1)}$$",
              f"$$H_{{\\text{{out}}}} = {size(0, twin)}$$",
              f"$$W_{{\\text{{out}}}} = {size(1, twin)}$$"]
    verdicts = verdicts_of("\n".join([directive, *claims]) + "\n")
    if verdicts and verdicts[0].line == 1:
        return  # the window does not fit the input: reported at the directive, nothing judged
    status = {v.line: v.status for v in verdicts}
    assert status.get(2) is not Status.REFUTED and status.get(3) is not Status.REFUTED, verdicts
    for axis, line in ((0, 4), (1, 5)):
        if _twin_differs(kernel, stride, dilation, n, axis, twin):
            assert status.get(line) is not Status.PROVED, verdicts
    for v in verdicts:
        if v.status is Status.REFUTED:
            shown = counterexample(v)
            assert all(value >= 1 and value.is_integer for value in shown.values()), v.reason


def _twin_differs(kernel, stride, dilation, n, axis, twin) -> bool:
    """Whether a twin differs from the true size for some admissible values (symbols 1…6, the
    dilated window inside the input)."""
    names = sorted({v for v in (*kernel, *stride, dilation, *n) if not v.isdigit()})
    for point in itertools.product(range(1, 7), repeat=len(names)):
        at = dict(zip(names, point))

        def value(text: str, at: dict = at) -> int:
            return int(text) if text.isdigit() else at[text]

        ks, ss, d, ns = [value(k) for k in kernel], [value(s) for s in stride], value(
            dilation), [value(x) for x in n]
        if any(ns[a] < d * (ks[a] - 1) + 1 for a in (0, 1)):
            continue
        true = (ns[axis] - d * (ks[axis] - 1) - 1) // ss[axis] + 1
        f = ks[1 - axis] if twin == "other axis" else ks[axis]
        span = f if twin == "no dilation" else d * (f - 1) + 1
        other = (ns[axis] - span) // ss[axis] + 1 + (1 if twin == "off by one" else 0)
        if true != other:
            return True
    return False


def test_an_equation_with_two_new_names_declares_no_range():
    """m = xy holds for x = y = −1 (m = 1): declaring x, y positive would lose that pair, so
    nothing is proved of x's sign."""
    verdicts, _ = check_text("%! symproof assume m = xy\n$$\\max(x, 0) = x$$\n")
    assert verdicts[0].status is not Status.PROVED
