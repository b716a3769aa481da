"""The demo sits on top of the apps: it imports them, none of them imports it."""

import ast
from pathlib import Path

import buendnis

PACKAGE = Path(buendnis.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_app_imports_the_demo() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if PACKAGE / "demo" not in path.parents
        and any(
            name == "buendnis.demo" or name.startswith("buendnis.demo.")
            for name in imported_modules(path)
        )
    ]
    assert offenders == []
