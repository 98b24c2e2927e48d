"""One notation table, one course-notation printer with two styles that say the same thing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sympy as sp

import symproof
from symproof import Conv2d, MaxPool2d, notation
from symproof.backprop import derive
from symproof.latex.roundtrip import round_trip
from symproof.notation import ARRAYS, AXIS_LETTERS, GREEK, INDICES, LETTERS, RESERVED, STATUS_MARKS
from symproof.printing import LATEX, TEXT, Style, printed

SOURCES = Path(symproof.__file__).parent


def _expressions() -> dict[str, sp.Basic]:
    a = sp.Symbol("a")
    found = {
        "conv equation": Conv2d(1, 2, 3, padding=1).equation(),
        "conv element, strided and dilated": Conv2d(2, 1, 3, stride=2, dilation=2).element(),
        "conv element, padded coordinates": Conv2d(1, 1, 3, padding=1).element(padded=True),
        "conv element, zero padding explicit": Conv2d(1, 1, 3, padding=1).element(
            input_size=(5, 6)),
        "max pool element": MaxPool2d(2, stride=2).element(),
        "piecewise": sp.Piecewise((a, a > 0), (0, True)),
        "delta": sp.KroneckerDelta(notation.i, notation.j),
        "partial derivative": sp.Derivative(sp.Function("f")(a, sp.Symbol("b")), a),
        "identity": sp.Identity(3),
    }
    found.update({f"MLP {name}": f.formula for name, f in derive().items()})
    return found


EXPRESSIONS = _expressions()

# What each style writes for one construct; the two prints of an expression must hold each
# construct equally often.
CONSTRUCTS = {
    "sum": ("Σ_{", r"\sum_{"),
    "max": ("max_{", r"\max_{"),
    "transpose": ("^T", r"^{\top}"),
    "diag": ("diag(", r"\operatorname{diag}\left("),
    "identity": ("I_", "I_{"),
    "partial": ("∂", r"\partial"),
    "padded": ("X̄", r"\bar{X}"),
    **{name: GREEK[name] for name in GREEK if name != "delta"},
}


def _counts(printed_form: str, column: int) -> dict[str, int]:
    out = {}
    for name, forms in CONSTRUCTS.items():
        form = forms[column]
        # \beta must not count inside \betaxyz; a Unicode letter is one character anyway
        pattern = re.escape(form) + (r"(?![A-Za-z])" if form[-1].isalpha() else "")
        out[name] = len(re.findall(pattern, printed_form))
    return out


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_both_styles_print_the_same_constructs(name):
    expr = EXPRESSIONS[name]
    text, latex = printed(expr, "text"), printed(expr, "latex")
    assert text and latex
    assert _counts(text, 0) == _counts(latex, 1), (text, latex)


# The reader knows no cases environment: the explicit zero padding (a Piecewise) is left out.
@pytest.mark.parametrize("name", [n for n in EXPRESSIONS if n.startswith(("conv", "MLP"))
                                  and "explicit" not in n])
def test_the_latex_style_reads_back_as_the_same_mathematics(name):
    assert round_trip(EXPRESSIONS[name])


def test_every_course_rule_is_spelled_by_both_styles():
    # A new field of Style is a new rule: each style must say how it writes it, or defer it
    # to its base printer with None (allowed for LaTeX only, whose base already writes it).
    for field in Style.__dataclass_fields__:
        assert getattr(TEXT, field) is not None, field
        if getattr(LATEX, field) is None:
            assert field in ("matmul", "delta", "derivative", "partial", "cases"), field


def test_printed_rejects_an_unknown_style():
    with pytest.raises(symproof.ParameterError, match="style"):
        printed(sp.Symbol("a"), "html")


# --- the vocabulary exists once -----------------------------------------------------------

_GREEK_FORMS = {form.strip().strip("$").strip() for name, forms in GREEK.items()
                for form in (name, *forms)}
_MARKS = {form for marks in STATUS_MARKS.values() for form in marks if not form.isascii()
          or form.startswith("\\")} - {r"\times", r"\approx", "≈"}
_LETTER_PAIRS = {(k, v) for k, v in LETTERS.items()} | {
    (k, v) for k, vs in AXIS_LETTERS.items() for v in vs}


def _strings(node) -> list[str]:
    items = node.keys + node.values if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    return [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]


def _copies(source: str) -> list[str]:
    """The vocabulary tables written out in ``source``: literal containers (or one string)
    holding three Greek letters, two status marks, three status names, four index or array
    names, or three parameter → letter pairs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        strings = _strings(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = set(node.value.split("|")) & set(STATUS_MARKS)
            if len(names) >= 3:
                found.append(f"line {node.lineno}: status names {sorted(names)}")
        if not strings:
            continue
        where = f"line {node.lineno}"
        greek = {s.strip().strip("$").strip() for s in strings} & _GREEK_FORMS
        if len(greek) >= 3:
            found.append(f"{where}: Greek letters {sorted(greek)}")
        if len(set(strings) & _MARKS) >= 2:
            found.append(f"{where}: status marks {sorted(set(strings) & _MARKS)}")
        if len(set(strings) & set(STATUS_MARKS)) >= 3:
            found.append(f"{where}: status names")
        if len(set(strings) & set(INDICES)) >= 4:
            found.append(f"{where}: index names {sorted(set(strings) & set(INDICES))}")
        if len(set(strings) & set(ARRAYS)) >= 4:
            found.append(f"{where}: array names")
        if isinstance(node, ast.Dict):
            pairs = {(k.value, v.value) for k, v in zip(node.keys, node.values)
                     if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
            if len(pairs & _LETTER_PAIRS) >= 3:
                found.append(f"{where}: course letters {sorted(pairs & _LETTER_PAIRS)}")
    return found


def test_the_detector_finds_each_table_in_the_notation_module():
    # Not vacuous: every kind of table the next test forbids elsewhere is found where it lives.
    found = "\n".join(_copies((SOURCES / "notation.py").read_text(encoding="utf-8")))
    for kind in ("Greek letters", "status marks", "status names", "index names",
                 "array names", "course letters"):
        assert kind in found, kind
    # ... and in the copies that were there before the table (as they were written)
    old = '''
_GREEK = {"σ": r"\\sigma ", "ρ": r"\\rho ", "γ": r"\\gamma ", "α": r"\\alpha "}
RESERVED = ("l", "i", "j", "gamma", "alpha", "beta")
_STATUSES = "PROVED|VERIFIED|SPOT_CHECKED|REFUTED|UNKNOWN|UNPARSED|GIVEN"
_MD_MARKS = {"PROVED": "✓", "VERIFIED": "⊡", "REFUTED": "✗"}
letters = {"input": "n", "kernel_size": "F", "stride": "S", "padding": "P"}
_UNICODE = {"σ": r"$\\sigma$", "ρ": r"$\\rho$", "γ": r"$\\gamma$", "≥": r"$\\ge$"}
'''
    flagged = {int(line.split(":")[0].split()[1]) for line in _copies(old)}
    assert flagged == {2, 3, 4, 5, 6, 7}, _copies(old)


def test_no_vocabulary_table_outside_the_notation_module():
    copies = {}
    for path in sorted(SOURCES.rglob("*.py")):
        if path.name == "notation.py" and path.parent == SOURCES:
            continue
        found = _copies(path.read_text(encoding="utf-8"))
        if found:
            copies[str(path.relative_to(SOURCES))] = found
    assert not copies, copies


def test_the_table_serves_every_reader():
    from symproof.layers.window import RESERVED as window_reserved
    from symproof.ordering import INDEX_ORDER

    assert window_reserved is RESERVED
    assert list(INDICES) == INDEX_ORDER
    assert set(RESERVED) <= set(INDICES)
    assert symproof.Status.VERIFIED.mark == STATUS_MARKS["VERIFIED"][0]
