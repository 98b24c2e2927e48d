"""Proofs, derivations, steps and layers in a Jupyter notebook (issue 15, item 6).

A notebook's MathJax reads math only, so every rich form is checked for what it carries: the
MIME types IPython's formatter produces, Markdown whose text holds no LaTeX document commands
and no unescaped Markdown syntax, math that is balanced and made of environments MathJax knows,
and equations that read back (symproof's own LaTeX reader) as the proof's claims. The example
notebook ``examples/tour.ipynb`` is executed by a real kernel (nbclient, python3) and its outputs
are checked the same way.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from IPython.core.formatters import DisplayFormatter
from nbclient import NotebookClient

from symproof import Conv2d, Derivation, receptive_field, registry, solve_for
from symproof import prove as symproof_prove
from symproof.claims.check import check_text
from symproof.kernel import identity
from symproof.latex.roundtrip import reads_back
from symproof.notation import X, i, j, w
from symproof.proof import Proof
from symproof.prose import markdown_text, math_text, prose

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "examples" / "tour.ipynb"
MAKE_TOUR = ROOT / "examples" / "make_tour.py"

# What a LaTeX document may hold and a notebook's MathJax cannot render.
DOCUMENT_ONLY = (r"\section", r"\paragraph", r"\begin{description}", r"\footnotesize",
                 "align*", r"\item", r"\tag")
# The environments MathJax knows (amsmath's, inside math).
ENVIRONMENTS = {"aligned", "gathered", "cases", "matrix", "pmatrix", "bmatrix", "vmatrix",
                "smallmatrix", "array"}
# The order JupyterLab and the classic notebook choose an output's MIME type in (the first
# present is shown).
SHOWN_FIRST = ("application/javascript", "text/html", "text/markdown", "text/latex",
               "image/svg+xml", "image/png", "text/plain")
MATH = re.compile(r"(?<!\\)(\$\$?)(.+?)(?<!\\)\1", re.S)


def grayscale() -> Derivation:
    """The derivation of the tour (the same lines as its cell)."""
    gray = Derivation(Conv2d(3, 1, 1, bias=False), at=(1, i, j))
    return gray.substitute(sp.Eq(w[1, 1, 1, 1], 0.299), sp.Eq(w[1, 2, 1, 1], 0.587),
                           sp.Eq(w[1, 3, 1, 1], 0.114)).simplify()


# -- what MathJax-safe means, checked ------------------------------------------------------------

def split(markdown: str) -> tuple[list[str], list[str]]:
    """``(text parts, math parts)`` of Markdown: math is ``$…$`` or ``$$…$$`` (``\\$`` is a
    dollar)."""
    texts, maths, at = [], [], 0
    for found in MATH.finditer(markdown):
        texts.append(markdown[at:found.start()])
        maths.append(found.group(2))
        at = found.end()
    texts.append(markdown[at:])
    return texts, maths


def assert_text_safe(text: str) -> None:
    assert not [c for c in DOCUMENT_ONLY if c in text], text
    assert not re.search(r"(?<!\\)\\[\[\]()]", text), f"a MathJax delimiter in text: {text}"
    assert not re.search(r"(?<!\\)[_$]", text), f"an unescaped _ or $ in text: {text}"


def assert_math_safe(math: str) -> None:
    assert not [c for c in DOCUMENT_ONLY if c in math], math
    assert "\n\n" not in math.strip(), "a blank line ends math in Markdown"
    assert not re.search(r"(?<!\\)\\[\[\]()]", math), f"nested math delimiters: {math}"
    braces = re.sub(r"\\[\\{}]", "", math)
    depth = 0
    for c in braces:
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0, f"unbalanced braces: {math}"
    assert depth == 0, f"unbalanced braces: {math}"
    open_ = []  # environments nest
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", math):
        assert name in ENVIRONMENTS, name
        if kind == "begin":
            open_.append(name)
        else:
            assert open_ and open_.pop() == name, f"unbalanced environments: {math}"
    assert not open_, f"unbalanced environments: {math}"


def assert_mathjax_safe(markdown: str) -> None:
    # code spans are shown as written: Jupyter reads no math (nor Markdown) inside them
    texts, maths = split(re.sub(r"(`+).*?\1", "", markdown))
    for text in texts:
        assert_text_safe(text)
    for math in maths:
        assert_math_safe(math)


def assert_one_formula(latex: str) -> None:
    """``text/latex`` is one display formula, nothing of a document around it."""
    assert latex.startswith(r"$\displaystyle ") and latex.endswith("$"), latex
    texts, maths = split(latex)
    assert len(maths) == 1 and not "".join(texts).strip(), latex
    assert_math_safe(maths[0])


def formula(latex: str) -> tuple[str, str]:
    """``(math, status)`` of a one-formula ``text/latex``: ``$\\displaystyle math \\quad
    [\\text{STATUS}]$`` (status "" when there is none)."""
    body = latex[len(r"$\displaystyle "):-1]
    tagged = re.fullmatch(r"(.*) \\quad \[\\text\{([A-Z_]+)\}\]", body, re.S)
    return (tagged.group(1), tagged.group(2)) if tagged else (body, "")


# -- the equations a rendered proof writes, read back ---------------------------------------------

def written_equations(markdown: str) -> list[str]:
    """Every equation of the ``aligned`` blocks and boxed results, as ``lhs = rhs`` LaTeX:
    a chain's ``&= …`` rows take the left side of the row before, ``\\quad`` rows continue
    the right side, the tag after ``&&`` is dropped, and ``\\neq`` (a step asserting the claim
    fails) is read as the claim it negates."""
    found = []
    for math in split(markdown)[1]:
        if math.startswith(r"\boxed{"):
            found.append(math[len(r"\boxed{"):-1])
            continue
        if r"\begin{aligned}" not in math:
            continue
        body = math.split(r"\begin{aligned}")[1].split(r"\end{aligned}")[0]
        lhs = None
        for row in body.split("\\\\\n"):
            row = row.split("&&")[0].strip()
            left, _, right = row.partition("&")
            if right.startswith(r"\quad "):
                found[-1] += " " + right[len(r"\quad "):]
                continue
            relation = re.match(r"(=|\\neq|\\leq|\\geq|<|>)\s*(.*)", right, re.S)
            if relation is None:  # a claim that is no equation, written whole
                found.append(right.strip())
                continue
            lhs = left.strip() or lhs
            op = "=" if relation.group(1) in ("=", r"\neq") else relation.group(1)
            found.append(f"{lhs} {op} {relation.group(2).strip()}")
    return found


def claimed_equations(proof: Proof) -> list[sp.Basic]:
    """The claims a proof's Markdown writes, in its order: each step's (a tuple of equations
    one by one), then each part of the result."""
    found = []
    for step in proof.steps:
        claim = step.claim
        if claim is None:
            # a step stated as one formula is a row too: its value when it has one (None: a
            # formula SymPy cannot hold, such as P6's chain of Jacobians, which is not read)
            said = prose(step.statement)
            if said.formula() is not None:
                found += [value for _, value in said.math()] or [None]
            continue
        equations = isinstance(claim, sp.Tuple) and all(isinstance(c, sp.Equality) for c in claim)
        found += list(claim) if equations else [claim]
    result = proof.result
    if result is not None:
        found += list(result) if isinstance(result, sp.Tuple) else [result]
    return found


def assert_reads_back(markdown: str, proof: Proof) -> None:
    written, claimed = written_equations(markdown), claimed_equations(proof)
    assert len(written) == len(claimed) > 0
    for text, claim in zip(written, claimed):
        assert claim is None or reads_back(text, claim)


# -- IPython's formatter, no kernel --------------------------------------------------------------

@pytest.fixture(scope="module")
def p2() -> Proof:
    return registry.get("p2").run()


def formats(obj) -> dict:
    data, _ = DisplayFormatter().format(obj)
    return data


def shown(data: dict) -> str:
    """The MIME type a notebook shows of an output."""
    return next(kind for kind in SHOWN_FIRST if kind in data)


def test_a_proof_shows_as_markdown_with_its_result_as_latex(p2):
    data = formats(p2)
    assert set(data) == {"text/plain", "text/markdown", "text/latex"}  # no HTML before it
    assert shown(data) == "text/markdown"
    assert_mathjax_safe(data["text/markdown"])
    assert_one_formula(data["text/latex"])
    assert r"\boxed" not in data["text/latex"]
    math, status = formula(data["text/latex"])
    assert status == "PROVED" and reads_back(math, p2.result)
    assert "**Status:** ✓ proved" in data["text/markdown"]
    assert data["text/plain"] == str(p2)  # the terminal form, not a dataclass dump


def test_every_equation_of_a_rendered_proof_reads_back(p2):
    assert_reads_back(formats(p2)["text/markdown"], p2)
    assert_reads_back(formats(grayscale())["text/markdown"], grayscale().proof())


@pytest.mark.parametrize("name", sorted(registry.problems()))
def test_every_worked_problem_is_mathjax_safe_and_reads_back(name):
    proof = registry.get(name).run()
    data = formats(proof)
    assert_mathjax_safe(data["text/markdown"])
    assert_one_formula(data["text/latex"])
    assert_reads_back(data["text/markdown"], proof)


def test_a_derivation_shows_its_chain_and_its_current_line():
    gray = grayscale()
    data = formats(gray)
    assert set(data) == {"text/plain", "text/markdown", "text/latex"}
    assert_mathjax_safe(data["text/markdown"])
    assert_one_formula(data["text/latex"])
    x = sp.IndexedBase("X")
    current = sp.Eq(sp.Indexed("Y", 1, i, j),
                    sp.Rational(299, 1000) * x[1, i, j] + sp.Rational(587, 1000) * x[2, i, j]
                    + sp.Rational(114, 1000) * x[3, i, j], evaluate=False)
    math, status = formula(data["text/latex"])
    assert status == "PROVED" and reads_back(math, current)


def test_a_bare_expression_shows_as_itself_until_a_link():
    x = sp.Symbol("x")
    assert formats(Derivation(x + 1))["text/latex"] == r"$\displaystyle x + 1$"
    refuted = formats(Derivation(x + 1).equals(x + 2))
    # a refuted line is never shown bare, in either form
    assert refuted["text/latex"] == r"$\displaystyle x + 1 = x + 2 \quad [\text{REFUTED}]$"
    assert "✗" in refuted["text/markdown"] and "**Status:** ✗ refuted" in refuted["text/markdown"]


def test_a_step_shows_its_mark_claim_and_reason(p2):
    step = p2.steps[4]
    data = formats(step)
    assert set(data) == {"text/plain", "text/markdown", "text/latex"}
    assert data["text/markdown"].startswith("✓ $Y_{l,i,j} = ")
    assert_mathjax_safe(data["text/markdown"])
    assert_one_formula(data["text/latex"])


def test_a_step_asserting_a_failure_never_shows_an_equation(p2):
    """Regression: P2's step 10 (⌊m/k⌋ ≠ m/k in general, PROVED by a counterexample) showed as
    ``⌊m/k⌋ = m/k [PROVED]``."""
    step = next(s for s in p2.steps if not s.holds)
    data = formats(step)
    assert r"\neq" in data["text/latex"] and r"\neq" in data["text/markdown"]
    assert "asserted to fail" in data["text/markdown"]
    assert data["text/plain"].startswith("PROVED: NOT ALWAYS: ")


def test_a_proof_without_a_result_shows_its_last_claim_honestly(p2):
    """Its last claim as the step asserts it (≠ for a failure) and the proof's status."""
    proof = Proof("t", "no result", "t", steps=[s for s in p2.steps if not s.holds])
    math, status = formula(formats(proof)["text/latex"])
    assert r"\neq" in math and status == "PROVED"
    empty = formats(Proof("t", "a_title", "t"))["text/latex"]
    assert empty == r"$\displaystyle \text{a title: no result} \quad [\text{UNKNOWN}]$"


def test_a_step_stated_in_prose_is_text_in_math():
    proof = Proof("t", "t", "t")
    step = proof.add(None, "the sizes are $1_{x}$", identity(sp.Integer(1), sp.Integer(1)),
                     statement="C_in = {1} \\ $2")
    data = formats(step)
    assert_one_formula(data["text/latex"])
    assert_mathjax_safe(data["text/markdown"])
    assert r"C\_in = {1} &#92; \$2" in data["text/markdown"]


def test_prose_with_markdown_syntax_is_escaped_in_a_rendered_proof():
    """Regression: statements went into Markdown raw ("C_in = C_out" italicised, a "$" opened
    math)."""
    x = sp.Symbol("x")
    proof = Proof("t_1", "a *title*", "C_in = C_out, w[l](x) costs $5 | <b>")
    proof.assumptions = ["k_1 > 0"]
    proof.notes = ["see `x_1`"]
    proof.given(sp.Eq(x, 1), "data_{1} \\ 100%")  # a reason in the tag's \text{}
    proof.add(sp.Eq(x + x, 2 * x, evaluate=False), "collect {terms} \\ 100%",
              identity(x + x, 2 * x))
    markdown = formats(proof)["text/markdown"]
    assert_mathjax_safe(markdown)
    assert r"C\_in = C\_out, w[l]&#40;x) costs \$5 \| \<b\>" in markdown
    assert r"\text{(1)}\;\text{data  1    100 }" in markdown
    assert_reads_back(markdown, proof)


@given(st.text(alphabet=st.sampled_from(list("ab_*$\\[](){}#~|<>`&%^ \n γ₁⌊"))))
def test_any_prose_is_safe_markdown_and_safe_text_in_math(text):
    shown = markdown_text(text)
    assert_text_safe(shown)
    assert re.sub(r"\\(.)", r"\1", shown).replace("&#92;", "\\").replace("&#40;", "(") == text
    assert_math_safe(rf"\text{{{math_text(text)}}}")


def test_escapes_keep_every_visible_character():
    text = "a_b *c* [d](e) $f$ \\g {h} #i ~j |k| <l> \\(m\\)"
    shown = re.sub(r"\\(.)", r"\1", markdown_text(text))  # what Markdown prints
    assert shown.replace("&#92;", "\\").replace("&#40;", "(") == text
    assert not set(math_text(text + "\n")) & set("\\{}$^_%&#~\n")


def test_the_checks_catch_a_document_fragment_and_a_wrong_equation(p2):
    """The old ``text/latex`` of a proof (a document section) is no notebook form, and an
    equation changed in the Markdown no longer reads back as the claim."""
    with pytest.raises(AssertionError):
        assert_mathjax_safe(p2.to_latex())
    markdown = formats(p2)["text/markdown"]
    assert "{k^{2}}" in markdown
    with pytest.raises(AssertionError):
        assert_reads_back(markdown.replace("{k^{2}}", "{k^{3}}"), p2)


def test_a_checked_claim_shows_the_document_text_as_written():
    """A claim checker's verdict is a step without a formula: it shows its line, the claim as
    the document wrote it (a code span: document text is never typeset) and the reason."""
    doc = "$$ (a+b)^2 = a^2 + 2ab + b^2 $$\n$$ = a^2 + b^2 $$\n$$ x = `$ $$\n"
    verdicts, _ = check_text(doc, markdown=True)
    shown = {v.line: formats(v) for v in verdicts}
    assert shown[1]["text/markdown"].startswith("✓ line 1: ` (a+b)^2 = a^2 + 2ab + b^2 `: ")
    assert shown[2]["text/markdown"].startswith("✗ line 2: ` a^2 + 2ab + b^2 = a^2 + b^2 `: ")
    assert shown[3]["text/markdown"].startswith("∅ line 3: `` x = `$ ``: ")
    assert shown[3]["text/latex"] == r"$\displaystyle \text{line 3: UNPARSED}$"
    for data in shown.values():
        assert_mathjax_safe(data["text/markdown"])
        assert_one_formula(data["text/latex"])


@pytest.mark.parametrize("obj", [Conv2d(1, 2, 3, padding=1), receptive_field(Conv2d(1, 1, 3)),
                                 solve_for("padding", input=sp.Symbol("m", integer=True,
                                                                      positive=True),
                                           output=sp.Symbol("m", integer=True, positive=True),
                                           kernel_size=5)],
                         ids=["layer", "receptive field", "solutions"])
def test_other_objects_show_one_formula(obj):
    data = formats(obj)
    assert "text/latex" in data and "text/html" not in data
    texts, maths = split(data["text/latex"])
    assert len(maths) == 1 and not "".join(texts).strip()
    assert_math_safe(maths[0])


# -- the example notebook, run by a kernel -------------------------------------------------------

def test_the_stored_tour_is_what_its_script_writes():
    sys.path.insert(0, str(MAKE_TOUR.parent))
    try:
        import make_tour
    finally:
        sys.path.remove(str(MAKE_TOUR.parent))
    stored = nbformat.read(TOUR, as_version=4)
    built = make_tour.build()
    assert [(c.cell_type, c.source) for c in stored.cells] \
        == [(c.cell_type, c.source) for c in built.cells]
    assert all(not c.get("outputs") for c in stored.cells)  # no stale outputs committed


@pytest.fixture(scope="module")
def executed():
    """The tour, run by one python3 kernel: (notebook, seconds)."""
    notebook = nbformat.read(TOUR, as_version=4)
    start = time.perf_counter()
    # the kernel imports symproof: a python3 kernel outside this environment fails its cells
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(TOUR.parent)}}).execute()
    return notebook, time.perf_counter() - start


def _results(notebook) -> list[dict]:
    return [out["data"] for cell in notebook.cells if cell.cell_type == "code"
            for out in cell.outputs if out.output_type == "execute_result"]


def test_the_tour_runs_in_a_kernel_and_every_output_is_mathjax_safe(executed, p2):
    notebook, seconds = executed
    errors = [out for cell in notebook.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert not errors, errors
    assert seconds < 20, f"the tour took {seconds:.1f} s"
    layer, proof, derivation, step = _results(notebook)
    assert set(layer) == {"text/plain", "text/latex"}
    assert shown(layer) == "text/latex"
    for data in (proof, derivation, step):
        assert set(data) == {"text/plain", "text/markdown", "text/latex"}
        assert shown(data) == "text/markdown"
        assert_mathjax_safe(data["text/markdown"])
    for data in (layer, proof, derivation, step):
        assert_one_formula(data["text/latex"])
    # the kernel shows what this process renders, and that reads back as the claims
    assert proof["text/markdown"] == formats(p2)["text/markdown"]
    assert_reads_back(proof["text/markdown"], p2)
    assert_reads_back(derivation["text/markdown"], grayscale().proof())
    assert reads_back(layer["text/latex"][len(r"$\displaystyle "):-1],
                    Conv2d(1, 2, 3, padding=1).equation())


# -- issue 15 audit: decimals as written, refuted chains, outcomes (executed by a kernel) -------

AUDIT_CELLS = [
    "import sympy as sp\nimport symproof\nfrom symproof import Conv2d, Derivation, registry\n"
    "from symproof.notation import X, i, j, w",
    'p3 = registry.get("p3").run()\np3',
    "p3.steps[1]",
    "Derivation(Conv2d(3, 1, 1, bias=False), at=(1, i, j)).substitute(\n"
    "    sp.Eq(w[1, 1, 1, 1], 0.299), sp.Eq(w[1, 2, 1, 1], 0.587), sp.Eq(w[1, 3, 1, 1], 0.114))",
    "Derivation(Conv2d(1, 1, 2, bias=False), at=(1, i, j)).substitute(w=1).expand_sums()"
    ".equals(\n    X[1, i, j] + X[1, i + 1, j] + X[1, i, j + 1])",
    "symproof.prove(sp.Eq(2 * X[1, i, j], X[1, i, j] + X[1, i, j], evaluate=False))",
]


@pytest.fixture(scope="module")
def audited():
    """The audit's lines, run by one python3 kernel: each cell's result's MIME bundle."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in AUDIT_CELLS]
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    errors = [out for cell in notebook.cells for out in cell.outputs
              if out.output_type == "error"]
    assert not errors, errors
    return _results(notebook)


def test_decimals_show_as_written_in_every_form_of_p3(audited):
    """Regression: P3's ``text/latex`` and its steps showed 299/1000 and 57/500 where the CLI's
    documents show 0.299, 0.587 and 0.114."""
    proof, step = audited[0], audited[1]
    for data in (proof, step):
        for kind in ("text/markdown", "text/latex", "text/plain"):
            assert all(d in data[kind] for d in ("0.299", "0.587", "0.114")), (kind, data[kind])
            assert "1000" not in data[kind] and "57}{500" not in data[kind]
    assert_reads_back(proof["text/markdown"], registry.get("p3").run())


def test_a_float_typed_in_a_derivation_shows_as_typed_and_is_exact_inside(audited):
    data = audited[2]
    for kind in ("text/markdown", "text/latex"):
        assert "0.299" in data[kind] and "0.114" in data[kind] and "1000" not in data[kind]
    current = grayscale().current  # the kernel still works with the exact rationals
    assert current.coeff(sp.IndexedBase("X")[1, i, j]) == sp.Rational(299, 1000)
    math, status = formula(data["text/latex"])
    assert status == "PROVED"


def test_a_refuted_derivation_concludes_nothing_and_says_why(audited):
    """Regression: a chain whose last link was REFUTED printed "Therefore" and boxed the wrong
    result; its heading read "DERIVATION: a derivation" and its text named
    ``Conv2d(1, 1, kernel_size=2, bias=False)``."""
    data = audited[3]
    markdown = data["text/markdown"]
    assert "Therefore" not in markdown and r"\boxed" not in markdown
    assert "The claim fails: step (5)" in markdown and r"\neq" in markdown
    assert "counterexample $H = 2$" in markdown or "counterexample $" in markdown
    assert "a derivation\n" not in markdown and "Conv2d(" not in markdown
    assert "kernel\\_size" not in markdown
    assert r"$C_{\text{in}} = 1$" in markdown and "$F = 2$" in markdown
    assert "**Status:** ✗ refuted" in markdown
    assert_mathjax_safe(markdown)
    assert formula(data["text/latex"])[1] == "REFUTED"


def test_an_undecided_link_is_not_boxed_either():
    x = sp.Symbol("x")
    chain = Derivation(x + 1).equals(x + 2, rule="max commutes")  # no max: nothing decides it
    assert chain.status.name == "UNKNOWN"
    proof = chain.proof()
    assert proof.result is None
    assert [str(note) for note in proof.notes] == [
        "Not decided: step (1), x + 1 = x + 2; so the chain concludes nothing."]
    markdown = formats(chain)["text/markdown"]
    assert "Therefore" not in markdown and r"\boxed" not in markdown
    assert formula(formats(chain)["text/latex"])[1] == "UNKNOWN"


def test_a_kernel_outcome_shows_its_mark_rule_and_math(audited):
    """Regression: ``symproof.prove(...)`` showed ``Outcome(... Prose(parts=…))``."""
    data = audited[4]
    assert set(data) == {"text/plain", "text/markdown"}
    assert data["text/markdown"].startswith("✓ **PROVED**: ")
    assert data["text/plain"].startswith("✓ PROVED: ") and "Prose(" not in data["text/plain"]
    assert_mathjax_safe(data["text/markdown"])
    refuted = formats(symproof_prove(sp.Eq(2 * X[1, i, j], 3 * X[1, i, j], evaluate=False)))
    assert refuted["text/markdown"].startswith("✗ **REFUTED**: ")
    assert "counterexample $" in refuted["text/markdown"] and "X[" not in refuted["text/markdown"]
    assert_mathjax_safe(refuted["text/markdown"])
