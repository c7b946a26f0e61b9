"""Fixing a roster in its preview instead of uploading it again.

The preview is a form (it works without JavaScript): each row's cells are inputs named
``<column>-<line>`` and a row that needs a check has a tick box ``tick-<line>``. "Check again"
sends the page's rows: a row whose cells changed is checked again as if read from the file,
duplicates are looked for again across the whole upload, every row is matched again against
the accounts (:func:`lms.classes.matching.classify`), and the ticks of the page's rows are kept.
The upload itself keeps the rows on the server; nothing else is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import update

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.classes.enroll import shown_accounts
from lms.classes.matching import classify
from lms.classes.models import RosterUpload
from lms.classes.roster import COLUMNS, check_row, clean_cell, mark_duplicates
from lms.db import db

#: a cell is cut to this before it is checked (a name may have 120 characters, an email 254)
MAX_CELL = 300


@dataclass
class PageEdits:
    """What a submitted preview page says: the cells of the rows it showed, the ticked rows."""

    cells: dict[int, dict[str, str]] = field(default_factory=dict)
    ticks: set[int] = field(default_factory=set)


def read_form(form: Mapping[str, str], lines: Iterable[int]) -> PageEdits:
    """The rows of this upload that the form carries (a row is there when its name input is)."""
    edits = PageEdits()
    for line in lines:
        if f"full_name-{line}" not in form:
            continue
        edits.cells[line] = {
            column: clean_cell(str(form.get(f"{column}-{line}", ""))[:MAX_CELL], column) for column in COLUMNS
        }
        if form.get(f"tick-{line}"):
            edits.ticks.add(line)
    return edits


def cells_of(row: dict) -> dict[str, str]:
    """A stored row's cells as the preview's inputs show them."""
    year = row.get("birth_year")
    return {
        "full_name": row.get("full_name") or "",
        "login": row.get("login") or "",
        "birth_year": "" if year is None else str(year),
        "email": row.get("email") or "",
    }


def changed_lines(rows: list[dict], edits: PageEdits) -> list[int]:
    return [r["line"] for r in rows if r["line"] in edits.cells and edits.cells[r["line"]] != cells_of(r)]


def apply_edits(rows: list[dict], edits: PageEdits, class_id: int) -> list[dict]:
    """The upload's rows with the page's edits and ticks, every row checked and matched again.

    A changed row loses its tick: what was ticked was the old row.
    """
    out: list[dict] = []
    for row in rows:
        line = row["line"]
        typed = edits.cells.get(line)
        if typed is not None and typed != cells_of(row):
            fresh = check_row(line, typed)
            fresh["confirmed"] = False
            out.append(fresh)
            continue
        kept = {**row, "problems": [p for p in row["problems"] if p["code"] != "duplicate"]}
        if typed is not None:
            kept["confirmed"] = line in edits.ticks
        kept["status"] = "error" if kept["problems"] else "ok"
        out.append(kept)
    return classify(mark_duplicates(out), class_id)


def save_rows(upload: RosterUpload, rows: list[dict], actor: User, changed: int) -> bool:
    """Store the rows unless the upload was imported meanwhile (a second tab); True when stored.
    The audit log keeps who checked again and whose initials the preview then showed."""
    stored = db.session.execute(
        update(RosterUpload)
        .where(RosterUpload.id == upload.id, RosterUpload.imported_at.is_(None))
        .values(rows=rows)
        .execution_options(synchronize_session=False)
    ).rowcount
    if stored:
        audit(actor, "roster_check", "class", upload.class_id,
              {"upload_id": upload.id, "changed": changed, **shown_accounts(rows)})
    db.session.commit()
    db.session.refresh(upload)
    return stored == 1
