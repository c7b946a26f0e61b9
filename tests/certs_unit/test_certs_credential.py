import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates.credential import (
    BADGE_IMAGE,
    SUBJECT_URN,
    InvalidCredential,
    _hash_data,
    b58decode,
    b58encode,
    build_credential,
    did_document,
    did_document_url,
    did_web,
    jcs,
    multikey,
    public_key_from_multikey,
    sign_credential,
    verify_credential,
    verify_proof_with_key,
)
from lms.certificates.keys import KeyStore
from lms.certificates.tokens import sign, verification_url

from .conftest import BASE_URL, FULL_NAME

ISSUER = "Ban Chỉ đạo phong trào Bình dân học vụ số"
#: 1EdTech's published AchievementCredential schema (provenance in tests/fixtures/openbadges/SOURCE.txt)
SCHEMA_FILE = (Path(__file__).resolve().parents[1] / "fixtures" / "openbadges"
               / "ob_v3p0_achievementcredential_schema.json")


def build(claims, keystore, **kw):
    url = verification_url(BASE_URL, sign(claims, keystore))
    return build_credential(claims, full_name=FULL_NAME, title="Kỹ năng số cơ bản", issuer_name=ISSUER,
                            base_url=BASE_URL, credential_id=url, **kw)


def test_open_badge_shape(claims, keystore):
    vc = build(claims, keystore)
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "OpenBadgeCredential" in vc["type"]
    assert vc["issuer"]["id"] == "did:web:hoc.example-province.gov.vn:hoc"
    assert vc["validFrom"] == vc["awardedDate"] == "2026-03-05T00:00:00+07:00"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["id"] == BASE_URL + "/courses/ky-nang-so-co-ban"
    assert subject["achievement"]["image"]["id"] == vc["issuer"]["image"]["id"] == BADGE_IMAGE
    assert BADGE_IMAGE.startswith("data:image/png;base64,") and len(BADGE_IMAGE) < 2000
    json.dumps(vc)  # plain JSON


def test_identifiers_are_lower_case_https(claims, keystore):
    vc = build(claims, keystore)
    token = sign(claims, keystore)
    assert verification_url(BASE_URL, token).startswith("HTTPS://HOC.")  # the QR's form
    assert vc["id"] == f"{BASE_URL}/V/{token}"
    for url in (vc["id"], vc["issuer"]["url"], vc["credentialSubject"]["achievement"]["id"]):
        assert url.startswith("https://") and url.split("/")[2].islower()


def test_subject_identifier_hides_the_name(claims, keystore):
    vc = build(claims, keystore, salt="0f" * 16)
    subject = vc["credentialSubject"]
    (identity,) = subject["identifier"]
    text = json.dumps(vc, ensure_ascii=False)
    assert FULL_NAME not in text and "Tuyết" not in text and "Nguy" not in subject["id"]
    digest = hashlib.sha256((FULL_NAME + "0f" * 16).encode()).hexdigest()
    assert subject["id"] == SUBJECT_URN + digest and subject["id"].startswith("urn:")
    assert identity == {"type": "IdentityObject", "identityType": "name", "hashed": True, "salt": "0f" * 16,
                        "identityHash": "sha256$" + digest}
    # who holds the credential and knows the name can check it; same salt, same subject
    assert build(claims, keystore, salt="0f" * 16)["credentialSubject"]["id"] == subject["id"]
    other = build(claims, keystore)["credentialSubject"]  # no salt given: a random one
    assert other["id"] != subject["id"] and len(other["identifier"][0]["salt"]) == 32


def schema_errors(vc) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(vc)]


@pytest.mark.parametrize("kind", ["course", "path"])
def test_valid_against_1edtech_achievementcredential_schema(keystore, kind):
    from .conftest import make_claims

    claims = make_claims(kind=kind, subject="citizens" if kind == "path" else "ky-nang-so-co-ban")
    signed = sign_credential(build(claims, keystore, issued_at=datetime(2026, 3, 5, 3, tzinfo=UTC)), keystore)
    assert schema_errors(json.loads(json.dumps(signed))) == []
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 2  # eddsa-rdfc-2022, eddsa-jcs-2022


def test_the_schema_catches_what_it_should(claims, keystore):
    """The validator is really applied: a single proof object (the old export) and a missing
    subject are errors."""
    signed = sign_credential(build(claims, keystore), keystore)
    old_style = {**signed, "proof": signed["proof"][0]}
    assert any(e.startswith("['proof']") for e in schema_errors(old_style))
    assert schema_errors({k: v for k, v in signed.items() if k != "credentialSubject"})


def test_sign_and_verify_round_trip(claims, keystore):
    created = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    signed = sign_credential(build(claims, keystore), keystore, created=created)
    assert [p["cryptosuite"] for p in signed["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    for proof in signed["proof"]:
        assert proof["type"] == "DataIntegrityProof"
        assert proof["verificationMethod"] == f"did:web:hoc.example-province.gov.vn:hoc#{keystore.active_kid}"
        assert proof["created"] == "2026-03-05T08:00:00Z" and proof["proofValue"].startswith("z")
        assert verify_proof_with_key(signed, keystore.public_key(keystore.active_kid), proof)
    jcs_only = sign_credential(build(claims, keystore), keystore, suites=("eddsa-jcs-2022",))
    assert [p["cryptosuite"] for p in jcs_only["proof"]] == ["eddsa-jcs-2022"] and verify_credential(jcs_only, keystore)
    unsecured = verify_credential(json.loads(json.dumps(signed)), keystore, base_url=BASE_URL)
    assert "proof" not in unsecured and unsecured["credentialSubject"] == signed["credentialSubject"]
    assert verify_credential(signed, keystore.public_jwks())  # with the published key set


def each_proof(vc, field, value) -> None:
    for proof in vc["proof"]:
        proof[field] = value(proof)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda vc: vc["credentialSubject"]["identifier"][0].__setitem__("identityHash", "Nguyễn Thị Ánh"),
        lambda vc: vc["credentialSubject"].__setitem__("id", SUBJECT_URN + "0" * 64),
        lambda vc: vc.__setitem__("validFrom", "2025-03-05T00:00:00+07:00"),
        # a proof set: each proof must be bound on its own (one valid proof suffices)
        lambda vc: each_proof(vc, "created", lambda p: "2030-01-01T00:00:00Z"),
        lambda vc: each_proof(vc, "proofValue", lambda p: "z" + b58encode(bytes(64))),
        lambda vc: each_proof(vc, "proofValue", lambda p: p["proofValue"][:-1]),
        lambda vc: each_proof(vc, "@context", lambda p: ["https://example.com/other"]),
        lambda vc: each_proof(vc, "proofPurpose", lambda p: "authentication"),
        lambda vc: each_proof(vc, "cryptosuite", lambda p: {"eddsa-rdfc-2022": "eddsa-jcs-2022"}.get(
            p["cryptosuite"], "eddsa-rdfc-2022")),
        lambda vc: vc.pop("proof"),
        lambda vc: vc.__setitem__("proof", []),
        lambda vc: vc.__setitem__("proof", "z" + b58encode(bytes(64))),
        lambda vc: vc.__setitem__("proof", [{**vc["proof"][0], "proofValue": "z1"}]),
    ],
)
def test_tampering_is_detected(claims, keystore, tamper):
    signed = sign_credential(build(claims, keystore), keystore)
    tamper(signed)
    with pytest.raises(InvalidCredential):
        verify_credential(signed, keystore)


def test_a_single_proof_object_still_verifies(claims, keystore):
    """Credentials exported before the proof became an array carry one object: still checked."""
    signed = sign_credential(build(claims, keystore), keystore)
    old_style = {**signed, "proof": signed["proof"][0]}
    assert verify_credential(old_style, keystore, base_url=BASE_URL)["id"] == signed["id"]
    old_style["name"] = "Tiến sĩ"
    with pytest.raises(InvalidCredential):
        verify_credential(old_style, keystore)


def test_one_good_proof_in_a_set_suffices_and_bad_ones_alone_do_not(claims, keystore, tmp_path):
    signed = sign_credential(build(claims, keystore), keystore)
    stranger = KeyStore.load(tmp_path / "stranger", environ={})
    stranger.keygen()
    foreign = sign_credential(build(claims, keystore), stranger)["proof"][0]
    both = {**signed, "proof": [foreign, signed["proof"][0]]}
    assert verify_credential(both, keystore)
    with pytest.raises(InvalidCredential, match="unknown key"):
        verify_credential({**signed, "proof": [foreign]}, keystore)
    forged = {**both, "name": "Tiến sĩ"}
    with pytest.raises(InvalidCredential):
        verify_credential(forged, keystore)


def test_someone_elses_did_is_refused(claims, keystore):
    signed = sign_credential(build(claims, keystore), keystore)
    with pytest.raises(InvalidCredential):
        verify_credential(signed, keystore, base_url="https://other.example")
    forged = copy.deepcopy(signed)
    forged["issuer"]["id"] = "did:web:evil.example"
    with pytest.raises(InvalidCredential):
        verify_credential(forged, keystore)


def test_unknown_key_and_rotation(claims, keystore, instance, tmp_path):
    old = sign_credential(build(claims, keystore), keystore)
    keystore.rotate()
    rotated = KeyStore.load(instance, environ={})
    assert verify_credential(old, rotated)  # old credentials keep verifying
    new = sign_credential(build(claims, rotated), rotated)
    assert new["proof"][0]["verificationMethod"].endswith("#" + rotated.active_kid)
    stranger = KeyStore.load(tmp_path / "stranger", environ={})
    stranger.keygen()
    with pytest.raises(InvalidCredential):
        verify_credential(sign_credential(build(claims, keystore), stranger), keystore)


def test_hashed_name(claims, keystore):
    identity = build(claims, keystore)["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and FULL_NAME not in json.dumps(identity, ensure_ascii=False)
    expected = hashlib.sha256((FULL_NAME + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected


def test_did_web_and_document(keystore):
    assert did_web("https://host.vn") == "did:web:host.vn"
    assert did_web("https://host.vn:8443/a/b/") == "did:web:host.vn%3A8443:a:b"
    assert did_document_url("https://host.vn") == "https://host.vn/.well-known/did.json"
    assert did_document_url(BASE_URL) == BASE_URL + "/did.json"
    old = keystore.active_kid
    keystore.rotate()
    doc = did_document(keystore, BASE_URL)
    ids = {m["id"] for m in doc["verificationMethod"]}
    assert ids == {f"{doc['id']}#{old}", f"{doc['id']}#{keystore.active_kid}"} == set(doc["assertionMethod"])
    for method in doc["verificationMethod"]:
        kid = method["id"].split("#")[1]
        assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
        assert multikey(keystore.public_key(kid)) == method["publicKeyMultibase"]
    assert "privateKey" not in json.dumps(doc)


def test_jcs_follows_rfc8785():
    # RFC 8785 section 3.2.3: properties sort by UTF-16 code units (the emoji's surrogate
    # pair sorts before U+FB33, unlike code point order); no whitespace; UTF-8 kept.
    value = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    assert jcs(value).decode() == '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\U0001f600":5,"\ufb33":3}'
    assert jcs({"b": [True, None, "Ắ\n"], "a": 10}) == '{"a":10,"b":[true,null,"Ắ\\n"]}'.encode()
    with pytest.raises(TypeError):
        jcs({"x": 1.5})


def test_base58():
    for data in (b"", b"\0\0\x01", bytes(range(40))):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"


# W3C "Data Integrity EdDSA Cryptosuites v1.0" test vector for eddsa-jcs-2022
# (w3c/vc-di-eddsa, TestVectors/eddsa-jcs-2022/signedJCS.json and TestVectors/keyPair.json).
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_PRIVATE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_SIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "proofPurpose": "assertionMethod",
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "proofValue": (
            "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"
        ),
    },
}


def test_w3c_test_vector_verifies_and_is_reproduced():
    key = public_key_from_multikey(W3C_PUBLIC)
    assert verify_proof_with_key(W3C_SIGNED, key)
    private_raw = b58decode(W3C_PRIVATE[1:])
    assert private_raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    private = Ed25519PrivateKey.from_private_bytes(private_raw[2:])
    options = {k: v for k, v in W3C_SIGNED["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in W3C_SIGNED.items() if k != "proof"}
    assert "z" + b58encode(private.sign(_hash_data(unsecured, options))) == W3C_SIGNED["proof"]["proofValue"]
    tampered = copy.deepcopy(W3C_SIGNED)
    tampered["credentialSubject"]["alumniOf"] = "Somewhere Else"
    assert not verify_proof_with_key(tampered, key)
