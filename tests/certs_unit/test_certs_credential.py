import copy
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates.credential import (
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


def build(claims, keystore, **kw):
    url = verification_url(BASE_URL, sign(claims, keystore))
    return build_credential(claims, full_name=FULL_NAME, title="Kỹ năng số cơ bản", issuer_name=ISSUER,
                            base_url=BASE_URL, credential_id=url, **kw)


def test_open_badge_shape(claims, keystore):
    vc = build(claims, keystore)
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "OpenBadgeCredential" in vc["type"]
    assert vc["issuer"]["id"] == "did:web:hoc.example-province.gov.vn:hoc"
    assert vc["validFrom"] == "2026-03-05T00:00:00+07:00"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == FULL_NAME
    assert subject["achievement"]["id"] == BASE_URL + "/courses/ky-nang-so-co-ban"
    json.dumps(vc)  # plain JSON


def test_sign_and_verify_round_trip(claims, keystore):
    created = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    signed = sign_credential(build(claims, keystore), keystore, created=created)
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"] == f"did:web:hoc.example-province.gov.vn:hoc#{keystore.active_kid}"
    assert proof["created"] == "2026-03-05T08:00:00Z" and proof["proofValue"].startswith("z")
    unsecured = verify_credential(json.loads(json.dumps(signed)), keystore, base_url=BASE_URL)
    assert "proof" not in unsecured and unsecured["credentialSubject"] == signed["credentialSubject"]
    assert verify_credential(signed, keystore.public_jwks())  # with the published key set


@pytest.mark.parametrize(
    "tamper",
    [
        lambda vc: vc["credentialSubject"]["identifier"][0].__setitem__("identityHash", "Nguyễn Thị Ánh"),
        lambda vc: vc.__setitem__("validFrom", "2025-03-05T00:00:00+07:00"),
        lambda vc: vc["proof"].__setitem__("created", "2030-01-01T00:00:00Z"),
        lambda vc: vc["proof"].__setitem__("proofValue", "z" + b58encode(bytes(64))),
        lambda vc: vc["proof"].__setitem__("proofValue", vc["proof"]["proofValue"][:-1]),
        lambda vc: vc["proof"].__setitem__("@context", ["https://example.com/other"]),
        lambda vc: vc["proof"].__setitem__("proofPurpose", "authentication"),
        lambda vc: vc["proof"].__setitem__("cryptosuite", "eddsa-rdfc-2022"),
        lambda vc: vc.pop("proof"),
    ],
)
def test_tampering_is_detected(claims, keystore, tamper):
    signed = sign_credential(build(claims, keystore), keystore)
    tamper(signed)
    with pytest.raises(InvalidCredential):
        verify_credential(signed, keystore)


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
    assert new["proof"]["verificationMethod"].endswith("#" + rotated.active_kid)
    stranger = KeyStore.load(tmp_path / "stranger", environ={})
    stranger.keygen()
    with pytest.raises(InvalidCredential):
        verify_credential(sign_credential(build(claims, keystore), stranger), keystore)


def test_hashed_name(claims, keystore):
    identity = build(claims, keystore, hash_name=True)["credentialSubject"]["identifier"][0]
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
