"""`make mutation` covers every app's rules.py, and runs the tests that exercise it.

The mutation configuration (``[tool.mutmut]`` in pyproject.toml) names the modules to mutate by
glob and the tests to run by file: a new app's ``rules.py`` is mutated without a change, but
its tests must be added to the selection, or each of its mutants would count as "no tests".
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
KERNEL = [
    "lishui_fire/core/calendar.py",
    "lishui_fire/core/clock_rules.py",
    "lishui_fire/core/clocks.py",
]


def rules_modules() -> list[str]:
    found = []
    for source in CONFIG["source_paths"]:
        for pattern in ("rules.py", "rules_*.py"):
            found += [p.relative_to(ROOT).as_posix() for p in (ROOT / source).rglob(pattern)]
    return sorted(p for p in found if "/migrations/" not in p and "/tests/" not in p)


def rules_tests(path: str) -> list[Path]:
    """The tests of ``<app>/rules.py``: ``<app>/tests/test_rules.py`` and, in an app built in
    parts, ``<app>/tests/test_<part>_rules.py``; of ``<app>/rules_<part>.py``, the latter."""
    module = Path(path)
    tests = ROOT / module.parent / "tests"
    if module.stem == "rules":
        return sorted([*tests.glob("test_rules.py"), *tests.glob("test_*_rules.py")])
    part = module.stem.removeprefix("rules_")
    return sorted(tests.glob(f"test_{part}_rules.py"))


def mutated(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in CONFIG["only_mutate"])


def test_it_mutates_every_rules_module_and_the_kernel_clocks():
    assert "permits/rules.py" in rules_modules()
    for path in [*rules_modules(), *KERNEL]:
        assert mutated(path), f"{path} is not mutated by make mutation"
    assert not mutated("permits/services/prechecks.py")


def test_it_finds_every_app_in_the_source_paths():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"lishui_fire"}
    assert apps <= set(CONFIG["source_paths"]), apps - set(CONFIG["source_paths"])


def test_it_runs_the_tests_of_every_rules_module():
    selection = CONFIG["pytest_add_cli_args_test_selection"]
    for path in rules_modules():
        tests = rules_tests(path)
        assert tests, f"{path} has no tests/test_rules.py (or tests/test_<part>_rules.py)"
        for test in tests:
            name = test.relative_to(ROOT).as_posix()
            assert name in selection, f"add {name} to the mutation test selection"
    for path in selection:
        assert (ROOT / path).exists(), f"{path} is in the mutation selection but does not exist"
