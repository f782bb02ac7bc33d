"""The package layout of `geo/` is the architecture: dependencies run one way and nothing imports Streamlit."""

import ast
from pathlib import Path

import pytest

from geo.config import REPO_ROOT

GEO = REPO_ROOT / "geo"
TOP_LEVEL = {"__init__.py", "__main__.py", "accessibility.py", "cli.py", "config.py", "i18n.py", "export.py",
             "report.py", "visits.py"}
PACKAGES = ("data", "maps", "initiatives", "residents")  # each may use only those before it
UI_LIBRARIES = {"streamlit", "streamlit_folium"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "geo":  # `from geo import x` imports the module geo.x
                names.update(f"geo.{alias.name}" for alias in node.names)
    return names


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "geo" and parts[1] in PACKAGES else None


def modules_of(package: str) -> list[Path]:
    return sorted((GEO / package).rglob("*.py"))


def test_top_level_of_geo_stays_small():
    top = {path.name for path in GEO.glob("*.py")}
    assert top <= TOP_LEVEL, f"move these into a package: {sorted(top - TOP_LEVEL)}"
    folders = {path.name for path in GEO.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert folders == set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_owns(package):
    init = GEO / package / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 10, f"geo/{package}/__init__.py needs a docstring"


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_run_one_way(package):
    allowed = set(PACKAGES[: PACKAGES.index(package) + 1])
    wrong = []
    for path in modules_of(package):
        for module in imported_modules(path):
            used = package_of(module)
            if used and used not in allowed:
                wrong.append(f"{path.relative_to(REPO_ROOT)} imports {module}")
            if package == "data" and module.startswith("geo.") and not module.startswith(("geo.data", "geo.config")):
                wrong.append(f"{path.relative_to(REPO_ROOT)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_no_rule_imports_streamlit():
    wrong = [
        f"{path.relative_to(REPO_ROOT)} imports {module}"
        for path in sorted(GEO.rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in UI_LIBRARIES
    ]
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_a_wrong_import(tmp_path):
    """The import reader finds function-level and `from geo import` forms (so the checks above can fail)."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    import streamlit as st\n    from geo import initiatives\n")
    assert {"streamlit", "geo.initiatives"} <= imported_modules(source)
    assert package_of("geo.initiatives.store") == "initiatives"
