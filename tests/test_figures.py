"""Figures, checked by content: the taps drawn are exactly the nonzero weights (in the scene,
and in the TikZ and SVG written from it), padding cells lie outside the input, pooling windows
leave exactly the unread entries hatched, the receptive field drawn is the closed form, and
every picture compiles with pdflatex without an overfull box."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
import sympy as sp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from symproof import AvgPool2d, Conv1d, Conv2d, MaxPool2d, Sequential, receptive_field, symbols
from symproof.errors import ParameterError, TooLargeError
from symproof.figures import (
    conv_figure,
    layer_figure,
    mlp_figure,
    pool_figure,
    receptive_figure,
    synthesis_figure,
)
from symproof.figures.scene import Label, label_box, number
from symproof.figures.svg import FILLS as SVG_FILLS
from symproof.figures.svg import svg
from symproof.figures.tikz import CAPTION_MIN_CM, UNIT_CM, WIDTH_CM, tikz, tikz_standalone
from symproof.figures.tikz import FILLS as TIKZ_FILLS
from symproof.layers import MLP
from symproof.limits import raised
from symproof.notation import X, i, j
from symproof.printing import written_as_decimals
from symproof.registry import get
from symproof.stack import field_by_formulas
from symproof.synthesis import synthesize

from .latex_tools import need, overfull, pdflatex

TAP_KINDS = ("tap", "padding-tap")


def windows(scene):
    """Each window drawn (interior and boundary): its key and the taps inside it."""
    found = []
    for rect in scene.rects:
        if rect.key and rect.key[0] in ("window", "boundary"):
            inside = [c for c in scene.cells_of(*TAP_KINDS)
                      if rect.x0 <= c.x < rect.x1 and rect.y0 <= c.y < rect.y1]
            found.append((rect, inside))
    return found


def grid_under(scene, cell):
    """The input or padding cell a tap is drawn over."""
    return next(c for c in scene.cells_of("input", "padding") if (c.x, c.y) == (cell.x, cell.y))


def nonzero(kernels) -> dict:
    return {(l, g, a + 1, b + 1): k[a, b] for (l, g), k in kernels.items()
            for a in range(k.rows) for b in range(k.cols) if k[a, b] != 0}


def check_taps(figure, kernels, window_sizes=None):
    """Every window drawn holds exactly the nonzero weights of its kernel, each over the
    input entry the element formula reads there; every padding cell is outside the input."""
    scene = figure.scene
    expected = nonzero(kernels)
    drawn = windows(scene)
    assert drawn, "no window drawn"
    seen_kernels = set()
    for rect, taps in drawn:
        got = {c.key: c.value for c in taps}
        assert len(got) == len(taps)  # one cell per tap
        panels = {key[:2] for key in got}
        assert len(panels) <= 1
        if panels:
            (panel,) = panels
            seen_kernels.add(panel)
            assert got == {k: v for k, v in expected.items() if k[:2] == panel}
            assert all(sp.simplify(c.value - kernels[panel][c.key[2] - 1, c.key[3] - 1]) == 0
                       for c in taps)
        if window_sizes is not None:
            (f1, s1, p1, d1), (f2, s2, p2, d2) = window_sizes
            _, wi, wj = rect.key
            for c in taps:
                _, p, q = grid_under(scene, c).key
                a, b = c.key[2:]
                assert p == s1 * (wi - 1) + d1 * (a - 1) + 1 - p1
                assert q == s2 * (wj - 1) + d2 * (b - 1) + 1 - p2
    assert seen_kernels == {key[:2] for key in expected}
    check_padding(scene)


def check_padding(scene):
    inputs = scene.cells_of("input", "read", "unread")
    rows = max(c.key[1] for c in inputs)
    cols = max(c.key[2] for c in inputs)
    assert all(1 <= c.key[1] <= rows and 1 <= c.key[2] <= cols for c in inputs)
    for cell in scene.cells_of("padding"):
        _, p, q = cell.key
        assert not (1 <= p <= rows and 1 <= q <= cols), cell
    for cell in scene.cells_of(*TAP_KINDS):  # a tap over padding says so
        under = grid_under(scene, cell)
        assert (cell.kind == "padding-tap") == (under.kind == "padding")


def tikz_taps(source: str) -> Counter:
    """The labels of the tap cells in TikZ: a tap's fill, then the node in it."""
    fills = "|".join(re.escape(TIKZ_FILLS[k]) for k in TAP_KINDS)
    pattern = (rf"\\filldraw\[fill=(?:{fills}), [^\]]*\] \(([\d.]+),([\d.]+)\) rectangle "
               rf"\+\(1,1\);\n\\node\[[^\]]*\] at \([\d.]+,[\d.]+\) \{{\$([^$]*)\$\}};")
    return Counter(m.group(3) for m in re.finditer(pattern, source))


def svg_taps(source: str) -> Counter:
    """The labels of the tap cells in SVG (a tap's rect, then its text), read as XML."""
    root = ET.fromstring(source.split("?>", 1)[1])
    elements = list(root.iter())
    fills = {SVG_FILLS[k] for k in TAP_KINDS}
    labels = Counter()
    for here, after in zip(elements, elements[1:]):
        if here.tag.endswith("rect") and here.get("fill") in fills and after.tag.endswith("text"):
            labels[after.text] += 1
    return labels


P1_TARGETS = [X[1, i + 1, j] - X[1, i, j], X[1, i, j + 1] - X[1, i, j]]


def test_p1_figure_draws_the_forward_differences():
    proof = get("p1").run()
    (figure,) = proof.figures
    found = synthesize(Conv2d(1, 2, 3, padding=1), P1_TARGETS)
    kernels = {(l, 1): found.kernel(l, 1) for l in (1, 2)}
    check_taps(figure, kernels, ((3, 1, 1, 1), (3, 1, 1, 1)))
    # two kernels, each at an interior position and at a corner reading the padding, where
    # the +1 tap lies in the padding (the boundary the proof states)
    styles = Counter(rect.style for rect, _ in windows(figure.scene))
    assert styles == {"window": 2, "boundary": 2}
    boundary_taps = [c for rect, taps in windows(figure.scene) if rect.style == "boundary"
                     for c in taps if c.kind == "padding-tap"]
    assert sorted(c.value for c in boundary_taps) == [1, 1]
    # in both renderings: −1 and +1 in each of the four windows
    assert tikz_taps(tikz(figure.scene)) == Counter({"-1": 4, "+1": 4})
    assert svg_taps(figure.svg()) == Counter({"−1": 4, "+1": 4})


def test_p3_figure_shows_the_weights_as_decimals_per_channel():
    proof = get("p3").run()
    (figure,) = proof.figures
    weights = {(1, 1): sp.Rational(299, 1000), (1, 2): sp.Rational(587, 1000),
               (1, 3): sp.Rational(114, 1000)}
    check_taps(figure, {key: sp.Matrix([[w]]) for key, w in weights.items()})
    assert tikz_taps(tikz(figure.scene)) == Counter({"0.299": 1, "0.587": 1, "0.114": 1})
    assert svg_taps(figure.svg()) == Counter({"0.299": 1, "0.587": 1, "0.114": 1})
    titles = " ".join(n.content.plain for n in figure.scene.notes if isinstance(n.content, Label))
    assert "(R)" in titles and "(G)" in titles and "(B)" in titles
    # P = 0: no padding, no boundary case
    assert "padding" not in figure.caption_text() and not figure.scene.cells_of("padding")


def test_numbers_are_written_as_the_user_wrote_them():
    """A decimal where the user wrote one (a worked problem marks its parameters so, a float
    is one), a fraction otherwise: 3/5 given as a fraction is never drawn as 0.6."""
    with written_as_decimals([sp.Rational(57, 500), sp.Rational(299, 1000)]):
        assert number(sp.Rational(57, 500)).plain == "0.114"
        assert number(sp.Rational(-299, 1000)) == Label("-0.299", "−0.299")
        assert number(sp.Rational(3, 5)).tex == r"\frac{3}{5}"
    assert number(sp.Rational(57, 500)).tex == r"\frac{57}{500}"
    assert number(sp.Float(0.25)).plain == "0.25"
    assert number(sp.Rational(1, 4)).tex == r"\frac{1}{4}"  # 1/k² stays a fraction
    assert number(sp.Rational(1, 2), decimals=True).plain == "0.5"
    assert number(sp.Rational(1, 3), decimals=True).tex == r"\frac{1}{3}"  # no exact decimal
    assert number(sp.Integer(-1)).plain == "−1"


kernel_entries = st.integers(-3, 3)


@st.composite
def conv_cases(draw):
    f1, f2 = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    s1, s2 = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p1, p2 = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    d1, d2 = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    size = draw(st.one_of(st.none(), st.tuples(st.integers(1, 12), st.integers(1, 12))))
    kernels = {(l, g): sp.Matrix(f1, f2, draw(st.lists(kernel_entries, min_size=f1 * f2,
                                                        max_size=f1 * f2)))
               for l in range(1, c_out + 1) for g in range(1, c_in + 1)}
    return (f1, f2), (s1, s2), (p1, p2), (d1, d2), c_in, c_out, size, kernels


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conv_cases())
# regression: no interior window kept apart from the corner one, and the two were drawn
# overlapping (taps on top of each other)
@example(((2, 3), (1, 1), (0, 1), (1, 2), 1, 1, (2, 5),
          {(1, 1): sp.Matrix([[0, 0, 0], [0, 0, 1]])}))
def test_drawn_taps_are_the_nonzero_weights(case):
    kernel, stride, padding, dilation, c_in, c_out, size, kernels = case
    layer = Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, dilation=dilation)
    if size is not None:
        try:
            layer.output_shape(c_in, *size)
        except ParameterError:  # an input smaller than the window: refused, not drawn
            with pytest.raises(ParameterError, match="kernel_size"):
                conv_figure(layer, kernels, input_size=size)
            return
    figure = conv_figure(layer, kernels, input_size=size)
    if not nonzero(kernels):
        assert not figure.scene.cells_of(*TAP_KINDS)
        check_padding(figure.scene)
        return
    check_taps(figure, kernels, tuple(zip(kernel, stride, padding, dilation)))
    taps = [(c.x, c.y) for c in figure.scene.cells_of(*TAP_KINDS)]
    assert len(taps) == len(set(taps))  # windows never overlap
    # in both renderings, each window holds its kernel's nonzero weights, as integers
    expected = Counter()
    for _, taps in windows(figure.scene):
        expected.update(str(int(c.value)) for c in taps)
    drawn = Counter(label.lstrip("+") for label in tikz_taps(tikz(figure.scene)).elements())
    assert drawn == expected
    in_svg = Counter(label.lstrip("+").replace("−", "-")
                     for label in svg_taps(figure.svg()).elements())
    assert in_svg == expected


def test_a_layer_without_weights_draws_every_tap_by_its_position():
    figure = layer_figure(Conv2d(1, 1, (2, 3), padding=1))
    (interior, taps), *_ = [w for w in windows(figure.scene) if w[0].style == "window"]
    assert sorted(c.text.plain for c in taps) == ["11", "12", "13", "21", "22", "23"]
    assert all(c.value is None for c in taps)
    f, s, p = symbols("F S P")
    symbolic = layer_figure(Conv2d(1, 1, f, stride=s, padding=p))
    assert "F = 3" in symbolic.caption_text() and "the labels keep the symbols" in \
        symbolic.caption_text()
    assert layer_figure(Conv1d(1, 1, 3, padding=1)).scene.cells_of("tap")


@st.composite
def pool_cases(draw):
    k1, k2 = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    s1, s2 = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    p1, p2 = draw(st.integers(0, k1 // 2)), draw(st.integers(0, k2 // 2))
    rows, cols = draw(st.integers(k1, 12)), draw(st.integers(k2, 12))
    return (k1, k2), (s1, s2), (p1, p2), (rows, cols)


@settings(max_examples=60, deadline=None)
@given(pool_cases(), st.booleans())
def test_pooling_windows_leave_exactly_the_unread_entries_hatched(case, average):
    kernel, stride, padding, size = case
    layer = (AvgPool2d if average else MaxPool2d)(kernel, stride=stride, padding=padding)
    figure = pool_figure(layer, size)
    scene = figure.scene
    check_padding(scene)
    _, out_h, out_w = layer.output_shape(1, *size)
    tiles = [r for r in scene.rects if r.style == "tile"]
    assert sorted(r.key[1:] for r in tiles) == [(a, b) for a in range(1, out_h + 1)
                                                for b in range(1, out_w + 1)]
    window = layer.window
    read_rows = {int(window.index(0, a, t)) for a in range(1, out_h + 1)
                 for t in range(1, kernel[0] + 1)}
    read_cols = {int(window.index(1, b, t)) for b in range(1, out_w + 1)
                 for t in range(1, kernel[1] + 1)}
    for cell in scene.cells_of("input", "unread"):
        _, p, q = cell.key
        assert (cell.kind == "unread") == (p not in read_rows or q not in read_cols)


def test_p2_draws_a_tiled_and_an_untiled_instance():
    proof = get("p2").run()
    (figure,) = proof.figures
    unread = figure.scene.cells_of("unread")
    assert unread and all(max(c.key[1], c.key[2]) == 5 for c in unread)  # k = 2, m = 5
    assert "k = 2" in figure.caption_text()
    notes = [n.content for n in figure.scene.notes if isinstance(n.content, str)]
    assert "row 5: never read" in notes and "column 5: never read" in notes
    assert "4×4: tiled" in notes and "5×5: not tiled" in notes
    k = get("p2").run({"k": "3", "m": "7"}).figures[0]
    assert {c.key[1] for c in k.scene.cells_of("unread")} >= {7}
    assert "instance" not in k.caption_text()  # concrete sizes: drawn as they are


def test_p4_draws_the_windows_of_the_symbolic_pooling():
    (figure,) = get("p4").run().figures
    assert "k_1 = 2" in figure.caption_text().replace("₁", "_1") or "k_1 = 2" in \
        figure.caption_text()
    assert {r.style for r in figure.scene.rects} == {"tile"}


@pytest.mark.parametrize("net, axis", [
    (Sequential(Conv2d(3, 8, 3, padding=1), MaxPool2d(2), Conv2d(8, 8, 3, padding=1)), 0),
    (Sequential(Conv2d(1, 1, (3, 5), stride=(1, 2), dilation=(2, 1)), MaxPool2d(3, stride=2),
                Conv2d(1, 1, 2)), 1),
    (Conv2d(1, 1, 4, stride=2, padding=1), 0),
])
def test_receptive_field_drawn_is_the_closed_form(net, axis):
    figure = receptive_figure(net, axis)
    scene = figure.scene
    top = max(c.key[0] for c in scene.cells)
    outputs = [c for c in scene.cells if c.key[0] == top]
    (position,) = [c.key[1] for c in outputs if c.kind == "read"]
    inputs = [c for c in scene.cells if c.key[0] == 0]
    size = max(c.key[1] for c in inputs)
    drawn = {c.key[1] for c in inputs if c.kind in ("read", "padding-tap")}
    field = receptive_field(net, axis)
    first, last = (int(v) for v in field.rows(position))
    assert drawn == set(range(first, last + 1))  # the figure is chosen away from the padding
    assert drawn == field_by_formulas(net, position, axis)
    (bracket,) = [r for r in scene.rects if r.style == "field"]
    assert bracket.key == ("field", first, last)
    assert f"r = {field.size}" in figure.caption_text() and size >= last


def test_receptive_field_of_a_symbolic_stack_is_drawn_for_an_instance():
    f, s = symbols("F S")
    figure = receptive_figure(Sequential(Conv2d(1, 1, f, stride=s), Conv2d(1, 1, f)))
    text = figure.caption_text()
    assert "F = 3" in text and "S = 2" in text and "r = 2⋅F" not in text
    (bracket,) = [r for r in figure.scene.rects if r.style == "field"]
    assert bracket.key[2] - bracket.key[1] + 1 == 7  # 1 + 2 + 2·2 for F = 3, S = 2


def test_mlp_figure_has_the_layers_and_the_chain():
    figure = mlp_figure()
    labels = [a.text.plain for a in figure.scene.arrows if a.text is not None]
    assert labels == ["A_1", "σ", "A_ℓ", "σ", "A_L"]
    nodes = [r.text.plain for r in figure.scene.rects if r.style == "node"]
    assert nodes[0] == "y_0" and nodes[-1] == "y_L" and "z_ℓ" in nodes
    chain = [n.content for n in figure.scene.notes if isinstance(n.content, Label)
             and "∂" in n.content.plain]
    assert chain[0].plain.startswith("∂y_L/∂y_ℓ = A_L diag(σ′(z_{L−1}))")
    concrete = mlp_figure(MLP((2, 3, 3, 1)))
    chain = [n.content.plain for n in concrete.scene.notes if isinstance(n.content, Label)
             and "∂" in n.content.plain]
    assert chain == ["∂y_3/∂y_0 = A_3 diag(σ′(z_2)) A_2 diag(σ′(z_1)) A_1"]
    assert get("p6").run().figures[0].name == "mlp-chain"


def test_svg_is_well_formed_and_escapes_text():
    figure = conv_figure(Conv2d(2, 1, 1, bias=False), {(1, 1): sp.Matrix([[1]]),
                                                       (1, 2): sp.Matrix([[2]])},
                         channel_names=("<a&b>", '"q"'))
    source = figure.svg()
    root = ET.fromstring(source.split("?>", 1)[1])  # parses: everything escaped
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("}text")]
    assert any("<a&b>" in t for t in texts) and "<a&b>" not in source
    assert r"\&" in tikz(figure.scene) and "<a&b>" not in tikz(figure.scene)


def test_figures_are_limited_before_drawing():
    with pytest.raises(TooLargeError, match="figure_cells"):
        pool_figure(MaxPool2d(40), (80, 80))
    with pytest.raises(TooLargeError, match="figure_cells"):
        conv_figure(Conv2d(30, 30, 3), {(l, g): sp.ones(3, 3) for l in range(1, 31)
                                        for g in range(1, 31)})
    with raised(figure_cells=10):
        proof = get("p1").run()
    assert not proof.figures and any("figure left out" in n for n in proof.notes)
    assert proof.status.name == "PROVED"


def test_unknown_layers_and_bad_stacks_are_refused():
    with pytest.raises(ParameterError, match="--figure"):
        layer_figure(MLP((2, 1)))
    with pytest.raises(ParameterError):
        conv_figure(MaxPool2d(2))
    with pytest.raises(ParameterError):
        receptive_figure(Sequential(Conv2d(1, 1, 3), Conv2d(1, 1, 3)), axis=2)


def test_import_symproof_does_not_load_figures():
    code = "import sys, symproof; print([m for m in sys.modules if 'figures' in m])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


FIGURES = {
    "p1": lambda: synthesis_figure(synthesize(Conv2d(1, 2, 3, padding=1), P1_TARGETS)),
    "p3": lambda: get("p3").run().figures[0],
    "pool": lambda: pool_figure(AvgPool2d(symbols("k")), symbols("m m")),
    "receptive": lambda: receptive_figure(Sequential(
        Conv2d(3, 8, 3, padding=1), MaxPool2d(2), Conv2d(8, 8, 3, padding=1))),
    "mlp": mlp_figure,
    "wide": lambda: conv_figure(Conv2d(4, 3, 5, padding=2), {
        (l, g): sp.eye(5) for l in range(1, 4) for g in range(1, 5)}),
}


@pytest.mark.parametrize("name", FIGURES)
def test_each_figure_compiles_without_overfull_boxes(name, tmp_path):
    need("pdflatex")
    figure = FIGURES[name]()
    (tmp_path / "f.tex").write_text(tikz_standalone(figure.scene, figure.caption))
    too_wide = overfull(pdflatex(tmp_path, "f.tex"))
    assert all(w <= 10 for w in too_wide), too_wide


@pytest.mark.parametrize("pictures", [True, False])
def test_documents_with_and_without_pictures_compile(pictures, tmp_path):
    need("pdflatex")
    argv = ["prove", "p1", "p3", "--latex", "d.tex", "--pdf", "--brief"]
    done = run(*argv, *([] if pictures else ["--no-figures"]), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    tex = (tmp_path / "d.tex").read_text()
    assert (r"\begin{tikzpicture}" in tex) is pictures
    too_wide = overfull(pdflatex(tmp_path, "d.tex", runs=2))
    assert all(w <= 10 for w in too_wide), too_wide


def run(*argv, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "symproof", *argv], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


def test_cli_layer_figure_in_each_format(tmp_path):
    done = run("layer", "conv2d", "--kernel-size", "3", "--padding", "1", "--input", "5x6",
               "--figure", "taps.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote taps.svg" in done.stdout
    assert ET.fromstring((tmp_path / "taps.svg").read_text().split("?>", 1)[1]) is not None
    done = run("layer", "maxpool2d", "--kernel-size", "2", "--channels", "1", "--input", "5x5",
               "--figure", "pool.tex", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert r"\begin{tikzpicture}" in (tmp_path / "pool.tex").read_text()
    if shutil.which("pdflatex"):
        done = run("layer", "conv2d", "--kernel-size", "F", "--figure", "f.pdf", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("argv, message", [
    (["layer", "conv2d", "--kernel-size", "3", "--figure", "out.png"], "must end in .svg"),
    (["layer", "linear", "--in-features", "2", "--out-features", "1", "--figure", "o.svg"],
     "draws only these layers"),
    (["layer", "maxpool2d", "--kernel-size", "200", "--input", "900x900", "--figure", "o.svg"],
     "figure_cells"),
    (["layer", "conv2d", "--kernel-size", "3", "--figure", "no/such/dir/o.svg"],
     "no such directory"),
])
def test_cli_figure_errors_are_one_line(argv, message, tmp_path):
    done = run(*argv, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not list(tmp_path.iterdir())


def test_cli_figure_pdf_without_pdflatex_is_one_line(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no pdflatex on this PATH
    done = run("layer", "conv2d", "--kernel-size", "3", "--figure", "o.pdf", cwd=tmp_path,
               env=env)
    assert done.returncode == 2 and "pdflatex is not installed" in done.stderr
    assert done.stderr.count("\n") == 1 and not (tmp_path / "o.pdf").exists()


def test_prove_markdown_writes_the_figures_beside_it(tmp_path):
    done = run("prove", "p1", "p6", "--markdown", "hw.md", "--latex", "hw.tex", "--brief",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "hw.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert images == ["hw-p1-taps.svg", "hw-p6-mlp-chain.svg"]
    for image in images:
        assert (tmp_path / image).read_text().startswith("<?xml")
    tex = (tmp_path / "hw.tex").read_text()
    assert tex.count(r"\begin{tikzpicture}") == 2 and r"\usepackage{tikz}" in tex
    plain = run("prove", "p1", "--markdown", "plain.md", "--latex", "plain.tex", "--brief",
                "--no-figures", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "![" not in (tmp_path / "plain.md").read_text()
    assert "tikz" not in (tmp_path / "plain.tex").read_text()
    assert not list(tmp_path.glob("plain-*.svg"))


def test_figure_files_never_leave_the_folder(tmp_path):
    from symproof.latex.document import markdown_files
    from symproof.proof import Proof

    proof = Proof("../../evil name", "t", "s")
    proof.figures.append(mlp_figure())
    proof.figures.append(mlp_figure())
    files = markdown_files([proof], tmp_path / "my doc.md")
    svgs = [p for p in files if p.suffix == ".svg"]
    assert len(svgs) == 2 and all(p.parent == tmp_path for p in svgs)
    assert all("/" not in p.name and " " not in p.name for p in svgs)
    assert len(set(svgs)) == 2


def test_kernels_must_belong_to_the_layer():
    with pytest.raises(ParameterError, match="kernel's shape 3 × 3"):
        conv_figure(Conv2d(1, 1, 3), {(1, 1): sp.ones(2, 2)})
    with pytest.raises(ParameterError, match="channel numbers"):
        conv_figure(Conv2d(1, 1, 3), {(2, 1): sp.ones(3, 3)})
    with pytest.raises(ParameterError, match="groups=1"):
        conv_figure(Conv2d(2, 2, 3, groups=2), {(1, 1): sp.ones(3, 3)})
    taps = conv_figure(Conv1d(1, 1, 3, padding=1), {(1, 1): [1, -2, 1]}).scene.cells_of("tap")
    assert sorted(c.text.plain for c in taps if c.key[2:] == (1, 2)) == ["−2", "−2"]


def test_a_refused_figure_file_writes_nothing(tmp_path):
    (tmp_path / "hw-p6-mlp-chain.svg").mkdir()  # where P6's picture would go
    done = run("prove", "p6", "--markdown", "hw.md", "--latex", "hw.tex", "--brief",
               cwd=tmp_path)
    assert done.returncode == 2 and "it is a directory" in done.stderr
    assert done.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw-p6-mlp-chain.svg"]


def test_receptive_field_through_padding_only_levels():
    """Regression: a level reached only through padding reads nothing (it was min() of an
    empty footprint)."""
    net = Sequential(MaxPool2d(3, padding=1), Conv2d(1, 1, 2, stride=3, padding=2))
    figure = receptive_figure(net)
    (bracket,) = [r for r in figure.scene.rects if r.style == "field"]
    first, last = bracket.key[1:]
    position = next(c.key[1] for c in figure.scene.cells
                    if c.key[0] == 2 and c.kind == "read")
    assert (first, last) == tuple(int(v) for v in receptive_field(net).rows(position))


# -- labels off every line, overlapping windows told apart, a figure's page cut to it --------

def _segments(scene):
    """Every line drawn: the cells' edges and the rectangles' edges, as (x0, y0, x1, y1)."""
    boxes = [(c.x, c.y, c.x + 1, c.y + 1) for c in scene.cells]
    boxes += [(r.x0, r.y0, r.x1, r.y1) for r in scene.rects if r.style not in ("field",)]
    for x0, y0, x1, y1 in boxes:
        yield from ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1))


def _crosses(segment, box) -> bool:
    """Whether a horizontal or vertical segment passes through the inside of a box."""
    x0, y0, x1, y1 = segment
    bx0, by0, bx1, by1 = box
    if y0 == y1:  # horizontal
        return by0 < y0 < by1 and min(x0, x1) < bx1 and max(x0, x1) > bx0
    return bx0 < x0 < bx1 and min(y0, y1) < by1 and max(y0, y1) > by0


POOL_SCENES = {
    "p2": lambda: get("p2").run().figures[0].scene,
    "p4": lambda: get("p4").run().figures[0].scene,
    "p9": lambda: get("p9").run().figures[0].scene,
    "overlapping": lambda: pool_figure(MaxPool2d(3, stride=2), (8, 8)).scene,
    "stride 1": lambda: pool_figure(MaxPool2d(2, stride=1), (4, 5)).scene,
    "padded": lambda: pool_figure(AvgPool2d(3, stride=2, padding=1), (6, 7)).scene,
    "two-digit labels": lambda: pool_figure(MaxPool2d(2), (22, 24)).scene,
}


@pytest.mark.parametrize("name", POOL_SCENES)
def test_no_line_crosses_a_window_label(name):
    """Regression: the labels "1,1", "1,2"… sat at a window's centre, on the grid lines (a
    2×2 window's centre is a grid vertex)."""
    scene = POOL_SCENES[name]()
    labelled = [r for r in scene.rects if r.text is not None and r.style == "tile"]
    assert labelled
    lines = list(_segments(scene))
    for rect in labelled:
        box = label_box(rect, scene.scale)
        crossing = [s for s in lines if _crosses(s, box)]
        assert not crossing, (rect.key, box, crossing[:3])


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_overlapping_windows_are_told_apart():
    """Regression: MaxPool2d(3, stride=2) drew every window in the same black line, so that
    overlapping windows could not be told apart. Neighbours now differ in look (colour and
    dash pattern, in TikZ and SVG alike), edges on one grid line are drawn apart, and a note
    says how to read them; windows that tile keep one look."""
    scene = pool_figure(MaxPool2d(3, stride=2), (8, 8)).scene
    tiles = {r.key[1:]: r for r in scene.rects if r.style == "tile"}
    picture, drawing = tikz(scene), svg(scene)
    for (i_, j_), rect in tiles.items():
        for di, dj in ((0, 1), (1, 0), (1, 1), (1, -1)):
            other = tiles.get((i_ + di, j_ + dj))
            if other is None or not _overlap(rect, other):
                continue
            assert rect.variant != other.variant, ((i_, j_), (i_ + di, j_ + dj))
            assert (rect.x0, rect.y0) != (other.x0, other.y0) or rect.x1 != other.x1
    assert len({r.variant for r in tiles.values()}) == 4
    assert all(look in picture for look in ("dashed", "dotted", "dash dot"))
    assert len(set(re.findall(r'stroke-dasharray="([^"]*)"', drawing))) >= 3
    assert any("overlap" in str(n.content) for n in scene.notes)
    tiled = pool_figure(AvgPool2d(2), (4, 4)).scene
    assert {r.variant for r in tiled.rects} == {0}
    assert not any("overlap" in str(n.content) for n in tiled.notes)


def _page_points(path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    return float(found.group(1)), float(found.group(2))


@pytest.mark.parametrize("argv", [
    ["layer", "maxpool2d", "--kernel-size", "3", "--stride", "2", "--input", "8x8"],
    ["layer", "conv2d", "--in-channels", "1", "--out-channels", "1", "--kernel-size", "3",
     "--padding", "1"],
], ids=["maxpool2d", "conv2d"])
def test_a_figure_pdf_is_a_page_the_size_of_its_picture(argv, tmp_path):
    """Regression: ``symproof layer … --figure x.pdf`` wrote a full letter page with the
    picture in its top third."""
    need("pdflatex")
    need("pdfinfo")
    done = run(*argv, "--figure", "f.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    width, height = _page_points(tmp_path / "f.pdf")
    kind = argv[1]
    layer = MaxPool2d(3, stride=2) if kind == "maxpool2d" else Conv2d(1, 1, 3, padding=1)
    scene = layer_figure(layer, (8, 8) if kind == "maxpool2d" else None).scene
    unit = min(UNIT_CM * scene.scale, WIDTH_CM / max(scene.width, 1.0))
    cm = 72 / 2.54
    drawn_width, drawn_height = scene.width * unit * cm, scene.height * unit * cm
    # as wide as the picture (or the narrowest caption), as tall as picture and caption
    across = max(drawn_width, CAPTION_MIN_CM * cm)
    assert 0.8 * across < width < across + 3 * cm
    assert 0.8 * drawn_height < height < drawn_height + 6 * cm
    assert width < 400 and height < 400  # no letter page (612 × 792)
    text = subprocess.run(["pdftotext", str(tmp_path / "f.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "never read" in text or "tap" in text  # picture and caption are on the page
