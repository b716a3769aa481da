"""Every decision of a permissions module has a test: the module's own public functions and
classes must each be called in its test file (as `<module alias>.<name>`)."""

import inspect
import re
from pathlib import Path
from types import ModuleType


def decisions_of(module: ModuleType) -> list[str]:
    """The public functions and classes defined in `module` (not the names it imports)."""
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    )


def untested_decisions(module: ModuleType, test_file: str) -> list[str]:
    source = Path(test_file).read_text(encoding="utf-8")
    return [name for name in decisions_of(module) if not re.search(rf"\.{name}\b", source)]
