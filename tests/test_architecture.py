"""The house has four floors (DESIGN.md), and imports point down only:

    model        errors, limits, params, notation, printing, numeric, shapes, layers …
    kernel       symproof.kernel: the only code that grants a strong status
    derivations  proof, synthesis, calculus, backprop, solve, stack, derivation, figures …
    front-ends   problems (registry, proofs), claims, latex documents, cli, testing

Read from the import graph of the sources (``ast``, nothing imported): no module imports a
higher floor, there are no cycles, no module imports another module's private names, and
imports sit at module top (only heavy optional dependencies load lazily, and the CLI loads the
claim reader only for ``check`` (LAZY_OWN); the package ``symproof`` itself loads some public
names on first use, by ``__getattr__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "symproof"

MODEL, KERNEL, DERIVATIONS, FRONT = range(4)
FLOOR_NAMES = ("model", "kernel", "derivations", "front-ends")

# Each module's floor, by the longest matching dotted prefix.
FLOORS = {
    "symproof.errors": MODEL, "symproof.limits": MODEL, "symproof.params": MODEL,
    "symproof.notation": MODEL, "symproof.printing": MODEL, "symproof.text": MODEL,
    "symproof.prose": MODEL,
    "symproof.ordering": MODEL, "symproof.numeric": MODEL, "symproof.reductions": MODEL,
    "symproof.shapes": MODEL, "symproof.files": MODEL, "symproof.layers": MODEL,
    "symproof.workers": MODEL,
    "symproof.latex": MODEL, "symproof.latex.printer": MODEL, "symproof.latex.escape": MODEL,
    "symproof.kernel": KERNEL,
    "symproof.proof": DERIVATIONS, "symproof.synthesis": DERIVATIONS,
    "symproof.synthesis_proof": DERIVATIONS, "symproof.calculus": DERIVATIONS,
    "symproof.backprop": DERIVATIONS, "symproof.solve": DERIVATIONS,
    "symproof.stack": DERIVATIONS, "symproof.derivation": DERIVATIONS,
    "symproof.crosscheck": DERIVATIONS, "symproof.report": DERIVATIONS,
    "symproof.notebook": DERIVATIONS,
    # figures draw derivations (a synthesised kernel, a stack's receptive field), and the
    # synthesis proof attaches its picture: a derivation that nothing below imports
    "symproof.figures": DERIVATIONS,
    "symproof.registry": FRONT, "symproof.problems": FRONT, "symproof.claims": FRONT,
    "symproof.latex.document": FRONT, "symproof.latex.export": FRONT,
    "symproof.latex.roundtrip": FRONT, "symproof.cli": FRONT, "symproof.__main__": FRONT,
    "symproof.testing": FRONT, "symproof.serialize": FRONT,
}

# Third-party packages imported inside functions on purpose, and why: everything else (the
# project's own modules, the standard library, SymPy) is imported at module top.
LAZY_ALLOWED = {
    "torch": "optional, and seconds to import",
    "numpy": "a third of `import sympy`: `import symproof` must stay within 1.3x of it",
    "latex2sympy2_extended": "ANTLR's runtime; only `check` reads LaTeX",
    "pytest": "the test extra: symproof.testing's helpers are usable without it",
}

# The project's own modules loaded inside a function on purpose, by whom, and why.
LAZY_OWN = {
    ("symproof.cli", "symproof.claims.check"): "0.1 s at start-up; only `check` reads claims",
    ("symproof.cli", "symproof.claims.annotate"): "the same: only `check` annotates",
    ("symproof.cli", "symproof.claims.annotate_html"): "the same: only `check` writes reports",
    ("symproof.cli", "symproof.claims.annotate_latex"): "the same: only `check` marks LaTeX",
}


def floor_of(module: str) -> int | None:
    best = None
    for prefix in FLOORS:
        if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best)):
            best = prefix
    return None if best is None else FLOORS[best]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, path: Path):
    """``(imported module, names, at module top?, line)`` for every import of ``module``;
    ``from package import name`` of a submodule counts as importing the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, typing_only = set(), set()
    for node in tree.body:
        top.add(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            # annotations only: at the top, and no dependency when the program runs
            typing_only.update(node.body)
    known = modules()
    for node in ast.walk(tree):
        if node in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node in top, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = resolve(module, path, node)
            names = tuple(a.name for a in node.names)
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
            for sub in submodules:
                yield sub, (), node in top, node.lineno
            rest = tuple(n for n in names if f"{target}.{n}" not in known)
            if rest or not submodules:
                yield target, rest, node in top, node.lineno


def internal_edges():
    for module, path in modules().items():
        for target, names, at_top, line in imports(module, path):
            if target == "symproof" or target.startswith("symproof."):
                yield module, target, names, at_top, line, path


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def test_every_module_has_a_floor():
    assert not [m for m in modules() if m != "symproof" and floor_of(m) is None]


def test_imports_point_down():
    upward = [f"{path.relative_to(ROOT)}:{line}: {module} ({FLOOR_NAMES[floor_of(module)]}) "
              f"imports {target} ({FLOOR_NAMES[floor_of(target)]})"
              for module, target, _, _, line, path in internal_edges()
              if module != "symproof" and target != "symproof"
              and floor_of(target) is not None and floor_of(target) > floor_of(module)]
    assert not upward, "\n".join(upward)


def test_no_module_imports_the_package_root():
    """``from symproof import X`` inside the package hides which floor X lives on."""
    rooted = [f"{path.relative_to(ROOT)}:{line}: {module}"
              for module, target, names, _, line, path in internal_edges()
              if target == "symproof" and module not in ("symproof", "symproof.__main__")
              and not all(_dunder(name) for name in names)]  # __version__ is the package's
    assert not rooted, "\n".join(rooted)


def test_no_private_names_across_modules():
    private = [f"{path.relative_to(ROOT)}:{line}: {module} imports {target}.{name}"
               for module, target, names, _, line, path in internal_edges()
               for name in names if name.startswith("_") and not _dunder(name)
               and target != module]
    assert not private, "\n".join(private)


def test_imports_at_module_top():
    inner = []
    for module, path in modules().items():
        if module == "symproof":  # the package's lazy public names
            continue
        for target, _, at_top, line in imports(module, path):
            if not at_top and target.split(".")[0] not in LAZY_ALLOWED and (
                    module, target) not in LAZY_OWN:
                inner.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {target}")
    assert not inner, f"{len(inner)} imports inside functions:\n" + "\n".join(inner)


def test_no_cycles():
    graph: dict[str, set[str]] = {}
    for module, target, _, _, _, _ in internal_edges():
        if module != "symproof" and target != "symproof" and target in modules():
            graph.setdefault(module, set()).add(target)
    # a package's __init__ importing its own submodules is no cycle of meaning
    for module in graph:
        graph[module] = {t for t in graph[module]
                         if not (t.startswith(module + ".") or module.startswith(t + "."))}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("bad, expected", [
    ("from ..latex.document import x", "imports symproof.latex.document"),
    ("def f():\n    from .numeric import y", "imports inside functions"),
    ("from .numeric import _private", "_private"),
])
def test_the_checks_can_fail(tmp_path, monkeypatch, bad, expected):
    """Each check above finds a planted violation (a check that cannot fail proves nothing)."""
    planted = PACKAGE / "layers" / "_planted_violation.py"
    planted.write_text(bad + "\n", encoding="utf-8")
    try:
        failures = []
        for check in (test_imports_point_down, test_no_private_names_across_modules,
                      test_imports_at_module_top):
            try:
                check()
            except AssertionError as error:
                failures.append(str(error))
        assert any(expected in f for f in failures), failures
    finally:
        planted.unlink()
