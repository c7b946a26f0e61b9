"""Reading a roster file (CSV or XLSX) and checking each row, without touching the database.

Columns (documented on the roster page and in the templates): full name, username or phone
number, birth year, optional email. Headers may be in English or Vietnamese, with or without
accents, in any order; a row-number column ("STT") is ignored, any other column is reported.

Problems are stored as codes with parameters (``{"code": "duplicate", "first": 3}``) and
turned into sentences by :func:`problem_message` in the language of whoever reads them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from lms.accounts.validators import birth_year_problem, looks_like_phone, normalize_phone, username_problem
from lms.classes.messages import problem_message
from lms.i18n import _
from lms.textcheck import name_problem, replace_unsafe

COLUMNS: tuple[str, ...] = ("full_name", "login", "birth_year", "email")
REQUIRED: tuple[str, ...] = ("full_name", "login", "birth_year")
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: an Excel cell that held 0912345678 as a number shows 912345678
_LOST_ZERO_RE = re.compile(r"^[35789]\d{8}$")
_ALIASES: dict[str, set[str]] = {
    "full_name": {
        "full name",
        "fullname",
        "full_name",
        "name",
        "ho va ten",
        "ho ten",
        "hoten",
        "ten",
        "ho va ten hoc vien",
        "ho ten hoc vien",
    },
    "login": {
        "username or phone number",
        "username or phone",
        "login",
        "username",
        "user name",
        "phone",
        "phone number",
        "mobile",
        "so dien thoai",
        "sdt",
        "dien thoai",
        "ten dang nhap",
        "ten dang nhap hoac so dien thoai",
        "so dien thoai hoac ten dang nhap",
    },
    "birth_year": {"birth year", "birth_year", "year of birth", "nam sinh", "namsinh"},
    "email": {"email", "e mail", "email optional", "thu dien tu", "email khong bat buoc"},
}
_IGNORED = {"stt", "no", "so thu tu", "tt", "number", "#"}


def column_labels() -> dict[str, str]:
    """The header of each column as the template writes it, in the current language."""
    return {
        "full_name": _("Full name"),
        "login": _("Username or phone number"),
        "birth_year": _("Birth year"),
        "email": _("Email (optional)"),
    }


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: "Họ và tên" -> "ho va ten"."""
    text = unicodedata.normalize("NFKD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", text).split())


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all; ``problem`` is a code with parameters."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.problem = {"code": code, **params}

    @property
    def message(self) -> str:
        return problem_message(self.problem)


@dataclass
class RosterTable:
    """The file's rows as text: ``rows`` holds (line number, {column: text})."""

    columns: dict[int, str]
    rows: list[tuple[int, dict[str, str]]]
    notes: list[dict] = field(default_factory=list)
    encoding: str = "xlsx"


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-16 (with BOM), then UTF-8 (BOM or not), then Windows-1258; NFC-normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:  # an odd length or a lone surrogate
            raise RosterFileError("unreadable_encoding") from error
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1258"), "cp1258"
            except UnicodeDecodeError as error:
                raise RosterFileError("unreadable_encoding") from error
    # Windows-1258 writes tone marks as separate combining characters
    return unicodedata.normalize("NFC", text), encoding


def _cell_text(value: object, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return str(value.year) if column == "birth_year" else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", " ".join(str(value).split()))
    # rows are stored (JSON) for the preview: PostgreSQL cannot store a NUL or a lone surrogate
    return replace_unsafe(text)


def map_header(header: list[object]) -> tuple[dict[int, str], list[dict]]:
    """Which column index holds which field; raise on missing columns, note unknown ones."""
    aliases = {name: set(names) for name, names in _ALIASES.items()}
    for name, label in column_labels().items():
        aliases[name].add(fold(label))
    columns: dict[int, str] = {}
    notes: list[dict] = []
    for index, raw in enumerate(header):
        title = _cell_text(raw, "")
        key = fold(title)
        if not key or key in _IGNORED:
            continue
        name = next((n for n, names in aliases.items() if key in names), None)
        if name is None:
            notes.append({"code": "unknown_column", "column": title})
        elif name in columns.values():
            notes.append({"code": "repeated_column", "column": title})
        else:
            columns[index] = name
    missing = [name for name in REQUIRED if name not in columns.values()]
    if missing:
        labels = column_labels()
        raise RosterFileError("missing_columns", columns=", ".join(labels[m] for m in missing))
    return columns, notes


def _table(lines: list[tuple[int, list[object]]], max_rows: int, encoding: str) -> RosterTable:
    lines = [(n, cells) for n, cells in lines if any(_cell_text(c, "") for c in cells)]
    if not lines:
        raise RosterFileError("empty")
    columns, notes = map_header(lines[0][1])
    body = lines[1:]
    if not body:
        raise RosterFileError("no_rows")
    if len(body) > max_rows:
        raise RosterFileError("too_many_rows", rows=len(body), max=max_rows)
    rows = []
    for number, cells in body:
        values = {name: "" for name in COLUMNS}
        for index, name in columns.items():
            if index < len(cells):
                values[name] = _cell_text(cells[index], name)
        rows.append((number, values))
    return RosterTable(columns, rows, notes, encoding)


def read_csv(data: bytes, max_rows: int = MAX_ROWS) -> RosterTable:
    text, encoding = decode_text(data)
    if not text.strip():
        raise RosterFileError("empty")
    first = text.split("\n", 1)[0]
    # Excel with Vietnamese regional settings separates with ";" (the decimal mark is ",")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            lines.append((reader.line_num, cells))
    except csv.Error as error:
        raise RosterFileError("bad_csv", line=reader.line_num) from error
    return _table(lines, max_rows, encoding)


def read_xlsx(data: bytes, max_rows: int = MAX_ROWS) -> RosterTable:
    from openpyxl import load_workbook  # openpyxl loads on the first spreadsheet, not in every worker

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RosterFileError("bad_xlsx") from error
    try:
        sheet = book.worksheets[0]
        lines: list[tuple[int, list[object]]] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            lines.append((number, list(cells)))
    finally:
        book.close()
    return _table(lines, max_rows, "xlsx")


def read_roster(data: bytes, max_rows: int = MAX_ROWS) -> RosterTable:
    """Read CSV or XLSX, recognised by content rather than by file name."""
    if not data or not data.strip():
        raise RosterFileError("empty")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError("old_excel")
    return read_csv(data, max_rows)


def check_row(line: int, values: dict[str, str]) -> dict:
    """Normalise one row and list its problems: a dict ready for ``RosterUpload.rows``."""
    problems: list[dict] = []
    notes: list[dict] = []
    full_name = " ".join(values.get("full_name", "").split())
    if not full_name:
        problems.append({"code": "missing_full_name"})
    elif len(full_name) > 120:
        problems.append({"code": "full_name_too_long"})
    elif name_problem(full_name):
        problems.append({"code": "bad_name_characters"})
    login = values.get("login", "").strip()
    username, phone = login, None
    if not login:
        problems.append({"code": "missing_login"})
    else:
        if _LOST_ZERO_RE.match(login):
            login = "0" + login
            notes.append({"code": "phone_zero_added"})
        phone = normalize_phone(login)
        if phone:
            username = login = phone
        elif looks_like_phone(login):
            problems.append({"code": "bad_phone"})
        elif username_problem(login.lower()):
            problems.append({"code": "bad_username"})
        else:
            username = login = login.lower()
    birth_year: int | None = None
    raw_year = values.get("birth_year", "").strip()
    if not raw_year:
        problems.append({"code": "missing_birth_year"})
    elif not re.fullmatch(r"\d{4}", raw_year):
        problems.append({"code": "bad_birth_year"})
    else:
        birth_year = int(raw_year)
        if birth_year_problem(birth_year) or birth_year < 1900:
            problems.append({"code": "bad_birth_year"})
    email = values.get("email", "").strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        problems.append({"code": "bad_email"})
    return {
        "line": line,
        "full_name": full_name,
        "login": login,
        "username": username,
        "phone": phone,
        "birth_year": birth_year if birth_year is not None else raw_year,
        "email": email,
        "status": "error" if problems else "ok",
        "problems": problems,
        "notes": notes,
    }


def check_rows(table: RosterTable) -> list[dict]:
    """Check every row; a login seen before is a duplicate of its first row."""
    return mark_duplicates([check_row(line, values) for line, values in table.rows])


def mark_duplicates(rows: list[dict]) -> list[dict]:
    """Flag (in place) each row whose login an earlier row already has; returns the rows."""
    first_seen: dict[str, int] = {}
    for row in rows:
        key = row["login"]
        if key and not any(p["code"] in ("bad_phone", "bad_username") for p in row["problems"]):
            if key in first_seen:
                row["problems"].append({"code": "duplicate", "first": first_seen[key]})
                row["status"] = "error"
            else:
                first_seen[key] = row["line"]
    return rows


def clean_cell(value: str, column: str) -> str:
    """A value typed in the preview, made like a file's cell (single spaces, NFC, storable)."""
    return _cell_text(value, column)
