"""``check --annotate OUT.html`` (a report with a mark beside every claim) and ``check --annotate
OUT.tex --pdf`` (the student's own document compiled with margin marks and footnotes): the
marks sit on the right lines, agree with ``check --json``, never change or break the document,
and nothing of an untrusted document becomes live HTML or reads files outside its folder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symproof.claims.annotate_html import html_report
from symproof.claims.annotate_latex import document_parts, marked_latex
from symproof.cli import main
from symproof.notation import STATUS_MARKS

DATA = Path(__file__).parent / "data"
SEED_MD = DATA / "seed_solution.md"
SEED_TEX = DATA / "seed_solution.tex"

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
    reason="needs pdflatex and pdftotext")


def _json_verdicts(capsys, path: Path) -> list[dict]:
    main(["check", str(path), "--json"])
    return json.loads(capsys.readouterr().out)


def _pdftext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _squeezed(text: str) -> str:
    """PDF text without white space (pdftotext keeps a thin space or drops it)."""
    return re.sub(r"\s+", "", text)


#: How pdftotext reads each status's LaTeX mark (STATUS_MARKS' math-mode column).
PDF_MARKS = {"PROVED": "✓", "VERIFIED": "⊡", "SPOT_CHECKED": "≈", "REFUTED": "×",
             "UNKNOWN": "?", "GIVEN": ":=", "UNPARSED": "∅"}


# --- the HTML report ------------------------------------------------------------------------

_UNIT = re.compile(r'<div class="unit"><span class="n">(?P<anchors>(?:<span id="L\d+"></span>)+)'
                   r'[^<]*</span><div class="src">(?P<src>.*?)</div>'
                   r'<span class="marks">(?P<marks>.*?)</span></div>')
_ITEM = re.compile(r'<li id="v(\d+)" class="(\w+)"><a href="#L(\d+)">line (\d+)</a>')


def _units(page: str) -> list[tuple[set[int], list[int]]]:
    """(lines shown, verdicts marked) of every run of the document in the report."""
    return [({int(n) for n in re.findall(r'id="L(\d+)"', m["anchors"])},
             [int(n) for n in re.findall(r'href="#v(\d+)"', m["marks"])])
            for m in _UNIT.finditer(page)]


def test_seed_report_marks_every_claim_on_its_line(tmp_path, capsys):
    expected = _json_verdicts(capsys, SEED_MD)
    out = tmp_path / "report.html"
    assert main(["check", str(SEED_MD), "--annotate", str(out)]) == 1  # it has refuted claims
    assert f"wrote {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    items = _ITEM.findall(page)
    assert [(int(line), label) for _, label, line, _ in items] == [
        (v["line"], v["status"]) for v in expected]
    units = _units(page)
    # every line of the document shown once, in order
    shown = [n for lines, _ in units for n in sorted(lines)]
    assert shown == list(range(1, SEED_MD.read_text().count("\n") + 2))
    marked = [n for _, marks in units for n in marks]
    assert sorted(marked) == list(range(len(expected)))  # each claim marked exactly once
    for lines, marks in units:
        for number in marks:
            assert expected[number]["line"] in lines  # beside the claim's own block
    for number, verdict in enumerate(expected):
        mark = STATUS_MARKS[verdict["status"]][0]
        # the mark links to the verdict, the verdict back to the mark
        assert f'class="{verdict["status"]}" id="m{number}" href="#v{number}"' in page
        assert f'<a href="#m{number}">{mark}</a>' in page
        assert re.search(rf'href="#v{number}" title="[^"]*">{re.escape(mark)}</a>', page)
    # the reasons, counterexamples included, under the marks
    for verdict in expected:
        if verdict["status"] == "REFUTED" and "counterexample" in verdict["evidence"]:
            assert "counterexample" in verdict["reason"]
            # the reason as written, its counterexample as MathJax math, not ASCII
            head, marker, values = verdict["reason"].partition("; counterexample ")
            assert _html(head + marker) + " \\(" in page
            assert "H_in = " not in values or _html(values) not in page


def _html(text: str) -> str:
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")


def test_seed_report_summary_counts_each_status(tmp_path, capsys):
    expected = Counter(v["status"] for v in _json_verdicts(capsys, SEED_MD))
    out = tmp_path / "report.html"
    main(["check", str(SEED_MD), "--annotate", str(out)])
    page = out.read_text()
    summary = re.search(r'<p class="summary">(.*?)</p>', page).group(1)
    # the settings the claims were judged in, as the terminal shows them
    assert '<li><a href="#L5">from line 5</a>: inferred: C_in = 1, C_out = 2' in page
    assert summary.startswith(f"{sum(expected.values())} claims: ")
    for status, count in expected.items():
        word = status.lower().replace("_", " ")
        assert f"{STATUS_MARKS[status][0]} {count} {word}</a>" in summary


HOSTILE_MD = """# <script>alert("title")</script>

Text <img src=x onerror=alert(1)> & "quotes" 'here' </div></body>

$$a = <script>alert(2)</script> = b$$

$$\\href{javascript:alert(3)}{x} = 1$$

<!-- --><script>alert(4)</script>
```
<script>alert(5)</script>
```
"""


def test_report_escapes_everything_from_the_document(tmp_path):
    source = tmp_path / "a<b>&.md"
    source.write_text(HOSTILE_MD)
    out = tmp_path / "report.html"
    assert main(["check", str(source), "--annotate", str(out)]) in (0, 1)
    page = out.read_text()
    # only the page's own two scripts: MathJax's configuration and MathJax itself
    assert len(re.findall(r"<script", page, re.I)) == 2
    assert page.count("</script>") == 2
    assert "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>symproof check: a&lt;b&gt;&amp;.md</title>" in page
    # MathJax may not turn math into links, classes or styles, nor load extensions
    assert "'ui/safe'" in page and "'html'" in page and "'require'" in page
    # the text is all there, for a reader without MathJax
    assert "&quot;quotes&quot;" in page and "\\href{javascript:alert(3)}{x} = 1" in page


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
       st.sampled_from(list(STATUS_MARKS)))
def test_no_tag_from_the_document_or_a_reason_survives(text, label):
    verdict = SimpleNamespace(line=1, label=label, reason=text, latex=text)
    page = html_report(f"$${text}$$\n{text}\n", [verdict], title=text)
    body = page.split("</head>", 1)[1]
    assert "<script" not in body.lower()
    # every "<" of the body opens one of the report's own tags
    assert not re.search(r"<(?!/?(?:body|h1|p|a|div|span|ol|li|code|html)\b)", body)


def test_code_is_shown_as_code_so_mathjax_leaves_it(tmp_path):
    doc = "Text $x$.\n\n```\n$$a = <b>$$\n```\nand `$y$` here\n\n$$1 + 1 = 2$$\n"
    page = html_report(doc, [SimpleNamespace(line=7, label="PROVED", reason="identity")])
    assert "<code>```\n$$a = &lt;b&gt;$$\n```</code>" in page
    assert "<code>`$y$`</code>" in page and "Text $x$." in page
    assert [marks for _, marks in _units(page) if marks] == [[0]]


def test_crlf_markdown_report_has_the_same_marks(tmp_path, capsys):
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(SEED_MD.read_bytes().replace(b"\n", b"\r\n"))
    out_lf, out_crlf = tmp_path / "lf.html", tmp_path / "crlf.html"
    main(["check", str(SEED_MD), "--annotate", str(out_lf)])
    main(["check", str(crlf), "--annotate", str(out_crlf)])
    capsys.readouterr()
    assert b"\r" not in out_crlf.read_bytes()
    assert _units(out_crlf.read_text()) == _units(out_lf.read_text())


# --- the marked LaTeX document --------------------------------------------------------------

_ADDED = re.compile(r"^(?:\\Symproof(?:Mark|Note)\{.*\}%|\\par\\noindent\{\\footnotesize "
                    r"Claims outside the document body:\})\r?$")


def _unmarked(marked: str) -> str:
    """The marked copy with the lines symproof added taken out again."""
    lines = marked.split("\n")
    lines = [line for line in lines if not _ADDED.match(line)]
    text = "\n".join(lines)
    start = text.index("% symproof: the commands of the verdict marks below")
    end = text.index("\\begin{document}", start)
    return text[:start] + text[end:]


@needs_pdflatex
def test_seed_latex_compiles_with_a_mark_per_claim_and_footnotes(tmp_path, capsys):
    expected = _json_verdicts(capsys, SEED_TEX)
    out = tmp_path / "marked.tex"
    assert main(["check", str(SEED_TEX), "--annotate", str(out), "--pdf"]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"wrote .*marked\.tex, .*marked\.pdf \(\d+ pages?\)", printed)
    marked = out.read_text()
    assert _unmarked(marked) == SEED_TEX.read_text()  # the student's text, byte for byte
    text = _pdftext(tmp_path / "marked.pdf")
    by_line: dict[int, list[str]] = {}
    for verdict in expected:
        by_line.setdefault(verdict["line"], []).append(PDF_MARKS[verdict["status"]])
    for line, marks in by_line.items():  # "13 ×", "38 ×?✓": the claim's line and its marks
        assert f"{line}{''.join(marks)}" in _squeezed(text), (line, marks)
    flat = " ".join(text.split())
    refuted = [v for v in expected if v["status"] == "REFUTED"]
    assert refuted and flat.count(": refuted; ") == len(refuted)
    for verdict in refuted:  # each counterexample in a footnote, beginning with its values
        values = verdict["reason"].split("counterexample ", 1)[1].split(",")[0]
        assert f"line {verdict['line']}: refuted" in flat
        assert _squeezed(values).replace("_", "") in _squeezed(flat).replace("_", "")
    unknown = sum(v["status"] == "UNKNOWN" for v in expected)
    assert flat.count(": unknown; ") == unknown


@needs_pdflatex
def test_crlf_latex_compiles_and_keeps_its_line_endings(tmp_path, capsys):
    source = tmp_path / "crlf.tex"
    source.write_bytes(SEED_TEX.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "marked.tex"
    assert main(["check", str(source), "--annotate", str(out), "--pdf"]) == 1
    capsys.readouterr()
    marked = out.read_bytes()
    body = marked.split(b"\\begin{document}", 1)[1]
    assert body.count(b"\n") == body.count(b"\r\n") > 0
    assert "13×" in _squeezed(_pdftext(tmp_path / "marked.pdf"))


FRAGMENT = r"""Since the windows tile the input,
$$\frac{m-k}{k} + 1 = \frac{m}{k}$$
and
\begin{align*}
a + b &= b + a \\
      &= 2
\end{align*}
"""


@needs_pdflatex
def test_a_fragment_is_wrapped_in_a_minimal_article(tmp_path, capsys):
    source = tmp_path / "part.tex"
    source.write_text(FRAGMENT)
    out = tmp_path / "marked.tex"
    main(["check", str(source), "--annotate", str(out), "--pdf"])
    capsys.readouterr()
    marked = out.read_text()
    assert marked.startswith("\\documentclass{article}")
    assert FRAGMENT.split("\n")[0] in marked and marked.rstrip().endswith("\\end{document}")
    text = _pdftext(tmp_path / "marked.pdf")
    assert "Since the windows tile the input" in text
    assert {"2✓", "5✓", "6×", "line6:refuted"} <= {m for m in ("2✓", "5✓", "6×", "line6:refuted")
                                                   if m in _squeezed(text)}


def _marked_pdf(tmp_path, capsys, document: str, name: str = "doc") -> tuple[int, str, str]:
    source = tmp_path / f"{name}.tex"
    source.write_text(document)
    out = tmp_path / f"{name}.marked.tex"
    code = main(["check", str(source), "--annotate", str(out), "--pdf"])
    captured = capsys.readouterr()
    pdf = out.with_suffix(".pdf")
    return code, captured.err, _pdftext(pdf) if pdf.exists() else ""


CLAIMS = r"""\[ \frac{m-k}{k} + 1 = \frac{m}{k} \]
\begin{equation}
2 + 2 = 5
\end{equation}
"""


@needs_pdflatex
@pytest.mark.parametrize("where", ["twocolumn", "minipage", "figure", "footnote", "nomargin"])
def test_marks_fall_back_to_the_text_where_margins_do_not_work(tmp_path, capsys, where):
    options, before, after = "", "", ""
    if where == "twocolumn":
        options = "[twocolumn]"
    elif where == "minipage":
        before, after = r"\begin{minipage}{0.6\textwidth}", r"\end{minipage}"
    elif where == "figure":
        before, after = r"\begin{figure}[h]", r"\caption{Claims.}\end{figure}"
    elif where == "footnote":
        before, after = r"Text.\footnote{", "}"
    elif where == "nomargin":
        options = ""
    preamble = r"\setlength{\marginparwidth}{0pt}" if where == "nomargin" else ""
    document = (f"\\documentclass{options}{{article}}\n{preamble}\n\\begin{{document}}\n"
                f"{before}{CLAIMS}{after}\n\\end{{document}}\n")
    code, err, text = _marked_pdf(tmp_path, capsys, document)
    assert code == 1, err  # 2 + 2 = 5 is refuted, and the PDF was written
    flat = _squeezed(text)
    assert "4✓" in flat and "6×" in flat and "line6:refuted" in flat
    # in a box, a float or two columns the marks are in the text, in brackets
    assert "[4✓]" in flat and "[6×]" in flat


@needs_pdflatex
def test_a_claim_in_the_preamble_is_listed_at_the_start_of_the_body(tmp_path, capsys):
    document = ("\\documentclass{article}\n\\newcommand{\\claim}{\\[1 + 1 = 2\\]}\n"
                "\\begin{document}\nBody.\n\\[ 2 + 2 = 5 \\]\n\\end{document}\n")
    code, err, text = _marked_pdf(tmp_path, capsys, document)
    assert code == 1, err
    flat = _squeezed(text)
    assert "Claimsoutsidethedocumentbody:" in flat and "2✓" in flat and "5×" in flat


@needs_pdflatex
def test_margins_that_break_are_replaced_by_marks_in_the_text(tmp_path, capsys):
    # a class (here imitated) without \marginpar: the marked copy falls back to text marks
    document = ("\\documentclass{article}\n\\let\\marginpar\\undefined\n\\begin{document}\n"
                f"{CLAIMS}\n\\end{{document}}\n")
    source = tmp_path / "doc.tex"
    source.write_text(document)
    assert main(["check", str(source), "--annotate", str(tmp_path / "m.tex"), "--pdf"]) == 1
    assert re.search(r"wrote .*m\.pdf \(1 page; marks in the text: with margin notes, "
                     r"pdflatex failed: ! Undefined control sequence\.\)", capsys.readouterr().out)
    assert "[4✓]" in _squeezed(_pdftext(tmp_path / "m.pdf"))


@needs_pdflatex
@pytest.mark.parametrize("hostile, complaint", [
    ("\\begin{document}\n\\[ 1 + 1 = 2 \\]\n\\textbf{unclosed\n\n\\end{document}\n",
     "while scanning use of \\textbf"),
    ("\\begin{document}\n\\[ 1 + 1 = 2 \\]\n}}\n\\end{document}\n", "Too many }'s"),
    ("\\begin{document}\n\\input{/etc/passwd}\n\\[ 1 + 1 = 2 \\]\n\\end{document}\n",
     "may read no file outside it"),
    ("\\begin{document}\n\\input{../../../../etc/hostname}\n\\[ 1 + 1 = 2 \\]\n"
     "\\end{document}\n", "not found"),
])
def test_a_document_that_does_not_compile_on_its_own_is_named(tmp_path, capsys, hostile,
                                                              complaint):
    code, err, text = _marked_pdf(tmp_path, capsys, "\\documentclass{article}\n" + hostile)
    assert code == 2 and err.count("\n") == 1
    assert "does not compile on its own: pdflatex failed: !" in err and complaint in err
    assert "wrote the marked copy" in err and "no PDF" in err
    assert (tmp_path / "doc.marked.tex").exists() and not (tmp_path / "doc.marked.pdf").exists()
    assert "root:" not in err


@needs_pdflatex
def test_no_shell_escape_and_no_reading_outside(tmp_path, capsys):
    witness = tmp_path / "pwned"
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET")
    document = ("\\documentclass{article}\n\\begin{document}\n"
                f"\\immediate\\write18{{touch {witness}}}\n"
                f"\\newread\\myr\\openin\\myr={secret} "
                "\\ifeof\\myr none\\else\\read\\myr to\\x\\x\\fi\n"
                "\\[ 1 + 1 = 2 \\]\n\\end{document}\n")
    code, err, text = _marked_pdf(tmp_path, capsys, document)
    assert code == 0, err
    assert not witness.exists() and "TOPSECRET" not in text and "none" in text


def test_pdf_needs_annotate_a_tex_file_and_a_latex_document(tmp_path, capsys):
    cases = [([str(SEED_TEX), "--pdf"], "--pdf needs --annotate OUT.tex"),
             ([str(SEED_TEX), "--pdf", "--in-place"], "--pdf needs --annotate OUT.tex"),
             ([str(SEED_MD), "--annotate", str(tmp_path / "a.tex"), "--pdf"],
              "for Markdown write an HTML report: --annotate OUT.html"),
             ([str(SEED_TEX), "--annotate", str(tmp_path / "a.html"), "--pdf"],
              "--annotate must end in .tex with --pdf")]
    for argv, message in cases:
        assert main(["check", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # refused before any work: nothing written


@needs_pdflatex
def test_the_marked_copy_never_replaces_the_input(tmp_path, capsys):
    source = tmp_path / "hw.tex"
    source.write_text(FRAGMENT)
    assert main(["check", str(source), "--annotate", str(source), "--pdf"]) == 2
    assert "refusing to overwrite it" in capsys.readouterr().err
    assert source.read_text() == FRAGMENT and not (tmp_path / "hw.pdf").exists()


def test_without_pdf_a_tex_output_is_still_the_commented_copy(tmp_path, capsys):
    out = tmp_path / "noted.tex"
    main(["check", str(SEED_TEX), "--annotate", str(out)])
    capsys.readouterr()
    marked = out.read_text()
    assert "% symproof: REFUTED" in marked and "\\SymproofMark" not in marked


@given(st.lists(st.sampled_from(["\\[ a = b \\]", "text", "", "\\begin{align}", "x &= y",
                                 "\\end{align}", "$$c = d$$", "% \\begin{document}",
                                 "\\begin{document}", "\\end{document}", "\r",
                                 "\\documentclass{article}"]), max_size=12))
def test_marking_only_adds_lines(lines):
    text = "\n".join(lines)
    verdicts = [SimpleNamespace(line=n, label=label, reason="why & 100% {")
                for n, label in zip(range(1, len(lines) + 1), list(STATUS_MARKS) * 3)]
    marked = marked_latex(text, verdicts)
    if document_parts(text)[0] is None:
        assert marked.startswith("\\documentclass{article}")
    else:
        assert _unmarked(marked) == text


def _inline_claims(count: int) -> str:
    claims = "\n".join(f"and ${k} + 1 = {k + 1 if k % 5 else k + 2}$" for k in range(1, count + 1))
    return f"\\documentclass{{article}}\n\\begin{{document}}\n{claims}\n\\end{{document}}\n"


@needs_pdflatex
@pytest.mark.parametrize("count, margins", [(25, True), (70, False)])
def test_many_claims_on_one_page(tmp_path, capsys, count, margins):
    """25 margin notes on a page need more than LaTeX's 18 float boxes (the marked copy asks
    for them); 70 do not fit beside one page at all: then the marks go into the text."""
    source = tmp_path / "dense.tex"
    source.write_text(_inline_claims(count))
    out = tmp_path / "marked.tex"
    assert main(["check", str(source), "--inline", "--annotate", str(out), "--pdf"]) == 1
    capsys.readouterr()
    flat = _squeezed(_pdftext(tmp_path / "marked.pdf"))
    assert ("[3✓]" in flat) != margins and "3✓" in flat and "7×" in flat
    refuted = count // 5
    assert flat.count("refuted;identity;") == refuted


@needs_pdflatex
def test_many_pages_of_claims_keep_their_margins(tmp_path, capsys):
    """Float boxes are freed page by page: a long document asks for a page's worth, not one
    per claim (LaTeX has a few hundred insert registers in all)."""
    claims = "\n".join(f"\\[ {k} + 1 = {k + 1} \\]" for k in range(1, 301))
    source = tmp_path / "long.tex"
    source.write_text(f"\\documentclass{{article}}\n\\begin{{document}}\n{claims}\n"
                      "\\end{document}\n")
    out = tmp_path / "marked.tex"
    assert main(["check", str(source), "--annotate", str(out), "--pdf"]) == 0
    capsys.readouterr()
    assert "\\extrafloats{100}" in out.read_text()
    flat = _squeezed(_pdftext(tmp_path / "marked.pdf"))
    assert "302✓" in flat and "[" not in flat


def test_a_latex_document_gets_an_html_report_too(tmp_path, capsys):
    expected = _json_verdicts(capsys, SEED_TEX)
    out = tmp_path / "report.htm"
    assert main(["check", str(SEED_TEX), "--annotate", str(out)]) == 1
    capsys.readouterr()
    page = out.read_text()
    assert [(int(line), label) for _, label, line, _ in _ITEM.findall(page)] == [
        (v["line"], v["status"]) for v in expected]
    assert "\\begin{align*}" in page and "% 100% sure" in page  # the source, as written


@needs_pdflatex
def test_document_delimiters_shown_in_code_are_not_the_document(tmp_path, capsys):
    document = ("\\documentclass{article}\n\\begin{document}\nA template:\n"
                "\\begin{verbatim}\n\\end{document}\n\\end{verbatim}\n"
                "\\[ 2 + 2 = 5 \\]\nthe end \\verb|\\begin{document}|.\n\\end{document}\n")
    code, err, text = _marked_pdf(tmp_path, capsys, document)
    assert code == 1, err
    flat = _squeezed(text)
    assert "7×" in flat and "Claimsoutside" not in flat and "line7:refuted" in flat
