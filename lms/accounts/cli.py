"""``lms users create`` and ``lms users set-role``."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from lms.accounts import services
from lms.accounts.models import ROLES, User
from lms.audiences import AUDIENCES
from lms.db import db


@click.group("users")
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.argument("username")
@click.option("--password", required=True, help="Initial password.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=("learner",), show_default=True)
@click.option("--name", "full_name", default=None, help="Full name (default: the username).")
@click.option("--audience", type=click.Choice(AUDIENCES), default=None)
@click.option("--unit", "unit_code", default=None, help="Official code of the commune or province.")
@click.option("--must-change-password", is_flag=True, help="Ask for a new password at first sign-in.")
@with_appcontext
def create(username: str, password: str, roles: tuple[str, ...], full_name: str | None,
           audience: str | None, unit_code: str | None, must_change_password: bool) -> None:
    """Create an account."""
    try:
        login, phone = services.resolve_login(username)
    except services.AccountError as error:
        raise click.ClickException(error.message) from error
    if services.find_by_login(login) is not None:
        raise click.ClickException(f"{login}: already exists")
    unit = services.find_unit(unit_code)
    if unit_code and unit is None:
        raise click.ClickException(f"unknown unit code {unit_code}")
    from lms.textcheck import name_problem

    if full_name and name_problem(full_name):
        raise click.ClickException(name_problem(full_name))
    from lms.accounts.validators import password_problem

    problem = password_problem(password, min_length=current_app.config["LMS_PASSWORD_MIN_LENGTH"],
                               personal=(login,))
    if problem:
        raise click.ClickException(problem)
    user = User(
        username=login, phone=phone, full_name=full_name or login, audience=audience,
        unit_id=unit.id if unit else None, password_hash=generate_password_hash(password),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    services.set_roles(user, set(roles))
    db.session.commit()
    click.echo(f"created {login} ({', '.join(sorted(user.roles))})")


@users.command("set-role")
@click.argument("username")
@click.argument("roles", nargs=-1, required=True, type=click.Choice(ROLES))
@with_appcontext
def set_role(username: str, roles: tuple[str, ...]) -> None:
    """Give an account exactly these roles (learner is always kept)."""
    user = services.find_by_login(username)
    if user is None:
        raise click.ClickException(f"{username}: no such account")
    services.set_roles(user, set(roles))
    db.session.commit()
    click.echo(f"{user.username}: {', '.join(sorted(user.roles))}")


@users.command("set-password")
@click.argument("username")
@click.option("--password", default=None, help="The new password; without it a one-time password is made.")
@with_appcontext
def set_password_command(username: str, password: str | None) -> None:
    """Reset a forgotten password: the learner must choose their own at the next sign-in."""
    user = services.find_by_login(username)
    if user is None:
        raise click.ClickException(f"{username}: no such account")
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(9)
    try:
        services.set_password(user, password, min_length=current_app.config["LMS_PASSWORD_MIN_LENGTH"],
                              must_change=True)
    except services.AccountError as error:
        raise click.ClickException(error.message) from error
    services.audit(None, "reset_password", "user", user.id, {})
    db.session.commit()
    shown = f" one-time password: {password}" if generated else ""
    click.echo(f"{user.username}: password reset; to be changed at the next sign-in.{shown}")


commands = [users]
