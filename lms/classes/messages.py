"""Roster problems and notes, from their stored codes to sentences in the reader's language."""

from __future__ import annotations

from lms.i18n import _


def problem_message(problem: dict) -> str:
    """A problem code in the reader's language."""
    code = problem["code"]
    messages = {
        "no_file": lambda: _("Choose a CSV or Excel file first."),
        "empty": lambda: _("The file is empty."),
        "no_rows": lambda: _("The file has a header row but no learners."),
        "too_many_rows": lambda: _(
            "The file has %(rows)d rows; at most %(max)d can be imported at once. Split it into smaller files.",
            rows=problem["rows"],
            max=problem["max"],
        ),
        "too_large": lambda: _("The file is larger than %(mb)d MB.", mb=problem.get("mb", 5)),
        "missing_columns": lambda: _(
            "Missing column(s): %(columns)s. Use the template: its first row names the columns.",
            columns=problem["columns"],
        ),
        "unknown_column": lambda: _(
            'The column "%(column)s" is not used and will be ignored.', column=problem["column"]
        ),
        "repeated_column": lambda: _(
            'The column "%(column)s" appears twice; only the first one is used.', column=problem["column"]
        ),
        "unreadable_encoding": lambda: _(
            'We cannot read the text of this file. Save it as "CSV UTF-8" or as an Excel workbook (.xlsx).'
        ),
        "bad_csv": lambda: _("The file is not a valid CSV file (line %(line)d).", line=problem["line"]),
        "bad_xlsx": lambda: _("The file is not a valid Excel workbook (.xlsx)."),
        "old_excel": lambda: _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV."),
        "missing_full_name": lambda: _("The full name is missing."),
        "full_name_too_long": lambda: _("The full name is longer than 120 characters."),
        "bad_name_characters": lambda: _(
            "The full name contains control characters, invisible characters or text-direction marks."
        ),
        "missing_login": lambda: _("The username or phone number is missing."),
        "bad_phone": lambda: _("This is not a Vietnamese mobile number (10 digits, e.g. 0912345678)."),
        "bad_username": lambda: _(
            "A username has 3 to 32 characters: lower-case letters without accents, "
            "digits, dot, dash or underscore, starting with a letter or digit."
        ),
        "missing_birth_year": lambda: _("The birth year is missing."),
        "bad_birth_year": lambda: _("The birth year must be a year such as 1965."),
        "bad_email": lambda: _("The email address is not valid."),
        "duplicate": lambda: _("Same username or phone number as row %(first)d.", first=problem["first"]),
        "phone_zero_added": lambda: _("The leading 0 of the phone number was added back."),
        # the same words for every existing account that is not linked at once (a staff account
        # too): the teacher learns nothing about it beyond what the row says
        "invite": lambda: _(
            "An account already exists; this person will be invited and will agree to join the class themselves."
        ),
        "ambiguous": lambda: _("This login matches two different accounts."),
        # a row to check, beside the account: its masked name and which details agree, no more
        "check": lambda: _(
            "An account already has this login: %(name)s (name %(name_state)s, birth year %(year_state)s).",
            name=problem.get("name", "—"),
            name_state=_("agrees") if problem.get("name_agrees") else _("differs"),
            year_state={"same": _("agrees"), "differs": _("differs")}.get(
                problem.get("year", ""), _("not recorded on both")
            ),
        ),
    }
    make = messages.get(code)
    return make() if make else code
