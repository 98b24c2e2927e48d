"""The ``symproof`` command: a thin shell over the library.

Every ``SymproofError`` becomes one line ``error: …`` on stderr and exit code 2; so do usage
errors. An interruption (Ctrl-C, SIGTERM, SIGHUP) removes temporary files and exits with 130.
Values on the command line are integers or symbol names, read by a strict pattern, never
evaluated. ``--limit NAME=N`` raises one of the resource limits of :mod:`symproof.limits`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path

import sympy as sp

from . import __version__
from .errors import ParameterError, SymproofError
from .figures.layer import DRAWN, layer_figure
from .figures.tikz import tikz_standalone
from .files import check_outputs, read_document, write_atomically
from .latex import latex as to_latex
from .latex.document import STYLES, markdown_files, tex_document
from .latex.export import ExportError, compile_pdf, require_pdflatex
from .layers.spec import models, specs
from .limits import NAMES, integer_from_text, raised
from .notation import LETTERS, index_symbol
from .params import input_from_text, size_from_text, symbols
from .proof import Status
from .registry import is_problem_file, problems, select
from .shapes import conv_output_size
from .solve import solve_for, tiles_exactly
from .text import text
from .workers import available_jobs, mapped

__all__ = ["main"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# more processes than this gain nothing on a document: a claim is a few milliseconds of work
MAX_JOBS = 16


# Symbol names that this command also uses for a positive size: a padding named like one of
# them is that same symbol (in SymPy, ``k`` positive and ``k`` non-negative are two symbols).
_POSITIVE_NAMES: ContextVar[frozenset] = ContextVar("symproof_positive_names",
                                                    default=frozenset())


def parse_value(name: str, text: str, *, nonnegative: bool = False):
    """``"3"`` → 3, ``"F"`` → a positive-integer symbol ``F`` (non-negative for paddings,
    unless the command uses the name for a positive size too)."""

    if nonnegative and text.strip() in _POSITIVE_NAMES.get():
        nonnegative = False
    return size_from_text(name, text, nonnegative=nonnegative)


def _positive_names(args) -> frozenset:
    """Names written in the options of ``args`` that are not paddings."""
    names = set()
    for option, value in vars(args).items():
        if isinstance(value, str) and option not in ("padding", "output_padding", "file",
                                                       "latex", "markdown", "annotate",
                                                       "figure"):
            names.update(part.strip() for part in re.split(r"[x×,]", value))
    return frozenset(n for n in names if _NAME.fullmatch(n))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one readable line, exit 2, no usage dump
        raise SystemExit(_fail(f"{message} (see {self.prog} --help)"))


def _fail(message: str) -> int:
    print(f"error: {_one_line(message)}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symproof", description=(
        "A SymPy proof assistant for the mathematics of deep-network layers: shapes, element "
        "formulas and their numeric semantics, in the course's notation (1-based indices)."))
    parser.add_argument("--version", action="version", version=f"symproof {__version__}")
    parser.add_argument("--limit", action="append", default=[], metavar="NAME=N",
                        help="raise a resource limit for this run (see symproof.limits: "
                             "document_bytes, claims, claim_chars, nesting_depth, "
                             "integer_digits, expression_nodes, expanded_terms, layer_size, "
                             "search_space, snapshot_bytes, figure_cells)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    layer = commands.add_parser("layer", help="show a layer: output shape and element formula")
    kinds = layer.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=_Parser)
    shape = commands.add_parser("shape", help="output sizes, and solving for a parameter")
    shapes = shape.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=_Parser)
    for spec in specs().values():  # every layer kind, from its spec
        _add_layer_options(kinds.add_parser(spec.word, help=spec.summary), spec)
        if spec.size_rule is not None:
            one = shapes.add_parser(spec.word, help=f"output size of {spec.summary} (one axis)")
            _add_size_options(one, spec)
    commands.add_parser("tour", help="the layers of the seed homework, shown one by one")

    solve = shapes.add_parser("solve", help="every admissible value of one parameter")
    solve.add_argument("parameter", choices=["input", "output", "kernel-size", "stride",
                                             "padding", "dilation"])
    for option in ("input", "output", "kernel-size", "stride", "padding", "dilation"):
        solve.add_argument(f"--{option}", metavar="N|NAME")
    solve.add_argument("--latex", action="store_true", help="print LaTeX instead of text")

    prove = commands.add_parser("prove", help="derive the worked problems (all by default)")
    prove.add_argument("names", nargs="*", metavar="NAME|FILE.py",
                       help="proofs or groups to run (default: the homework; see: list), or "
                            "your own problem module (a .py file defining PROBLEM, run as "
                            "Python)")
    prove.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                       help="change a parameter of the (single) named proof, e.g. k=3")
    prove.add_argument("--json", action="store_true", help="print the proofs as JSON")
    prove.add_argument("--torch", action="store_true",
                       help="cross-check numerically against PyTorch (needs torch)")
    prove.add_argument("--brief", action="store_true", help="only the summary lines")
    prove.add_argument("--latex", metavar="FILE", help="write the solutions as a LaTeX document")
    prove.add_argument("--pdf", action="store_true", help="also compile it with pdflatex")
    prove.add_argument("--markdown", metavar="FILE",
                       help="write the solutions as Markdown with $$…$$ math (and its figures "
                            "as SVG files beside it)")
    prove.add_argument("--style", choices=STYLES, default="solution",
                       help="how --latex/--markdown documents read: 'solution', a model "
                            "answer (default), or 'audit', the full trail for a reviewer "
                            "(rules, samples, seeds, tolerances, every cross-check)")
    prove.add_argument("--no-figures", action="store_true",
                       help="documents without pictures")
    _jobs_option(prove, "derive the problems")
    commands.add_parser("list", help="the worked problems and their parameters")

    check = commands.add_parser("check", help="check a written solution claim by claim")
    check.add_argument("file", metavar="FILE", help="a .tex or .md solution")
    check.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    check.add_argument("--inline", action="store_true", help="also check inline $…$ math")
    check.add_argument("--annotate", metavar="OUT",
                       help="write a copy of the document with each claim's verdict (a "
                            "comment per claim; OUT.html: an HTML report with a mark beside "
                            "every claim)")
    check.add_argument("--pdf", action="store_true",
                       help="with --annotate OUT.tex: mark every claim in the margin, "
                            "counterexamples as footnotes, and compile OUT.pdf")
    check.add_argument("--in-place", action="store_true",
                       help="write the verdicts into FILE itself (atomically; notes of an "
                            "earlier run are replaced)")
    _jobs_option(check, "judge the claims")
    return parser


def _jobs_option(command, what: str) -> None:
    command.add_argument("--jobs", "-j", metavar="N", default=None,
                         help=f"{what} in N processes (default: one per CPU, up to "
                              f"{MAX_JOBS}); the results are the same for every N")


def _metavar(field, spec) -> str:
    if field.per_axis and len(spec.axes) == 2:
        return "N|RxC|NAME"
    return "N|NAME"


def _add_layer_options(parser, spec) -> None:
    """``symproof layer KIND``'s options: one per field of the layer's spec, then the input."""
    for field in spec.fields:
        if field.kind == "flag":  # an option that switches a default-on flag off says so
            shown = f"turn off: {field.help}" if field.default is True else field.help
            parser.add_argument(field.option, action="store_true", dest=field.name,
                                help=shown)
            continue
        default = field.text_default or (None if field.required or field.same_as
                                         else str(field.default))
        helptext = field.help + (f" (default: the {field.same_as.replace('_', ' ')})"
                                 if field.same_as else "")
        parser.add_argument(field.option, dest=field.name, default=default,
                            required=field.required and not field.text_default,
                            metavar=_metavar(field, spec), help=helptext)
    if spec.axes:
        if not spec.channels:  # any channel count passes through: name it
            parser.add_argument("--channels", default="C", metavar="N|NAME")
        written = "x".join(spec.axes)
        parser.add_argument("--input", metavar=f"{written}|Cx{written}",
                            help=f"input size; symbolic {' x '.join(spec.axes)} when omitted")
    parser.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    parser.add_argument("--figure", metavar="OUT",
                        help="also draw the layer: OUT.svg, OUT.tex (a document with the "
                             "TikZ picture) or OUT.pdf (compiled with pdflatex)")


def _add_size_options(parser, spec) -> None:
    """``symproof shape KIND``'s options: the input size, each per-axis field as one value,
    and the flags the size rule takes."""
    parser.add_argument("--input", required=True, metavar="N|NAME")
    for field in spec.fields:
        if field.per_axis:
            default = None if field.required or field.same_as else str(field.default)
            parser.add_argument(field.option, dest=field.name, default=default,
                                required=field.required, metavar="N|NAME")
        elif field.name in spec.size_flags:
            parser.add_argument(field.option, dest=field.name, action="store_true")
    parser.add_argument("--latex", action="store_true", help="print LaTeX instead of text")


def _build_layer(args):
    """The layer ``symproof layer KIND …`` describes, built from its spec's fields."""
    model = models()[args.kind]
    spec = model.spec
    arguments = {}
    for field in spec.fields:
        value = getattr(args, field.name)
        if field.kind == "flag":
            arguments[field.name] = (not value) if field.default is True else value
        elif value is not None:
            arguments[field.name] = _from_text(field, value, spec)
    return model(**arguments)


def _from_text(field, text: str, spec):
    """A field's value from the command line, in the grammar directives share
    (:meth:`~symproof.layers.spec.Field.from_text`)."""
    return field.from_text(text, len(spec.axes), positive=_POSITIVE_NAMES.get())


def _input_shape(layer, args) -> tuple:
    spec = layer.spec
    if not spec.axes:
        return (getattr(layer, spec.channels),)
    own = getattr(layer, spec.channels) if spec.channels else None
    if args.input is None:
        shape = (own, *(index_symbol(name) for name in spec.axes))
    else:  # the one reader of input sizes, shared with directives
        shape = input_from_text(args.input, spec.axes, own)
    if shape[0] is None:  # a pooling layer: any channel count passes through, named here
        shape = (parse_value("channels", args.channels), *shape[1:])
    return shape


def describe(layer, input_shape: tuple, *, latex: bool = False) -> list[tuple[str, str]]:
    """The rows ``symproof layer`` prints: layer, shapes, element formula, padding rule."""


    show = to_latex if latex else text
    def shape(values):
        shown = [show(sp.Integer(v) if isinstance(v, int) else v) for v in values]
        return r" \times ".join(shown) if latex else "(" + ", ".join(shown) + ")"

    # the input's sizes where the formula names them (a transposed convolution's sums)
    sizes = {index_symbol(axis): sp.sympify(size) for axis, size in zip(
        layer.spec.axes, input_shape[-len(layer.spec.axes):])} if layer.spec.axes else {}
    rows = [
        ("layer", repr(layer)),
        ("input", shape(input_shape)),
        ("output shape", shape(layer.output_shape(*input_shape))),
        ("element", show(layer.equation().xreplace(sizes))),
    ]
    fill = getattr(layer, "fill", None)
    if fill is not None:
        axes = len(layer.spec.axes)
        names = ("p", "q")[:axes]
        ranges = ", ".join(f"1 ≤ {name} ≤ {size}"
                           for name, size in zip(names, input_shape[-axes:]))
        rule = (f"X[γ,{','.join(names)}] = {'−∞' if fill == -sp.oo else 0} outside {ranges} "
                "(the padding rule; indices are 1-based)")
        rows.append(("padding", rule))
    return rows


def _shape_command(args) -> int:
    show = to_latex if args.latex else text
    if args.kind == "solve":
        given = {}
        for option in ("input", "output", "kernel_size", "stride", "padding", "dilation"):
            value = getattr(args, option)
            if value is not None:
                given[option] = parse_value(option, value, nonnegative=option == "padding")
        solutions = solve_for(args.parameter.replace("-", "_"), **given)
        print(solutions._repr_latex_().strip("$") if args.latex else repr(solutions))
        return 0 if solutions.ok else 1

    spec = specs()[args.kind]
    values, general, letters = {}, {}, {"input": LETTERS["input"]}
    values["input"] = parse_value("input", args.input)
    general["input"] = symbols(LETTERS["input"])
    for field in spec.fields:
        if not field.per_axis:
            continue
        letters[field.name] = field.letter
        raw = getattr(args, field.name)
        if raw is None:  # a pooling stride: the kernel size, unless given
            values[field.name] = values[field.same_as]
            general[field.name] = general[field.same_as]
            continue
        nonnegative = field.kind == "offset"
        values[field.name] = parse_value(field.name, raw, nonnegative=nonnegative)
        general[field.name] = symbols(field.letter, nonnegative=nonnegative)
    flags = {name: getattr(args, name) for name in spec.size_flags}
    arguments = list(values)
    # the rules of symproof.shapes take the fields by their PyTorch names
    formula = spec.size_rule(general.pop("input"), **general, **flags)
    result = spec.size_rule(values["input"], **{n: values[n] for n in arguments[1:]}, **flags)

    def number(value):
        return sp.Integer(value) if isinstance(value, int) else value

    shown = ", ".join(f"{letters[n]} = {show(number(values[n]))}" for n in arguments)
    print(f"{'formula':<9} o = {show(formula)}")
    print(f"{'values':<9} {shown}")
    print(f"{'output':<9} {show(number(result))}")
    if spec.size_rule is conv_output_size:  # a convolution: does the window tile the input?
        tiles = tiles_exactly(values["input"], **{n: values[n] for n in arguments[1:]})
        if tiles is True:
            print(f"{'tiles':<9} yes: the windows reach the last row")
        elif tiles is False:
            print(f"{'tiles':<9} no: the last rows of the padded input are never read")
        else:
            print(f"{'tiles':<9} when {show(tiles)}")
    return 0


def _layer_command(args) -> int:
    figure = _figure_target(args)
    layer = _build_layer(args)
    shape = _input_shape(layer, args)
    for label, value in describe(layer, shape, latex=args.latex):
        print(f"{label:<13} {value}")
    if figure is not None:
        _draw(layer, shape, figure)
        print(_one_line(f"wrote {figure}"))
    return 0


FIGURE_FORMATS = (".svg", ".tex", ".pdf")


def _jobs(written: str | None) -> int:
    """``--jobs``: a whole number from 1 to MAX_JOBS; by default one per CPU (up to MAX_JOBS)."""
    if written is None:
        return min(available_jobs(), MAX_JOBS)
    jobs = integer_from_text("--jobs", written)
    if not 1 <= jobs <= MAX_JOBS:
        raise ParameterError("--jobs", written, f"must be a whole number from 1 to {MAX_JOBS}")
    return jobs


def _figure_target(args) -> Path | None:
    """The path of ``--figure``, checked before any work (format, writable, pdflatex)."""
    if getattr(args, "figure", None) is None:
        return None
    path = Path(args.figure)
    if args.kind not in DRAWN:
        raise ParameterError("--figure", args.kind, f"draws only these layers: "
                             f"{', '.join(DRAWN)}")
    if path.suffix.lower() not in FIGURE_FORMATS:
        raise ParameterError("--figure", args.figure, f"must end in {', '.join(FIGURE_FORMATS)} "
                             "(the format is read from the extension)")
    if path.suffix.lower() == ".pdf":
        require_pdflatex()
    return check_outputs({"--figure": path})["--figure"]


def _draw(layer, shape: tuple, path: Path) -> None:
    """Write the figure of ``layer`` on an input of ``shape`` in the format of ``path``."""
    axes = len(layer.spec.axes) if layer.spec is not None else 0
    figure = layer_figure(layer, shape[-axes:] if axes else None)
    kind = path.suffix.lower()
    if kind == ".svg":
        write_atomically(path, figure.svg())
    elif kind == ".tex":
        write_atomically(path, tikz_standalone(figure.scene, figure.caption))
    else:
        compile_pdf(tikz_standalone(figure.scene, figure.caption), path)


TOUR = [
    ("P1: forward differences, C_in = 1, C_out = 2, F = 3, S = 1, P = 1",
     ["layer", "conv2d", "--in-channels", "1", "--out-channels", "2", "--kernel-size", "3",
      "--padding", "1", "--input", "5x6"]),
    ("P2: average pooling, kernel = stride = k, on C channels of an m × m input",
     ["layer", "avgpool2d", "--kernel-size", "k", "--channels", "C", "--input", "m,m"]),
    ("P2: the same as a convolution with stride k, no padding",
     ["layer", "conv2d", "--in-channels", "C", "--out-channels", "C", "--kernel-size", "k",
      "--stride", "k"]),
    ("P3: RGB to grayscale as an unbiased 1 × 1 convolution",
     ["layer", "conv2d", "--in-channels", "3", "--out-channels", "1", "--kernel-size", "1",
      "--no-bias"]),
    ("P4: max pooling with an r × s window",
     ["layer", "maxpool2d", "--kernel-size", "r,s", "--channels", "C"]),
    ("General convolution: symbolic kernel F, stride S, padding P on m × m",
     ["layer", "conv2d", "--in-channels", "C_in", "--out-channels", "C_out", "--kernel-size",
      "F", "--stride", "S", "--padding", "P", "--input", "m,m"]),
]


def _tour(parser) -> int:
    for title, argv in TOUR:
        print(f"== {title}\n$ symproof {' '.join(argv)}")
        _layer_command(parser.parse_args(argv))
        print()
    return 0


def _settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ParameterError("--set", pair, "must be PARAM=VALUE, e.g. k=3")
        settings[name.strip()] = value.strip()
    return settings


def _prove(args) -> int:
    jobs = _jobs(args.jobs)
    chosen = select(args.names)
    settings = _settings(args.set)
    if settings and len(chosen) != 1:
        raise ParameterError("--set", ", ".join(args.set),
                             "needs exactly one proof name, e.g. symproof prove p2 --set k=3")
    # before any work: a bad path must not cost a derivation, nor overwrite a problem file
    outputs = _check_outputs(args, inputs=[n for n in args.names if is_problem_file(n)])
    # started last to first: a group's later problems are its longer derivations (P6's
    # Jacobians, P7–P10's backward passes), and the others finish while they run
    last_first = list(reversed(chosen))
    proofs = mapped(lambda n: last_first[n].run(settings, use_torch=args.torch), len(chosen),
                    jobs)[::-1]
    if args.no_figures:
        proofs = [replace(proof, figures=[]) for proof in proofs]
    if args.json:
        print(_json([p.to_dict() for p in proofs]))
    else:
        if not args.brief:
            for proof in proofs:
                print(proof, end="\n\n")
        name_width = max(len(p.name) for p in proofs) + 2
        title_width = max(max(len(p.title) for p in proofs) + 2, 36)
        for proof in proofs:
            summary = f"({proof.summary})" if proof.summary else ""
            print(f"{proof.name.upper():<{name_width}}{proof.title:<{title_width}}"
                  f"{proof.status.name:<14}{summary}")
        counts = {}
        for proof in proofs:
            counts[proof.status.name.lower()] = counts.get(proof.status.name.lower(), 0) + 1
        print(f"{len(proofs)} proof{'s' * (len(proofs) != 1)}: "
              + ", ".join(f"{n} {s}" for s, n in counts.items()))
    written = _export(args, outputs, proofs)
    if written and not args.json:
        print(_one_line("wrote " + ", ".join(written)))
    return 1 if any(p.status is Status.REFUTED for p in proofs) else 0


def _check_outputs(args, inputs=()) -> dict:
    """The output paths, validated (distinct, writable, regular files; pdflatex present)
    before any work: a bad path must not cost a derivation."""


    if args.pdf and not args.latex:
        raise ParameterError("--pdf", "", "needs --latex FILE (the PDF goes beside it)")
    wanted = {}
    if args.latex:
        wanted["--latex"] = Path(args.latex)
        if args.pdf:
            require_pdflatex()
            wanted["the PDF of --latex"] = Path(args.latex).with_suffix(".pdf")
    if args.markdown:
        wanted["--markdown"] = Path(args.markdown)
    checked = check_outputs(wanted, inputs)
    names = {"--latex": "latex", "the PDF of --latex": "pdf", "--markdown": "markdown"}
    return {names[option]: path for option, path in checked.items()}


def _export(args, outputs: dict, proofs) -> list[str]:
    written = []
    markdown = _markdown_files(args, outputs, proofs) if "markdown" in outputs else {}
    if "latex" in outputs:
        tex = tex_document(proofs, style=args.style)
        if "pdf" in outputs:
            pages = compile_pdf(tex, outputs["pdf"])  # first: a failed compile writes nothing
        write_atomically(outputs["latex"], tex)
        written.append(str(args.latex))
        if "pdf" in outputs:
            written.append(f"{outputs['pdf'].name} ({pages} page{'s' * (pages != 1)})")
    for path, content in markdown.items():
        write_atomically(path, content)
    if markdown:
        figures = len(markdown) - 1
        written.append(str(args.markdown) + (f" (and {figures} SVG figure"
                                              f"{'s' * (figures != 1)} beside it)"
                                              if figures else ""))
    return written


def _markdown_files(args, outputs: dict, proofs) -> dict:
    """The Markdown document and its figures' SVG files, checked before anything is written:
    the SVG names come from the proofs, so they are known only now, and none may be another
    output, an input, or anything but a regular file."""
    files = markdown_files(proofs, outputs["markdown"], style=args.style)
    others = [path for option, path in outputs.items() if option != "markdown"]
    check_outputs({str(path): path for path in [*files, *others]},
                  [name for name in args.names if is_problem_file(name)])
    return files


def _check(args) -> int:
    # the claim reader is loaded only when a document is checked: prove and layer do not
    # pay for it
    from .claims.check import check_text

    path = Path(args.file)
    if args.in_place and args.annotate:
        raise ParameterError("--in-place", args.annotate, "and --annotate exclude each other: "
                             "--in-place writes the notes into FILE itself")
    if args.annotate is not None and not args.annotate.strip():
        raise ParameterError("--annotate", args.annotate, "must name a file")
    if args.pdf and not args.annotate:
        raise ParameterError("--pdf", "", "needs --annotate OUT.tex (the PDF goes beside it)")
    markdown = path.suffix.lower() not in _LATEX_SUFFIXES
    target = path if args.in_place else Path(args.annotate) if args.annotate else None
    if target is not None:  # before reading: a refused output must not cost a check
        option = "--in-place" if args.in_place else "--annotate"
        wanted = {option: target}
        if args.pdf:
            _check_pdf_request(args, markdown)
            wanted["the PDF of --annotate"] = target.with_suffix(".pdf")
        check_outputs(wanted, [path], overwrite_inputs=args.in_place)
    jobs = _jobs(args.jobs)
    text = read_document(path)
    progress = progress_on(sys.stderr)
    try:
        verdicts, contexts = check_text(text, inline=args.inline, markdown=markdown,
                                        progress=progress, jobs=jobs)
    finally:
        if progress is not None:
            progress.clear()
    if args.json:
        print(_json([v.to_dict() for v in verdicts]))
    else:
        for start, ctx in contexts:
            if ctx.described:
                where = f"from line {start}" if start else "for the document"
                print(f"{_one_line(args.file)}: context {where}: {_one_line(ctx.described)}")
        for v in verdicts:
            print(f"{_one_line(args.file)}:{v.line}: {v.label:<12} {_one_line(v.reason)}")
        counts: dict[str, int] = {}
        for v in verdicts:
            counts[v.label.lower()] = counts.get(v.label.lower(), 0) + 1
        print(f"{len(verdicts)} claims" + (": " + ", ".join(f"{n} {s}" for s, n in counts.items())
                                           if counts else ""))
    if target is not None:
        described = [(start, ctx.described) for start, ctx in contexts if ctx.described]
        _write_annotated(args, target, text, verdicts, markdown, described)
    return 1 if any(v.status is Status.REFUTED for v in verdicts) else 0


_LATEX_SUFFIXES = (".tex", ".ltx", ".latex")
_HTML_SUFFIXES = (".html", ".htm")


def _check_pdf_request(args, markdown: bool) -> None:
    """``check --pdf`` asks for a LaTeX document marked into OUT.tex; pdflatex must exist."""
    if Path(args.annotate).suffix.lower() != ".tex":
        raise ParameterError("--annotate", args.annotate, "must end in .tex with --pdf (the "
                             "marked LaTeX is kept beside its PDF)")
    if markdown:
        raise ParameterError("--pdf", args.file, "needs a LaTeX document (.tex); for Markdown "
                             "write an HTML report: --annotate OUT.html")
    require_pdflatex()


def _write_annotated(args, target: Path, text: str, verdicts, markdown: bool,
                     contexts: list[tuple[int, str]]) -> None:
    """The annotated output --annotate (or --in-place) asks for: an HTML report for .html, the
    marked LaTeX and its PDF for --pdf, else a copy with a comment per claim. A marked
    document that cannot be compiled is still written, then the error is raised."""
    from .claims.annotate import annotate
    from .claims.annotate_html import html_report
    from .claims.annotate_latex import compile_marked

    done = str(target)
    if args.pdf:
        marked = compile_marked(text, verdicts, target.with_suffix(".pdf"), inline=args.inline)
        write_atomically(target, marked.tex)
        if marked.pages is None:
            raise ExportError(f"{args.file}: {marked.problem}; wrote the marked copy {target}, "
                              "no PDF")
        done += f", {target.with_suffix('.pdf')} ({marked.pages} page" \
                f"{'s' * (marked.pages != 1)}" + (f"; {marked.note}" if marked.note else "") + ")"
    elif target.suffix.lower() in _HTML_SUFFIXES and not args.in_place:
        write_atomically(target, html_report(text, verdicts, markdown=markdown,
                                             inline=args.inline, title=Path(args.file).name,
                                             contexts=contexts))
    else:
        write_atomically(target, annotate(text, verdicts, markdown=markdown,
                                          inline=args.inline))
    if not args.json:
        print(_one_line(f"wrote {done}"))


class Progress:
    """``judged 120 of 1000 claims`` on a terminal, rewritten in place (``\\r``) and erased at
    the end. Shown only for a long run: more than ``claims`` claims, or past ``seconds``;
    rewritten at most every ``every`` seconds (a terminal is slow to write to)."""

    def __init__(self, stream, *, claims: int = 50, seconds: float = 1.0, every: float = 0.1,
                 clock: Callable[[], float] = time.monotonic):
        self.stream, self.clock = stream, clock
        self.claims, self.seconds, self.every = claims, seconds, every
        self.start, self.last, self.width = clock(), None, 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if total <= self.claims and now - self.start <= self.seconds:
            return
        if self.last is not None and now - self.last < self.every and done < total:
            return
        self.last = now
        shown = f"judged {done} of {total} claims"
        self.stream.write("\r" + shown.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(shown))

    def clear(self) -> None:
        """Erase the line, if anything was shown: the terminal is as it was."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def progress_on(stream) -> Progress | None:
    """A :class:`Progress` on ``stream`` if it is a terminal; None otherwise (a pipe or a file
    gets no progress: its bytes are the same with or without it)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return Progress(stream) if isatty is not None and isatty() else None
    except (OSError, ValueError):  # a closed or detached stream
        return None


def _one_line(text: str) -> str:
    """Text from a document or an argument on the terminal: one line, and no control or
    direction-changing characters (an escape sequence in a document must not drive the
    user's terminal, nor a bidi override reorder what they read)."""
    return _CONTROL.sub(_escape, " ".join(text.split()))


def _json(data) -> str:
    """JSON for the terminal or a pipe: readable Unicode, but control and bidi characters as
    ``\\uXXXX`` escapes (they can only occur inside strings, where the escape means the same)."""

    return _CONTROL.sub(_escape, json.dumps(data, indent=2, ensure_ascii=False))


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


# C0 controls but the newline, DEL and C1 controls, and the bidi marks and overrides
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _list() -> int:
    for problem in problems().values():
        group = "" if problem.group == "homework" else f"  [{problem.group}]"
        print(f"{problem.name:<5}{problem.title}{group}")
        for parameter in problem.parameters:
            choices = f" (one of {', '.join(parameter.choices)})" if parameter.choices else ""
            print(f"      --set {parameter.name}=…  {parameter.help}; default "
                  f"{parameter.default}{choices}")
    return 0


def _limits(pairs: list[str]) -> dict[str, int]:
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in NAMES:
            raise ParameterError("--limit", pair, f"must be NAME=N with NAME one of "
                                 f"{', '.join(NAMES)}")
        changes[name] = integer_from_text(f"--limit {name}", value.strip())
    return changes


def _run(parser, args) -> int:
    if args.command == "layer":
        return _layer_command(args)
    if args.command == "tour":
        return _tour(parser)
    if args.command == "shape":
        return _shape_command(args)
    if args.command == "prove":
        return _prove(args)
    if args.command == "list":
        return _list()
    if args.command == "check":
        return _check(args)
    parser.print_help()
    return 0


class _Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program stands so that ``finally`` blocks and
    context managers remove temporary files, as they do for Ctrl-C."""


def _interrupt(signum, frame):
    raise _Interrupted(signum)


@contextlib.contextmanager
def _interruptible():
    """While a command runs, termination signals unwind the stack instead of killing the
    process outright (which would leave scratch folders behind)."""
    installed = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        # outside the main thread signals cannot be caught: leave them alone there
        with contextlib.suppress(ValueError, OSError):
            if number is not None:
                installed[number] = signal.signal(number, _interrupt)
    try:
        yield
    finally:
        for number, handler in installed.items():
            signal.signal(number, handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # Python refuses to print integers over 4,300 digits; here sizes are bounded by the limit
    # integer_digits instead, and results may be longer than their inputs.
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    try:
        with _interruptible():
            args = parser.parse_args(argv)
            names = _POSITIVE_NAMES.set(_positive_names(args))
            try:
                with raised(**_limits(args.limit)):
                    return _run(parser, args)
            finally:
                _POSITIVE_NAMES.reset(names)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 0
    except SymproofError as error:
        return _fail(str(error))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted (temporary files removed; existing outputs unchanged)",
              file=sys.stderr)
        return 130
    except MemoryError:
        return _fail("out of memory: the request is too large for this machine (lower the "
                     "sizes, or the limits with --limit)")
    except Exception as error:  # a bug: still one line, and the way to see the traceback
        if os.environ.get("SYMPROOF_DEBUG"):
            raise
        print(f"error: internal error: {type(error).__name__}: {_one_line(str(error))[:300]} "
              "(this is a bug in symproof; SYMPROOF_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 3
