"""Resource limits: what input can make explode is refused at once, with the limit's name and
how to raise it; what is reasonable passes, and raising a limit lets more through."""

from __future__ import annotations

import threading
import time

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symproof import limits
from symproof.claims.check import check_text
from symproof.claims.parse import parse_latex
from symproof.errors import ParameterError, TooLargeError
from symproof.params import size_from_text
from symproof.proof import Status

# Each of these hung or ate gigabytes on main before the limits (issue #10).
EXPLOSIVE = {
    r"\prod_{i=1}^{10^9} i = 1": "integer_digits",
    r"(10^9)! = 2": "integer_digits",
    r"2^{2^{2^{2^{10}}}} = 3": "integer_digits",
    r"\sum_{i=1}^{10^{12}} X_{1,i,j} = 0": "expanded_terms",
    r"(a + b)^{1000000} = 0": "integer_digits",
    r"(a + b + c + d)^{100} = 0": "expanded_terms",
    "1" * 1500 + " = 1": "integer_digits",
    "{" * 10_000 + "x" + "}" * 10_000: "claim_chars",
    "{" * 2_000 + "x" + "}" * 2_000: "nesting_depth",
    "{" * 60 + "x" + "}" * 60: "nesting_depth",
    r"x = " + "+".join(["y"] * 6000): "claim_chars",
    "x_{" * 5 + "2" + "}" * 5: "script_depth",
    r"3^{\frac{200000001}{2}} = 1": "integer_digits",
}


@pytest.mark.parametrize("claim, limit", EXPLOSIVE.items(), ids=range(len(EXPLOSIVE)))
def test_explosive_claims_are_refused_at_once(claim, limit):
    start = time.perf_counter()
    with pytest.raises(TooLargeError) as refused:
        parse_latex(claim)
    assert time.perf_counter() - start < 2
    message = str(refused.value)
    assert f"over the limit {limit} = " in message and f"--limit {limit}=N" in message


@pytest.mark.parametrize("claim", [
    r"\sum_{\gamma=1}^{3} \sum_{\alpha=1}^{5} \sum_{\beta=1}^{5} w_{l,\gamma,\alpha,\beta} "
    r"X_{\gamma,i+\alpha-1,j+\beta-1} + b_l = Y_{l,i,j}",
    r"\left\lfloor \frac{m - k}{k} + 1 \right\rfloor = \frac{m}{k}",
    r"2^{64} = 18446744073709551616",
    r"10^{999} + 1 = x",
    r"\prod_{i=1}^{20} i = 2432902008176640000",
    r"(a + b)^{20} = c",
])
def test_reasonable_claims_pass(claim):
    parse_latex(claim)


def test_a_claim_that_takes_too_long_is_stopped():
    # beyond plain arithmetic (\sqrt), so latex2sympy's grammar reads it, and needs seconds
    slow = "x = " + "+".join([r"\sqrt{y}"] * 450)
    start = time.perf_counter()
    with limits.raised(claim_seconds=1), pytest.raises(TooLargeError, match="claim_seconds = 1"):
        parse_latex(slow)
    assert time.perf_counter() - start < 1.5
    verdicts, _ = check_text(f"$${slow}$$\n$$a + a = 2a$$\n")  # the rest is still checked
    assert [v.label for v in verdicts][-1] == "PROVED"


def test_a_long_plain_sum_is_read_at_once():
    start = time.perf_counter()
    with limits.raised(claim_seconds=1):
        parsed = parse_latex("x = " + "+".join(["y"] * 1000))
    assert parsed.rhs == 1000 * sp.Symbol("y") and time.perf_counter() - start < 1


def test_raising_a_limit_lets_more_through_and_only_there():
    claim = "1" * 1500 + " = x"
    with pytest.raises(TooLargeError):
        parse_latex(claim)
    with limits.raised(integer_digits=2000):
        parse_latex(claim)
    with pytest.raises(TooLargeError):
        parse_latex(claim)  # the raise ended with its block
    seen = []
    with limits.raised(integer_digits=2000):
        thread = threading.Thread(target=lambda: seen.append(limits.current().integer_digits))
        thread.start()
        thread.join()
    assert seen == [1000]  # another thread keeps its own limits


@pytest.mark.parametrize("changes, message", [
    ({"teapots": 3}, "limit must be one of"),
    ({"claims": 0}, "claims must be a positive integer"),
    ({"claims": True}, "claims must be a positive integer"),
    ({"claims": 2.5}, "claims must be a positive integer"),
])
def test_bad_limits(changes, message):
    with pytest.raises(ParameterError, match=message), limits.raised(**changes):
        pass


@pytest.mark.parametrize("text", ["٣", "３", "1e3", "0x10", "1_000", "-3", "3.0", " ", "²"])
def test_sizes_from_text_are_ascii_digits_or_names(text):
    with pytest.raises(ParameterError, match="digits 0-9"):
        size_from_text("kernel_size", text)


def test_sizes_from_documents_are_bounded():
    assert size_from_text("in_channels", "1024", bounded=True) == 1024
    with pytest.raises(TooLargeError, match="in_channels is 1,000,000,000, over the limit "
                                            "layer_size"):
        size_from_text("in_channels", "1000000000", bounded=True)
    assert size_from_text("in_channels", "1000000000") == 10**9  # shapes alone are cheap


def test_document_limits():
    with limits.raised(claims=2), pytest.raises(TooLargeError, match="claims = 2"):
        check_text("$$a = a$$ $$b = b$$ $$c = c$$")
    with limits.raised(document_bytes=100), pytest.raises(TooLargeError, match="document_bytes"):
        check_text("x" * 101)


def test_a_too_large_claim_is_reported_and_the_rest_still_checked():
    doc = ("$$\\prod_{i=1}^{10^9} i = 1$$\n"
           "<!-- symproof conv2d in_channels=1000000000 kernel_size=3 -->\n"
           "$$Y_{1,i,j} = 0$$\n$$\\frac{m-k}{k} + 1 = \\frac{m}{k}$$\n")
    start = time.perf_counter()
    verdicts, _ = check_text(doc)
    assert time.perf_counter() - start < 10
    by_line = {v.line: v for v in verdicts}
    assert by_line[1].status is Status.UNKNOWN and "integer_digits" in by_line[1].reason
    assert by_line[2].label == "UNPARSED" and "layer_size" in by_line[2].reason
    assert by_line[4].status is Status.PROVED


@given(st.recursive(
    st.one_of(st.integers(-10**6, 10**6).map(sp.Integer), st.sampled_from(sp.symbols("x y"))),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda ab: sp.Add(*ab, evaluate=False)),
        st.tuples(inner, inner).map(lambda ab: sp.Mul(*ab, evaluate=False)),
        st.tuples(inner, st.integers(0, 5000).map(sp.Integer)).map(
            lambda be: sp.Pow(*be, evaluate=False)),
        inner.map(lambda e: sp.factorial(e, evaluate=False)),
    ), max_leaves=8))
def test_whatever_passes_the_check_evaluates_quickly(expr):
    """The estimate is an upper bound: an expression it accepts is evaluated and expanded in
    moments, and the number it denotes has no more digits than the limit allows."""
    try:
        limits.check_expression(expr)
    except TooLargeError:
        return
    start = time.perf_counter()
    value = sp.expand(expr.doit())
    assert time.perf_counter() - start < 5
    for number in value.atoms(sp.Integer):
        assert len(str(abs(int(number)))) <= limits.current().integer_digits
