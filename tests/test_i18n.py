"""Vietnamese is complete: no message missing, empty or fuzzy; catalogs compile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parent.parent


def _catalog(locale: str):
    with open(REPO / "translations" / locale / "LC_MESSAGES" / "lms.po", "rb") as handle:
        return read_po(handle, locale=locale)


def test_every_marked_string_is_in_the_vietnamese_catalog(tmp_path: Path) -> None:
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(REPO / "babel.cfg"),
         "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-o", str(pot), str(REPO / "lms")],
        capture_output=True,
        check=True, cwd=REPO,
    )
    with open(pot, "rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    catalog = _catalog("vi")
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} strings not in translations/vi (run `make translations`): {missing[:10]}"


def test_vietnamese_has_no_empty_or_fuzzy_message() -> None:
    problems = []
    for message in _catalog("vi"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(message.id)
    assert not problems, f"{len(problems)} untranslated or fuzzy: {problems[:10]}"


def test_placeholders_survive_translation() -> None:
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]")
    for message in _catalog("vi"):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(pattern.findall(message.id)) == set(pattern.findall(message.string)), message.id


def test_compiled_catalog_is_up_to_date() -> None:
    po = REPO / "translations" / "vi" / "LC_MESSAGES" / "lms.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1, "run `make translations`"
