"""``lms certs ...``: signing keys, revocation and the published revocation lists."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates import keyring
from lms.certificates.keys import KeyStoreError
from lms.certificates.records import RevokeError, by_code, reissue, revoke
from lms.certificates.sealing import SealError, new_kek
from lms.certificates.statuslists import list_url, refresh_all
from lms.db import db


@click.group("certs")
def certs() -> None:
    """Certificates: signing keys, revocation."""


def _forget_cached_keys() -> None:
    extras = current_app.extensions["lms"].extras
    extras.pop("keystore", None)
    extras.pop("keystore_watch", None)


def _fail(error: Exception) -> None:
    db.session.rollback()
    raise click.ClickException(str(error)) from None


@certs.command("keygen")
@with_appcontext
def keygen_command() -> None:
    """Create the first signing key (does nothing if there is one): in the database, sealed under
    LMS_KEY_ENCRYPTION_KEY (or <instance>/key_encryption_key); an instance folder's old keys are carried over."""
    try:
        kid, written = keyring.ensure()
        db.session.commit()
    except (KeyStoreError, SealError) as error:
        _fail(error)
    _forget_cached_keys()
    click.echo(f"signing key {kid} {'created' if written else 'already active'} (database, sealed)")


@certs.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Sign new certificates with a new key, on every server within a second; older keys stay
    published so their certificates stay valid."""
    try:
        kid, old = keyring.rotate()
        db.session.commit()
    except (KeyStoreError, SealError) as error:
        _fail(error)
    _forget_cached_keys()
    click.echo(f"new signing key {kid}" + (f" (was {old}, kept for verification)" if old else ""))


@certs.command("keys")
@with_appcontext
def keys_command() -> None:
    """List the key ids: the active one first, as published at /.well-known/lms-keys.json."""
    try:
        store, _ = keyring.load()
    except (KeyStoreError, SealError) as error:
        _fail(error)
    for jwk in store.public_jwks()["keys"]:
        click.echo(f"{jwk['kid']}  {jwk['status']}")


@certs.command("encryption-key")
def encryption_key_command() -> None:
    """Print a new random key-encryption key, for LMS_KEY_ENCRYPTION_KEY (the same on every server)."""
    click.echo(new_kek())


@certs.command("reseal")
@with_appcontext
def reseal_command() -> None:
    """Seal the signing keys again under the first key of LMS_KEY_ENCRYPTION_KEY (after putting a
    new one first, the old one after it; then the old one can be dropped)."""
    try:
        done = keyring.reseal()
        db.session.commit()
    except (KeyStoreError, SealError) as error:
        _fail(error)
    _forget_cached_keys()
    click.echo(f"resealed {done} signing key(s)")


@certs.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why; shown on the public verification page.")
@click.option("--by", "by", default=None, help="Username of the person revoking (recorded in the audit log).")
@with_appcontext
def revoke_command(code: str, reason: str, by: str | None) -> None:
    """Revoke the certificate CODE; the next verification shows REVOKED. Audited."""
    cert = by_code(code)
    if cert is None:
        raise click.ClickException(f"no certificate {code}")
    actor = None
    if by:
        actor = db.session.scalar(select(User).where(User.username == by.lower()))
        if actor is None:
            raise click.ClickException(f"no user {by}")
    try:
        revoke(cert, reason, actor)
    except RevokeError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"revoked {cert.code}")


@certs.command("reissue")
@click.argument("code")
@with_appcontext
def reissue_command(code: str) -> None:
    """Issue a new certificate (new code) replacing the revoked CODE, with the holder's current name."""
    cert = by_code(code)
    if cert is None:
        raise click.ClickException(f"no certificate {code}")
    try:
        new = reissue(cert)
    except RevokeError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"issued {new.code} (replaces {cert.code})")


@certs.command("status-lists")
@with_appcontext
def status_lists_command() -> None:
    """Rebuild and re-sign the published revocation lists (W3C Bitstring Status List) from the
    certificates, e.g. after statuses were changed in SQL. Revocations do this by themselves."""
    numbers = refresh_all()
    db.session.commit()
    for number in numbers:
        click.echo(f"signed {list_url(number)}")
    if not numbers:
        click.echo("no certificate yet: no list to sign")


commands: list = [certs]
