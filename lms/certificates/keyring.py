"""Certificate signing keys in the database: every server signs and publishes the same keys.

With several app servers on one database, each with its own instance folder, a key kept in a
folder would sign on one server and be unknown to the others (their key set would not publish
it; a rotation on one would not reach the rest). So the keys live in ``lms_signing_keys``: the
public half in clear, the private half sealed with AES-256-GCM under the key-encryption key
(:mod:`.sealing`):

* ``LMS_KEY_ENCRYPTION_KEY`` (the same on every server; several, comma-separated, while the
  KEK itself is being changed), or
* without it, ``<instance>/key_encryption_key`` (32 random bytes in base64, made on first use,
  mode 0600): right for one server (``make run``); a second server would not open the keys and
  says so (``/readyz`` answers 503 naming the KEK it lacks).

A database dump therefore holds no usable private key without the KEK. Making or rotating a key
bumps the ``signing_keys`` change counter (:mod:`lms.changes`) in the same transaction; each
process looks at it at most every ``LMS_VERIFY_CHANGE_SECONDS`` (:func:`lms.certificates.issuing.keystore`),
so a rotation done once, on any server or by the CLI, reaches every server within that.

**Upgrade.** Keys an instance folder holds from before (``<instance>/keys/*.pem``, its
``active`` marker) are carried into the database, sealed, the first time a key is needed for
writing (``lms init``, a certificate issued, ``lms certs ...``): the folder's active key stays
active unless the database already has one, every other key is kept as retired, so certificates
signed before stay valid and published. Until then the folder's keys are merged in memory.
``LMS_CERT_PRIVATE_KEYS`` still overrides the active key (identically on every server) and is
never written to the database.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

import lms.changes as changes
from lms.certificates.keys import KeyStore, KeyStoreError, kid_for, raw_public
from lms.certificates.models import SigningKey
from lms.certificates.sealing import ENV_KEK, SealError, fingerprint, new_kek, parse_keks, seal, unseal
from lms.db import db, now_utc

log = logging.getLogger(__name__)

KEK_FILE = "key_encryption_key"


def keks(create: bool = False) -> list[bytes]:
    """The key-encryption keys, the sealing one first: ``LMS_KEY_ENCRYPTION_KEY`` (config, then
    the environment), else the instance folder's file (made when ``create``; else maybe none)."""
    text = current_app.config.get(ENV_KEK) or os.environ.get(ENV_KEK)
    if text:
        return parse_keks(str(text))
    path = Path(current_app.instance_path) / KEK_FILE
    if not path.exists():
        if not create:
            return []
        try:
            # O_EXCL and the mode at creation: never readable by others, not even briefly
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it a moment ago
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_kek() + "\n")
    return parse_keks(path.read_text(), name=str(path))


def _sealed_row(key: Ed25519PrivateKey, kek: bytes, status: str, origin: str) -> SigningKey:
    kid = kid_for(key.public_key())
    return SigningKey(kid=kid, public_key=raw_public(key.public_key()), sealed_private=seal(key, kid, kek),
                      kek_id=fingerprint(kek), status=status, origin=origin)


def _folder_keys() -> KeyStore:
    try:
        return KeyStore.load(current_app.instance_path, environ={})
    except (KeyStoreError, ValueError) as error:
        # a damaged legacy folder must not stop the keys in the database from working
        log.error("certificate keys in the instance folder cannot be read: %s", error)
        return KeyStore()


def _open_rows(store: KeyStore, rows: list[SigningKey], by_fingerprint: dict[str, bytes]) -> str | None:
    active = None
    for row in rows:
        kid = store.add_public(Ed25519PublicKey.from_public_bytes(bytes(row.public_key)))
        if kid != row.kid:
            log.error("signing key row %s holds the public key of %s: ignored", row.kid, kid)
            continue
        if row.sealed_private is not None:
            kek = by_fingerprint.get(row.kek_id or "")
            if kek is None:
                store.locked[kid] = (
                    f"signing key {kid} is sealed under the key-encryption key {row.kek_id}, which this server "
                    f"lacks (it has {', '.join(by_fingerprint) or 'none'}): give every server the same {ENV_KEK}")
            else:
                try:
                    store.add_private(unseal(row.sealed_private, kid, kek))
                except SealError as error:
                    store.locked[kid] = str(error)
        if row.status == "active":
            active = kid
    return active


def load(persist: bool = False) -> tuple[KeyStore, bool]:
    """The key store: the database's keys, an instance folder's keys not in it yet, then
    ``LMS_CERT_PRIVATE_KEYS``. With ``persist``, the folder's keys are written to the database and
    a first key is made if there is none (in a savepoint of the session: the caller commits, so a
    key is committed with the first certificate it signs). Returns ``(store, wrote)``."""
    rows = list(db.session.scalars(select(SigningKey).order_by(SigningKey.created_at)))
    # the instance folder's KEK file is made only to write: a server that reads sealed keys it
    # cannot open must say so, not make a key of its own
    kek_list = keks(create=persist and not any(row.sealed_private is not None for row in rows))
    store = KeyStore()
    active = _open_rows(store, rows, {fingerprint(kek): kek for kek in kek_list})
    if persist and store.locked:
        # a key sealed here would not open on the servers that hold the real KEK
        raise KeyStoreError(next(iter(store.locked.values())))
    folder = _folder_keys()
    known = {row.kid for row in rows}
    extra = [kid for kid in folder.kids() if kid not in known]
    if active is None and folder.folder_active in extra:
        active = folder.folder_active
    new_rows = []
    for kid in extra:
        if folder.has_private(kid):
            private = folder.signing_key(kid)[1]
            store.add_private(private)
            new_rows.append(_sealed_row(private, kek_list[0], "active" if kid == active else "retired", "folder")
                            if persist else None)
        else:
            public = folder.public_key(kid)
            store.add_public(public)
            new_rows.append(SigningKey(kid=kid, public_key=raw_public(public), status="retired", origin="folder"))
    if persist and active is None:
        key = Ed25519PrivateKey.generate()
        active = store.add_private(key)
        new_rows.append(_sealed_row(key, kek_list[0], "active", "generated"))
    wrote = False
    store.unsaved = [] if persist else extra
    if persist and new_rows:
        try:
            _insert([row for row in new_rows if row is not None])
        except IntegrityError:
            # another server wrote the same keys, or a first key, a moment ago: read theirs
            return load(persist=False)[0], True
        wrote = True
    if active is not None:
        store.activate(active)
    store.add_environment(os.environ)
    return store, wrote


def _insert(rows: list[SigningKey]) -> None:
    with db.session.begin_nested():
        db.session.add_all(rows)
        db.session.flush()
        changes.bump(db.session.connection(), changes.SIGNING_KEYS)


def ensure() -> tuple[str, bool]:
    """The active kid, making a first key (or carrying a folder's keys over) if needed; the caller
    commits. Returns ``(kid, written)``."""
    store, wrote = load(persist=True)
    return store.active_kid, wrote


def rotate() -> tuple[str, str | None]:
    """A new active key for every server; the old one stays, retired, for verification. The
    caller commits (the change counter moves with it). Returns ``(new kid, old kid)``."""
    store, _ = load(persist=True)
    if store.from_environment:
        raise KeyStoreError("the signing key comes from LMS_CERT_PRIVATE_KEYS; change it there")
    old = store.active_kid
    while True:
        key = Ed25519PrivateKey.generate()
        if kid_for(key.public_key()) not in store.kids():  # a 40-bit clash: astronomically rare, cheap to avoid
            break
    db.session.execute(update(SigningKey).where(SigningKey.status == "active")
                       .values(status="retired", retired_at=now_utc()))
    row = _sealed_row(key, keks(create=True)[0], "active", "generated")
    db.session.add(row)
    db.session.flush()
    changes.bump(db.session.connection(), changes.SIGNING_KEYS)
    return row.kid, old


def reseal() -> int:
    """Seal every private key again under the first KEK (after putting a new one first in
    ``LMS_KEY_ENCRYPTION_KEY``). The caller commits. Returns how many were resealed."""
    kek_list = keks()
    by_fingerprint = {fingerprint(kek): kek for kek in kek_list}
    done = 0
    for row in db.session.scalars(select(SigningKey).where(SigningKey.sealed_private.is_not(None))):
        kek = by_fingerprint.get(row.kek_id or "")
        if kek is None:
            raise SealError(f"signing key {row.kid} is sealed under {row.kek_id}, which {ENV_KEK} does not hold")
        if row.kek_id == fingerprint(kek_list[0]):
            continue
        row.sealed_private = seal(unseal(row.sealed_private, row.kid, kek), row.kid, kek_list[0])
        row.kek_id = fingerprint(kek_list[0])
        done += 1
    if done:
        db.session.flush()
        changes.bump(db.session.connection(), changes.SIGNING_KEYS)
    return done
