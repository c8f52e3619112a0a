#!/usr/bin/env python3
"""Fail when the English catalogue has an untranslated or fuzzy entry.

Source strings are Simplified Chinese; an empty English msgstr would show Chinese to an English
reader, and gettext silently ignores fuzzy entries. Usage::

    python scripts/check_translations.py [path/to/django.po ...]

With no argument it checks every ``locale/*/LC_MESSAGES/*.po``. Exit status 1 lists the problems.
No third-party dependency: CI runs it before anything is installed, and tests/test_i18n.py
imports it.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False


def _unquote(text: str) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"expected a quoted string, got {text!r}")
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """A small PO reader for the files makemessages writes: one entry per blank-line block."""
    entries: list[Entry] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    block: list[tuple[int, str]] = []
    for lineno, raw in enumerate([*lines, ""], start=1):
        if raw.strip():
            block.append((lineno, raw.strip()))
            continue
        if block:
            entries.append(_parse_block(path, block))
            block = []
    return entries


def _parse_block(path: Path, block: list[tuple[int, str]]) -> Entry:
    entry = Entry(line=block[0][0])
    target: tuple[str, int] | None = None  # the field a continuation line extends
    for lineno, line in block:
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.msgctxt, target = _unquote(line[8:]), ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _unquote(line[13:]), ("msgid_plural", 0)
        elif line.startswith("msgid "):
            entry.msgid, target = _unquote(line[6:]), ("msgid", 0)
            entry.line = lineno
        elif line.startswith("msgstr["):
            index, _, rest = line[7:].partition("]")
            entry.msgstr[int(index)], target = _unquote(rest), ("msgstr", int(index))
        elif line.startswith("msgstr "):
            entry.msgstr[0], target = _unquote(line[7:]), ("msgstr", 0)
        elif line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
        else:
            raise ValueError(f"{path}:{lineno}: cannot parse {line!r}")
    return entry


def problems(path: Path) -> list[str]:
    found = []
    for entry in parse_po(path):
        if entry.obsolete:
            continue
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{entry.line}"
        if entry.msgid == "":  # the header
            if "fuzzy" in entry.flags:
                found.append(f"{where}: the header is marked fuzzy (the whole file is ignored)")
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy: {entry.msgid!r}")
        if not entry.msgstr or any(not s for s in entry.msgstr.values()):
            found.append(f"{where}: untranslated: {entry.msgid!r}")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po"))
    if not paths:
        print("no catalogues found under locale/", file=sys.stderr)  # noqa: T201
        return 1
    found = [p for path in paths for p in problems(path)]
    for line in found:
        print(line, file=sys.stderr)  # noqa: T201
    checked = ", ".join(str(p.relative_to(ROOT)) for p in paths if p.is_relative_to(ROOT))
    print(f"{len(found)} problem(s) in {checked or paths}")  # noqa: T201
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
