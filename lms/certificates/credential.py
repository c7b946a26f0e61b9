"""Portable credential: an Open Badges 3.0 ``OpenBadgeCredential`` (W3C VC Data Model 2.0).

Signed with two embedded Data Integrity proofs (a proof set), both by the Ed25519 key that
signs QR tokens (W3C Recommendation "Data Integrity EdDSA Cryptosuites v1.0"):

* ``eddsa-rdfc-2022`` (:mod:`.rdfc`): RDF Dataset Canonicalization of the JSON-LD, with the
  contexts shipped in the package; the suite 1EdTech's Open Badges conformance lists;
* ``eddsa-jcs-2022`` (section 3.3): the document and the proof options are each canonicalised
  with JCS (RFC 8785), hashed with SHA-256, and ``SHA-256(proof options) || SHA-256(document)``
  is signed; any Ed25519 library can check it without JSON-LD processing.

``proofValue`` is multibase base58btc (``z...``). Each proof signs the credential without
``proof``; one valid proof suffices (Open Badges 3.0 verification). ``credentialStatus`` (a
``BitstringStatusListEntry``, :mod:`.statuslist`) names the certificate's bit in the signed
revocation list. The issuer is a ``did:web`` DID derived from the site's base URL
(``https://host/hoc`` -> ``did:web:host:hoc``, resolved at ``https://host/hoc/did.json``;
a bare host at ``/.well-known/did.json``); :func:`did_document` builds that document with
every published key as a ``Multikey``. The proof's verificationMethod is ``<did>#<kid>``.

Shape (valid against 1EdTech's AchievementCredential JSON schema, tested): ``proof`` is an
array (a proof set of one); :func:`verify_credential` also accepts the single object that
credentials exported before carried. Identifiers are lower-case ``https`` URLs (the QR's
upper-case form is only for alphanumeric mode). The learner is identified by a salted
SHA-256 of their name, never the name itself: ``credentialSubject.id`` is
``urn:bdhvs:learner:sha256:<hex>`` and the ``IdentityObject`` carries the same hash with its
salt, so whoever holds the credential and knows the person's name can check it, while the
identifier alone reveals nothing. Achievement and issuer carry :data:`BADGE_IMAGE`, a small
PNG shipped with the package, as a ``data:`` URI (a wallet shows it offline).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from . import rdfc
from .keys import KeyStore, PublicKeys, lookup_public_key, raw_public
from .multibase import b58decode, b58encode
from .tokens import CertificateClaims

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CRYPTOSUITE = "eddsa-jcs-2022"
#: the proofs :func:`sign_credential` adds, in this order: RDFC (what 1EdTech certifies) and JCS
SUITES: tuple[str, ...] = (rdfc.CRYPTOSUITE, CRYPTOSUITE)
_ED25519_MULTICODEC = b"\xed\x01"
SUBJECT_URN = "urn:bdhvs:learner:sha256:"
#: the badge picture (64x64 PNG, ~1 KB) for achievement and issuer, as a data: URI
BADGE_IMAGE = "data:image/png;base64," + base64.b64encode(
    (Path(__file__).resolve().parent / "static" / "badge.png").read_bytes()
).decode("ascii")


class InvalidCredential(ValueError):
    """The credential's proof does not hold (or names a key we do not know)."""


# -- encodings ---------------------------------------------------------------------------


def jcs(value: object) -> bytes:
    """RFC 8785 canonical JSON for the values a credential holds (no floats)."""

    def emit(v: object) -> str:
        if isinstance(v, dict):
            items = sorted(v.items(), key=lambda kv: kv[0].encode("utf-16-be"))  # UTF-16 order
            return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + emit(x) for k, x in items) + "}"
        if isinstance(v, list):
            return "[" + ",".join(emit(x) for x in v) + "]"
        if isinstance(v, float):
            raise TypeError("floats need ECMAScript number formatting; credentials carry none")
        return json.dumps(v, ensure_ascii=False)  # str, int, bool, None: same as ES6 JSON

    return emit(value).encode("utf-8")


def multikey(key: Ed25519PublicKey) -> str:
    """``z6Mk...``: the W3C Multikey form of an Ed25519 public key."""
    return "z" + b58encode(_ED25519_MULTICODEC + raw_public(key))


def public_key_from_multikey(value: str) -> Ed25519PublicKey:
    raw = b58decode(value[1:]) if value.startswith("z") else b""
    if not raw.startswith(_ED25519_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# -- issuer identity ---------------------------------------------------------------------


def did_web(base_url: str) -> str:
    """``https://host:8443/hoc`` -> ``did:web:host%3A8443:hoc``."""
    parts = urlsplit(base_url)
    host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    if not host:
        raise ValueError("base URL has no host")
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    path = [quote(p, safe="") for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path])


def did_document_url(base_url: str) -> str:
    """Where :func:`did_document` must be served for ``did:web`` resolution."""
    base = base_url.rstrip("/")
    return base + ("/did.json" if urlsplit(base).path else "/.well-known/did.json")


def did_document(keystore: KeyStore, base_url: str) -> dict:
    """The DID document listing every public key (active and retired) as an assertion method."""
    did = did_web(base_url)
    methods = []
    for kid in keystore.kids():
        key = keystore.public_key(kid)
        assert key is not None
        methods.append(
            {"id": f"{did}#{kid}", "type": "Multikey", "controller": did, "publicKeyMultibase": multikey(key)}
        )
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def key_document(key: Ed25519PublicKey, *, url: str, controller: str) -> dict:
    """One public key as a W3C Multikey document at its own HTTPS ``url`` (for verifiers that do
    not resolve ``did:web``); ``controller`` is the issuer's DID, whose document lists the same key."""
    return {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": lower_url(url),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": multikey(key),
    }


# -- build, sign, verify -----------------------------------------------------------------


def lower_url(url: str) -> str:
    """``HTTPS://HOST/hoc/V/TOKEN`` -> ``https://host/hoc/V/TOKEN``: scheme and host lower case, path kept."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment))


def name_hash(full_name: str, salt: str) -> str:
    """Hex SHA-256 of the NFC name followed by the salt (Open Badges' ``identityHash`` recipe)."""
    return hashlib.sha256((unicodedata.normalize("NFC", full_name.strip()) + salt).encode("utf-8")).hexdigest()


def build_credential(
    claims: CertificateClaims,
    *,
    full_name: str,
    title: str,
    issuer_name: str,
    base_url: str,
    credential_id: str,
    description: str = "",
    issued_at: datetime | None = None,
    achievement_id: str | None = None,
    salt: str | None = None,
    image: str = BADGE_IMAGE,
    credential_status: Mapping | None = None,
) -> dict:
    """The unsigned OpenBadgeCredential for a certificate.

    ``credential_id`` should be the verify URL (where revocation is checked online); it is
    written with a lower-case scheme and host. The learner's name appears only salted and
    hashed (``salt``: pass a stable one, e.g. derived from a server secret and the code, so
    every download of a certificate names the same subject; random if omitted).
    ``image``: a URL or ``data:`` URI of the badge picture. ``credential_status``: the
    certificate's ``BitstringStatusListEntry`` (:func:`.statuslist.status_entry`).
    """
    base = lower_url(base_url.rstrip("/"))
    when = (
        issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if issued_at is not None
        else f"{claims.issued_on.isoformat()}T00:00:00+07:00"  # the issue date is a Vietnamese date
    )
    salt = salt or secrets.token_hex(16)
    digest = name_hash(full_name, salt)
    path = "courses" if claims.kind == "course" else "paths"
    picture = {"id": image, "type": "Image", "caption": title}
    return {
        "@context": list(CONTEXT),
        "id": lower_url(credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "description": description or f"Mã chứng nhận / Certificate code: {claims.code}",
        "issuer": {"id": did_web(base_url), "type": ["Profile"], "name": issuer_name, "url": base,
                   "image": {"id": image, "type": "Image", "caption": issuer_name}},
        "validFrom": when,
        "awardedDate": when,
        "credentialSubject": {
            "id": SUBJECT_URN + digest,
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": True, "salt": salt,
                            "identityHash": "sha256$" + digest}],
            "achievement": {
                "id": lower_url(achievement_id or f"{base}/{path}/{claims.subject}"),
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion" if claims.kind == "course" else "Certificate",
                "name": title,
                "description": title,
                "criteria": {"narrative": "Hoàn thành các bài học và đạt bài kiểm tra cuối khóa."},
                "image": picture,
                "humanCode": claims.subject,
            },
        },
        # "JsonSchema" (VC JSON Schema, defined by the VC 2.0 context) rather than 1EdTech's
        # "1EdTechJsonSchemaValidator2019", which no shipped context defines: RDF canonicalisation
        # in safe mode (Digital Bazaar's verifiers) refuses a relative type
        "credentialSchema": [{"id": SCHEMA, "type": "JsonSchema"}],
        **({"credentialStatus": dict(credential_status)} if credential_status else {}),
    }


def _hash_data(unsecured: Mapping, proof_options: Mapping) -> bytes:
    return hashlib.sha256(jcs(proof_options)).digest() + hashlib.sha256(jcs(unsecured)).digest()


def sign_credential(
    credential: Mapping, keystore: KeyStore, *, created: datetime | None = None, kid: str | None = None,
    suites: tuple[str, ...] = SUITES,
) -> dict:
    """``credential`` with a proof set by the active key (or ``kid``): one proof per suite of ``suites``.

    Any proof already there is dropped: each new proof signs the credential without one.
    """
    kid, private = keystore.signing_key(kid)
    issuer = credential["issuer"]
    did = issuer["id"] if isinstance(issuer, Mapping) else issuer
    unsecured = copy.deepcopy(dict(credential))
    unsecured.pop("proof", None)
    when = (created or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = []
    for suite in suites:
        if suite == rdfc.CRYPTOSUITE:
            found.append(rdfc.create_proof(unsecured, private, verification_method=f"{did}#{kid}", created=when))
            continue
        if suite != CRYPTOSUITE:
            raise ValueError(f"unknown cryptosuite {suite}")
        proof = {
            "type": "DataIntegrityProof",
            "cryptosuite": CRYPTOSUITE,
            "created": when,
            "verificationMethod": f"{did}#{kid}",
            "proofPurpose": "assertionMethod",
            "@context": copy.deepcopy(unsecured["@context"]),
        }
        proof["proofValue"] = "z" + b58encode(private.sign(_hash_data(unsecured, proof)))
        found.append(proof)
    return {**unsecured, "proof": found}


def proofs(credential: Mapping) -> list:
    """The credential's proofs: ``proof`` as a set (array) or, as exported before, one object."""
    proof = credential.get("proof")
    if isinstance(proof, Mapping):
        return [proof]
    return list(proof) if isinstance(proof, list) else []


def verify_proof_with_key(credential: Mapping, key: Ed25519PublicKey, proof: Mapping | None = None) -> bool:
    """The "verify proof" algorithm of the proof's suite (eddsa-jcs-2022 or eddsa-rdfc-2022)
    against one known public key.

    ``proof``: which of the credential's proofs (default: its only one). Each proof of a set
    signs the credential without any ``proof`` (Data Integrity proof sets).
    """
    if proof is None:
        found = proofs(credential)
        proof = found[0] if len(found) == 1 else None
    if not isinstance(proof, Mapping) or proof.get("type") != "DataIntegrityProof":
        return False
    if proof.get("cryptosuite") == rdfc.CRYPTOSUITE:
        return rdfc.verify_proof(credential, proof, key)
    if proof.get("cryptosuite") != CRYPTOSUITE or not isinstance(proof.get("proofValue"), str):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    if "@context" in options:
        ctx, doc_ctx = options["@context"], unsecured.get("@context")
        ctx = ctx if isinstance(ctx, list) else [ctx]
        doc_ctx = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_ctx[: len(ctx)] != ctx:  # the document must start with the proof's contexts
            return False
        unsecured["@context"] = options["@context"]
    try:
        signature = b58decode(proof["proofValue"][1:]) if proof["proofValue"].startswith("z") else b""
        key.verify(signature, _hash_data(unsecured, options))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_credential(
    credential: Mapping, keys: PublicKeys | Mapping, *, base_url: str | None = None
) -> dict:
    """The credential without its proof if a proof holds; raises :class:`InvalidCredential`.

    ``proof`` may be an array (a proof set) or a single object. One proof suffices, as
    Open Badges 3.0 verification says; each is checked for the proof purpose, that its
    verification method belongs to the issuer's DID (and, given ``base_url``, that this DID
    is ours), then the signature. The reason given is the first proof's.
    """
    found = proofs(credential)
    if not found:
        raise InvalidCredential("no assertion proof")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    reasons = []
    for proof in found:
        if not isinstance(proof, Mapping) or proof.get("proofPurpose") != "assertionMethod":
            reasons.append("no assertion proof")
            continue
        did, _, kid = str(proof.get("verificationMethod", "")).partition("#")
        if not kid or did != issuer_id or (base_url is not None and did != did_web(base_url)):
            reasons.append("verification method is not the issuer's")
            continue
        key = lookup_public_key(keys, kid)
        if key is None:
            reasons.append("unknown key")
            continue
        if not verify_proof_with_key(credential, key, proof):
            reasons.append("bad proof")
            continue
        return {k: v for k, v in credential.items() if k != "proof"}
    raise InvalidCredential(reasons[0])
