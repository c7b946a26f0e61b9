"""``lms users create``, ``set-role``, ``set-password`` and ``tokens``."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from lms.accounts import services
from lms.accounts.models import ROLES, User
from lms.accounts.validators import password_problem
from lms.audiences import AUDIENCES
from lms.db import db
from lms.textcheck import name_problem


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
    if full_name and name_problem(full_name):
        raise click.ClickException(name_problem(full_name))

    problem = password_problem(password, min_length=current_app.config["LMS_PASSWORD_MIN_LENGTH"],
                               personal=(login, phone or ""), name=full_name or "")
    if problem:
        raise click.ClickException(problem)
    [user_id] = services.create_accounts([services.NewAccount(
        username=login, phone=phone, full_name=full_name or login, audience=audience,
        unit_id=unit.id if unit else None, password_hash=generate_password_hash(password),
        must_change_password=must_change_password,
    )])
    user = db.session.get(User, user_id)
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
    """Reset a forgotten password: the learner must choose their own at the next sign-in.

    Every browser session and API token of the account ends."""
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


@users.group("tokens")
def tokens() -> None:
    """List or revoke an account's API tokens."""


def _account(username: str) -> User:
    user = services.find_by_login(username)
    if user is None:
        raise click.ClickException(f"{username}: no such account")
    return user


@tokens.command("list")
@click.argument("username")
@with_appcontext
def tokens_list(username: str) -> None:
    """The account's tokens that still work (id, created, expires, label)."""
    user = _account(username)
    rows = services.list_tokens(user.id)
    for row in rows:
        click.echo(f"{row.id}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.expires_at:%Y-%m-%d %H:%M}\t{row.label}")
    if not rows:
        click.echo(f"{user.username}: no token")


@tokens.command("revoke")
@click.argument("username")
@click.argument("token_ids", nargs=-1, type=int)
@click.option("--all", "revoke_all", is_flag=True, help="Revoke every token of the account.")
@with_appcontext
def tokens_revoke(username: str, token_ids: tuple[int, ...], revoke_all: bool) -> None:
    """Revoke the given tokens (ids from ``lms users tokens list``), or all with --all."""
    user = _account(username)
    if revoke_all == bool(token_ids):
        raise click.ClickException("give token ids or --all (not both)")
    if revoke_all:
        count = services.revoke_all_tokens(user.id)
    else:
        missing = [t for t in token_ids if not services.revoke_token(user.id, t)]
        if missing:
            db.session.rollback()
            raise click.ClickException(f"{user.username} has no token {', '.join(map(str, missing))}")
        count = len(token_ids)
    services.audit(None, "revoke_tokens", "user", user.id, {"count": count, "ids": list(token_ids) or "all"})
    db.session.commit()
    click.echo(f"{user.username}: {count} token(s) revoked")


commands = [users]
