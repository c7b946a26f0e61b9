"""Commands of the classes package: ``lms classes purge`` (run it daily from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.classes.enroll import UPLOAD_DAYS, purge_old_uploads
from lms.classes.passwords import purge_expired_sheets
from lms.db import db

classes_group = AppGroup("classes", help="Teachers' classes.")


@classes_group.command("purge")
@click.option("--upload-days", type=int, default=None, help="Keep roster uploads this many days (default 30).")
@with_appcontext
def purge(upload_days: int | None) -> None:
    """Delete expired one-time password sheets and old roster uploads."""
    days = upload_days or int(current_app.config.get("LMS_ROSTER_UPLOAD_DAYS", UPLOAD_DAYS))
    sheets = purge_expired_sheets()
    uploads = purge_old_uploads(days)
    db.session.commit()
    click.echo(f"deleted {sheets} expired password sheet(s) and {uploads} roster upload(s) older than {days} days")


commands: list = [classes_group]
