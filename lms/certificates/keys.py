"""Ed25519 signing keys for certificates: load, generate, rotate, publish.

This module is pure: it keeps keys in memory and reads the two sources that need no database.
A running LMS keeps its keys in the database, sealed (:mod:`.keyring`, :mod:`.sealing`), so
every server signs with the same ones; the folder below is read only to carry keys made before
that into the database, and by the offline tools and tests:

* ``<instance>/keys/<KID>.pem``: PKCS#8 PEM private key, mode 0600 (folder 0700);
* ``<instance>/keys/<KID>.pub.pem``: a public key kept after its private half was
  deleted, so certificates it signed keep verifying;
* ``<instance>/keys/active``: the kid new certificates are signed with;
* ``LMS_CERT_PRIVATE_KEYS``: PEM blocks and/or base64 32-byte raw private keys
  (separated by whitespace or commas); the first one signs unless
  ``LMS_CERT_ACTIVE_KID`` names another. Environment keys win over the folder's marker.

A kid is derived from the public key (first 40 bits of its SHA-256 in Crockford base32,
8 symbols), so the same key always has the same id wherever it is loaded, and the token
can carry it in 5 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .codes import crockford_encode
from .files import write_atomically

log = logging.getLogger(__name__)

ENV_PRIVATE_KEYS = "LMS_CERT_PRIVATE_KEYS"
ENV_ACTIVE_KID = "LMS_CERT_ACTIVE_KID"
KID_BYTES = 5
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.S)
_KID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")


class KeyStoreError(Exception):
    """No signing key, a bad key, or a write where none is possible."""


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def kid_for(key: Ed25519PublicKey) -> str:
    """Deterministic key id: Crockford base32 of the first 5 bytes of SHA-256(raw public key)."""
    return crockford_encode(hashlib.sha256(raw_public(key)).digest()[:KID_BYTES])


def public_jwk(key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    x = base64.urlsafe_b64encode(raw_public(key)).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}


def keys_from_jwks(jwks: Mapping) -> dict[str, Ed25519PublicKey]:
    """Public keys by kid from a JWK set such as :meth:`KeyStore.public_jwks` returns."""
    found: dict[str, Ed25519PublicKey] = {}
    for jwk in jwks.get("keys", []):
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        try:
            x = str(jwk["x"])
            key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
        except (KeyError, ValueError):  # binascii.Error is a ValueError
            continue  # one broken entry must not stop the others from verifying
        # a kid that does not match its key would let one key pose as another
        if kid_for(key) == jwk.get("kid"):
            found[jwk["kid"]] = key
    return found


class PublicKeys(Protocol):
    def public_key(self, kid: str) -> Ed25519PublicKey | None: ...


def lookup_public_key(keys: PublicKeys | Mapping, kid: str) -> Ed25519PublicKey | None:
    """``kid``'s key from a :class:`KeyStore`, a JWK set, or a ``{kid: public key}`` mapping."""
    if hasattr(keys, "public_key"):
        return keys.public_key(kid)
    if isinstance(keys.get("keys"), list):
        return keys_from_jwks(keys).get(kid)
    return keys.get(kid)


def _parse_env_keys(value: str) -> list[Ed25519PrivateKey]:
    keys: list[Ed25519PrivateKey] = []
    for block in _PEM_BLOCK.findall(value):
        key = serialization.load_pem_private_key(block.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError(f"{ENV_PRIVATE_KEYS}: only Ed25519 keys are accepted")
        keys.append(key)
    for item in re.split(r"[\s,]+", _PEM_BLOCK.sub(" ", value)):
        if not item:
            continue
        try:
            padded = item.replace("-", "+").replace("_", "/") + "=" * (-len(item) % 4)
            raw = base64.b64decode(padded, validate=True)
        except binascii.Error as exc:
            raise KeyStoreError(f"{ENV_PRIVATE_KEYS}: an entry is neither PEM nor base64") from exc
        if len(raw) != 32:
            raise KeyStoreError(f"{ENV_PRIVATE_KEYS}: a raw Ed25519 key is 32 bytes")
        keys.append(Ed25519PrivateKey.from_private_bytes(raw))
    return keys


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL + mode at creation: the file is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # umask cannot widen, but be explicit
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class KeyStore:
    """Private keys that sign, public keys that verify, and which kid is active."""

    def __init__(self, keys_dir: str | Path | None = None) -> None:
        self.keys_dir = Path(keys_dir) if keys_dir is not None else None
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._public: dict[str, Ed25519PublicKey] = {}
        self._active: str | None = None
        self._env_active = False
        #: why a published key cannot sign here (its private half is sealed under another KEK)
        self.locked: dict[str, str] = {}
        #: kids loaded from a folder that the shared store (the database) does not hold yet
        self.unsaved: list[str] = []

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(
        cls, instance_path: str | Path | None = None, environ: Mapping[str, str] | None = None
    ) -> KeyStore:
        """Keys from ``<instance_path>/keys`` and from ``LMS_CERT_PRIVATE_KEYS`` (either may be absent)."""
        store = cls(Path(instance_path) / "keys" if instance_path is not None else None)
        if store.keys_dir is not None and store.keys_dir.is_dir():
            store._load_dir()
        store.add_environment(os.environ if environ is None else environ)
        return store

    def add_environment(self, env: Mapping[str, str]) -> None:
        """Keys from ``LMS_CERT_PRIVATE_KEYS``; when it gives any, they choose the active key."""
        env_keys = _parse_env_keys(env.get(ENV_PRIVATE_KEYS, ""))
        for key in env_keys:
            self._add_private(key)
        if env_keys:
            wanted = env.get(ENV_ACTIVE_KID) or kid_for(env_keys[0].public_key())
            if wanted not in self._private:
                raise KeyStoreError(f"{ENV_ACTIVE_KID}={wanted} is not a loaded private key")
            self._active, self._env_active = wanted, True

    @property
    def from_environment(self) -> bool:
        """The active key comes from ``LMS_CERT_PRIVATE_KEYS`` (it cannot be rotated by the LMS)."""
        return self._env_active

    def add_private(self, key: Ed25519PrivateKey) -> str:
        return self._add_private(key)

    def add_public(self, key: Ed25519PublicKey) -> str:
        kid = kid_for(key)
        self._public.setdefault(kid, key)
        return kid

    def activate(self, kid: str) -> None:
        """Make a loaded key the active one (in memory; it may be public only: signing then
        says why, from :attr:`locked`)."""
        if kid not in self._public:
            raise KeyStoreError(f"no key {kid}")
        if not self._env_active:
            self._active = kid

    def has_private(self, kid: str) -> bool:
        return kid in self._private

    @property
    def folder_active(self) -> str | None:
        """The kid the folder's ``active`` marker (or a lone key) names, if any."""
        return self._current()

    @classmethod
    def from_jwks(cls, jwks: Mapping) -> KeyStore:
        """A verify-only store from a published key set."""
        store = cls()
        store._public.update(keys_from_jwks(jwks))
        return store

    def _load_dir(self) -> None:
        assert self.keys_dir is not None
        for path in sorted(self.keys_dir.glob("*.pem")):
            data = path.read_bytes()
            if path.name.endswith(".pub.pem"):
                key = serialization.load_pem_public_key(data)
            else:
                mode = path.stat().st_mode
                if mode & (stat.S_IRWXG | stat.S_IRWXO):
                    # warn rather than refuse: a restored backup should not stop verification
                    log.warning("certificate key %s is readable by others (mode %o)", path, mode & 0o777)
                key = serialization.load_pem_private_key(data, password=None)
            if isinstance(key, Ed25519PrivateKey):
                self._add_private(key)
            elif isinstance(key, Ed25519PublicKey):
                self._public[kid_for(key)] = key
            else:
                raise KeyStoreError(f"{path}: not an Ed25519 key")
        marker = self.keys_dir / "active"
        if marker.exists():
            kid = marker.read_text().strip()
            if kid not in self._private:
                raise KeyStoreError(f"{marker} names {kid}, which has no private key file")
            self._active = kid

    def _add_private(self, key: Ed25519PrivateKey) -> str:
        kid = kid_for(key.public_key())
        self._private[kid] = key
        self._public[kid] = key.public_key()
        return kid

    # -- writing -----------------------------------------------------------------------

    def _writable_dir(self) -> Path:
        if self.keys_dir is None:
            raise KeyStoreError("no instance folder to keep keys in")
        if self._env_active:
            raise KeyStoreError(f"the signing key comes from {ENV_PRIVATE_KEYS}; change it there")
        self.keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.keys_dir, 0o700)
        return self.keys_dir

    def _set_active(self, kid: str) -> None:
        # atomic: a crash leaves the old or the new marker
        write_atomically(self._writable_dir() / "active", (kid + "\n").encode())
        self._active = kid

    def _new_key(self) -> str:
        folder = self._writable_dir()
        while True:
            key = Ed25519PrivateKey.generate()
            kid = kid_for(key.public_key())
            if kid not in self._public:  # a 40-bit clash is astronomically rare, but cheap to avoid
                break
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write_private(folder / f"{kid}.pem", pem)
        return self._add_private(key)

    def keygen(self) -> str:
        """Create the first signing key; idempotent: returns the active kid if there is one."""
        current = self._current()
        if current is not None:
            return current
        kid = self._new_key()
        self._set_active(kid)
        return kid

    def rotate(self) -> str:
        """A new key becomes active; older keys stay for verifying. Returns the new kid."""
        kid = self._new_key()
        self._set_active(kid)
        return kid

    # -- use ---------------------------------------------------------------------------

    def _current(self) -> str | None:
        if self._active is None and len(self._private) == 1 and not self.locked:
            return next(iter(self._private))  # a lone key needs no marker
        return self._active

    @property
    def active_kid(self) -> str:
        kid = self._current()
        if kid is None:
            raise KeyStoreError("no active certificate signing key: run `lms certs keygen`")
        return kid

    def signing_key(self, kid: str | None = None) -> tuple[str, Ed25519PrivateKey]:
        kid = kid or self.active_kid
        try:
            return kid, self._private[kid]
        except KeyError:
            raise KeyStoreError(self.locked.get(kid) or f"no private key {kid}") from None

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        return self._public.get(kid)

    def kids(self) -> list[str]:
        return sorted(self._public)

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK set for ``/.well-known/lms-keys.json``: public halves only, active first."""
        active = self._current()
        order = sorted(self._public, key=lambda kid: (kid != active, kid))
        keys = []
        for kid in order:
            jwk = public_jwk(self._public[kid], kid)
            jwk["status"] = "active" if kid == active else "retired"
            keys.append(jwk)
        return {"keys": keys}


def is_kid(text: str) -> bool:
    return bool(_KID_RE.match(text or ""))
