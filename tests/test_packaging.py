"""Where the worked problems live: the folder proofs/, installed as symproof.worked (never as a
top-level package `proofs`), discovered by path through the loader that runs a user's file."""

from __future__ import annotations

import doctest
import importlib
import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from symproof import registry

ROOT = Path(__file__).resolve().parents[1]


def worked_modules() -> list:
    modules = {problem.build.__module__ for problem in registry.problems().values()}
    return [sys.modules[name] for name in sorted(modules)]


def test_the_distribution_installs_no_top_level_proofs():
    found = list(importlib.metadata.distributions(name="symproof"))
    assert found
    for dist in found:  # the installed dist-info, and the egg-info an editable build leaves
        assert (dist.read_text("top_level.txt") or "").split() == ["symproof"], \
            "reinstall symproof (pip install -e .): its metadata predates symproof.worked"
        if dist.read_text("RECORD"):  # what was installed (an egg-info lists its sources)
            installed = [str(f) for f in dist.files or ()]
            assert not any(f.startswith("proofs/") for f in installed), installed


def test_proofs_is_not_importable_and_the_cli_works_outside_the_repository(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = ("import importlib.util; print(importlib.util.find_spec('proofs'), "
             "importlib.util.find_spec('symproof.worked') is not None)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["None", "True"], done.stderr
    done = subprocess.run([sys.executable, "-m", "symproof", "list"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "forward-difference" in done.stdout, done.stderr


def test_the_registry_finds_every_module_of_the_proofs_folder():
    assert registry.worked_folder().resolve() == (ROOT / "proofs").resolve()
    files = {path.stem for path in (ROOT / "proofs").glob("*.py")
             if not path.name.startswith("_")}
    assert {m.__name__ for m in worked_modules()} == {f"symproof.worked.{f}" for f in files}
    for module in worked_modules():
        defined = [getattr(module, "PROBLEM", None), *getattr(module, "PROBLEMS", [])]
        defined = [p for p in defined if p is not None]
        assert defined and all(registry.get(p.name) is p for p in defined), module.__name__
        assert Path(module.__file__).resolve().parent == (ROOT / "proofs").resolve()


def test_a_worked_module_is_loaded_once_whatever_asks_for_it():
    before = registry.problems()
    registry.problems.cache_clear()
    again = registry.problems()
    assert again == before and all(again[name] is before[name] for name in before)
    imported = importlib.import_module("symproof.worked.p3_grayscale")
    assert imported.PROBLEM is registry.get("p3")


def test_a_users_file_never_replaces_a_worked_module(tmp_path):
    module = sys.modules["symproof.worked.p3_grayscale"]
    mine = tmp_path / "p3_grayscale.py"  # the same file name as a worked problem's
    mine.write_text((ROOT / "examples" / "box_blur.py").read_text())
    (problem,) = registry.from_file(mine)
    assert problem.name == "blur" and problem.source == str(mine)
    assert sys.modules["symproof.worked.p3_grayscale"] is module
    assert registry.get("p3") is module.PROBLEM


def test_the_library_never_imports_the_proofs_folder_by_name():
    pattern = re.compile(r"^\s*(import|from)\s+proofs\b", re.MULTILINE)
    for path in (ROOT / "symproof").rglob("*.py"):
        assert not pattern.search(path.read_text()), path
    assert "import proofs" not in (ROOT / "symproof" / "registry.py").read_text()


def test_pyproject_lists_every_package_and_maps_proofs_into_symproof():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "symproof").rglob("__init__.py")}
    assert set(config["packages"]) == folders | {"symproof.worked"}, \
        "list every package of symproof/ in pyproject.toml [tool.setuptools] packages"
    assert config["package-dir"] == {"symproof.worked": "proofs"}
    assert not any(p.split(".")[0] == "proofs" for p in config["packages"])


@pytest.mark.parametrize("module", worked_modules(), ids=lambda m: m.__name__.split(".")[-1])
def test_the_doctests_of_the_worked_problems(module):
    """pytest does not collect proofs/ itself (it would import each file a second time, as
    proofs.<module>): the doctests run on the modules the registry loaded."""
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    runner = doctest.DocTestRunner(optionflags=flags)
    for test in doctest.DocTestFinder().find(module, module.__name__):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
