"""What `symproof check` tells a user is in the document's own words: no internal placeholder
(the parser's ``\\Xi_{000}``), one line per reason, and a length a terminal can show."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symproof.claims.check import check_text
from symproof.claims.extract import extract
from symproof.claims.parse import ParseError, parse_latex
from symproof.cli import main

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_solution.md"
CORPUS = DATA / "claims_corpus.md"
PLACEHOLDER = re.compile(r"\\?Xi_\{[0-9]+\}")


def _assert_clean(reason: str) -> None:
    assert not PLACEHOLDER.search(reason), reason
    assert "\n" not in reason and "~~~" not in reason, reason


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory):
    """The seed checked three ways: text, JSON, annotated copy."""
    folder = tmp_path_factory.mktemp("seed")
    out = {}
    for name, options in (("text", []), ("json", ["--json"])):
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            main(["check", *options, str(SEED)])
        out[name] = stdout.getvalue()
    with contextlib.redirect_stdout(io.StringIO()):
        main(["check", "--json", "--annotate", str(folder / "notes.md"), str(SEED)])
    out["annotate"] = (folder / "notes.md").read_text()
    return out


def test_no_placeholder_in_any_output_on_the_seed(seed_outputs):
    for name, text in seed_outputs.items():
        assert not PLACEHOLDER.search(text), (name, PLACEHOLDER.search(text))
    for verdict in json.loads(seed_outputs["json"]):
        _assert_clean(verdict["reason"])
        if verdict["status"] == "UNPARSED":
            assert len(verdict["reason"]) <= 240


def test_an_unread_fragment_is_quoted_as_written_with_the_place():
    with pytest.raises(ParseError) as error:
        parse_latex(r"( X_{1,1} + X_{1,2} )_{i,j}^{k}!!")
    assert str(error.value) == (r"cannot read '( X_{1,1} + X_{1,2} )_{i,j}^{k}!!': "
                                "I expected something else at '_{i,j}^{k}!!'")
    with pytest.raises(ParseError, match=r"^cannot read 'w_\{1,1,1,1\} = 1\)': .* at '\)'$"):
        parse_latex("w_{1,1,1,1} = 1)")


def test_a_name_holding_a_placeholder_is_spelled_as_written():
    """latex2sympy makes one name of n_{\\ell-1}; it reads as the document wrote it."""
    verdicts, _ = check_text(r"$$n_{\ell-1} + 1 = n_{\ell-1} + 2 - 1$$")
    (verdict,) = verdicts
    _assert_clean(verdict.reason)
    assert verdict.label == "UNKNOWN" and "uses n_{\\ell-1}," in verdict.reason


def test_a_document_writing_the_placeholder_is_not_confused_with_it():
    """A document's own \\Xi_{000} used to stand for the parser's first placeholder, which
    PROVED X + \\Xi_{000} = 2X."""
    verdicts, _ = check_text(r"$$X_{1,1,1} + \Xi_{000} = 2 X_{1,1,1}$$")
    assert [v.label for v in verdicts] == ["UNKNOWN"]
    assert "Ξ_{000}" in verdicts[0].reason


def test_a_long_unread_claim_is_cut_with_an_ellipsis():
    claim = "( " + " + ".join(f"X_{{1,{k}}}" for k in range(1, 200)) + " )_{i}^{k}!!"
    verdicts, _ = check_text(f"$$a = {claim}$$")
    (verdict,) = verdicts
    assert verdict.label == "UNPARSED" and len(verdict.reason) <= 240 and "…" in verdict.reason
    _assert_clean(verdict.reason)


# Pieces of the seed's and the corpus's claims, glued into claims that mostly cannot be read.
FRAGMENTS = sorted({piece for c in extract(SEED.read_text(), markdown=True)
                    + extract(CORPUS.read_text(), markdown=True)
                    for piece in re.split(r"(?<=[}\s])", c.latex) if piece.strip()})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8),
       st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8))
def test_no_placeholder_in_reasons_on_fuzzed_claims(left, right):
    verdicts, _ = check_text(f"$${''.join(left)} = {''.join(right)}$$\n")
    for verdict in verdicts:
        _assert_clean(verdict.reason)


# --- a claim stated again is judged once, and only in an equal context -------------------------

def test_a_repeated_claim_is_judged_at_each_line_with_the_same_verdict():
    doc = "$$(a+b)^2 = a^2 + b^2$$\ntext\n$$(a+b)^2 = a^2 + b^2$$\n"
    verdicts, _ = check_text(doc)
    assert [(v.line, v.label) for v in verdicts] == [(1, "REFUTED"), (3, "REFUTED")]
    assert verdicts[0].evidence is not verdicts[1].evidence


def test_the_same_claim_under_another_layer_is_judged_again():
    claim = "$$W_{\\text{out}} = 5$$\n"
    doc = ("<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=1 input=5x5 -->\n"
           + claim + "<!-- symproof conv2d in_channels=1 out_channels=1 kernel_size=3 "
           "input=5x5 -->\n" + claim)
    verdicts, _ = check_text(doc, markdown=True)
    assert [(v.line, v.label) for v in verdicts] == [(2, "PROVED"), (4, "REFUTED")]
