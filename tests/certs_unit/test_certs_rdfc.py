"""eddsa-rdfc-2022 and eddsa-jcs-2022 proofs of the Open Badge, each checked by an implementation
written here, independent of lms.certificates: canonicalisation with PyLD (the W3C contexts from
PyLD's own bundled copies, not the package's), hashing as the cryptosuite spec says, the
signature with `cryptography`. Also: the contexts shipped are the ones SOURCE.txt names, and
nothing is fetched from the network."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from pyld.documentloader.frozen import BUNDLED_CONTEXTS

from lms.certificates import rdfc, statuslist
from lms.certificates.credential import (
    InvalidCredential,
    build_credential,
    did_document,
    key_document,
    sign_credential,
    verify_credential,
    verify_proof_with_key,
)
from lms.certificates.tokens import sign, verification_url

from .conftest import BASE_URL, FULL_NAME
from .test_certs_credential import ISSUER, schema_errors

CONTEXTS = Path(rdfc.__file__).resolve().parent / "contexts"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
LIST_URL = BASE_URL + "/credentials/status/0"


# -- an independent verifier -------------------------------------------------------------

def loader(url, options=None):
    """PyLD's own bundled W3C contexts; the 1EdTech context read from the file."""
    if url in BUNDLED_CONTEXTS:
        document = json.loads(Path(BUNDLED_CONTEXTS[url]).read_text(encoding="utf-8"))
    elif url == OB_CONTEXT:
        document = json.loads((CONTEXTS / "context-3.0.3.json").read_text(encoding="utf-8"))
    else:
        raise AssertionError(f"the credential needs a context the test does not know: {url}")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}


def canon(document: dict) -> bytes:
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": loader}).encode("utf-8")


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def unbase58(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + B58.index(ch)
    return b"\0" * (len(text) - len(text.lstrip("1"))) + (n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b"")


def issuer_key(did_doc: dict, verification_method: str) -> Ed25519PublicKey:
    (method,) = [m for m in did_doc["verificationMethod"] if m["id"] == verification_method]
    raw = unbase58(method["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"  # multicodec ed25519-pub
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def independent_check(secured: dict, proof: dict, key: Ed25519PublicKey) -> bool:
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if proof["cryptosuite"] == "eddsa-rdfc-2022":
        config = {**options, "@context": unsecured["@context"]}
        data = hashlib.sha256(canon(config)).digest() + hashlib.sha256(canon(unsecured)).digest()
    else:  # eddsa-jcs-2022; keys are ASCII and there are no floats, so sorted compact JSON is JCS
        def jcs(value):
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        data = hashlib.sha256(jcs(options)).digest() + hashlib.sha256(jcs(unsecured)).digest()
    try:
        key.verify(unbase58(proof["proofValue"][1:]), data)
    except InvalidSignature:
        return False
    return True


# -- fixtures --------------------------------------------------------------------------

def signed_badge(claims, keystore) -> dict:
    url = verification_url(BASE_URL, sign(claims, keystore))
    vc = build_credential(claims, full_name=FULL_NAME, title="Kỹ năng số cơ bản", issuer_name=ISSUER,
                          base_url=BASE_URL, credential_id=url, issued_at=datetime(2026, 3, 5, 3, tzinfo=UTC),
                          credential_status=statuslist.status_entry(LIST_URL, 4242))
    return json.loads(json.dumps(sign_credential(vc, keystore)))  # as a wallet receives it


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# -- tests -----------------------------------------------------------------------------

def test_shipped_contexts_are_the_ones_source_txt_names():
    source = (CONTEXTS / "SOURCE.txt").read_text(encoding="utf-8")
    for url, name in rdfc.CONTEXT_FILES.items():
        digest = hashlib.sha256((CONTEXTS / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in source and url in source
        assert json.loads((CONTEXTS / name).read_text())["@context"]
    # the W3C VC 2.0 context is byte for byte the one PyLD ships
    assert (CONTEXTS / "credentials-v2.jsonld").read_bytes() == Path(
        BUNDLED_CONTEXTS["https://www.w3.org/ns/credentials/v2"]).read_bytes()


def test_the_loader_never_goes_to_the_network(no_network):
    with pytest.raises(jsonld.JsonLdError):
        rdfc.document_loader("https://example.com/context.jsonld")
    assert rdfc.document_loader(OB_CONTEXT)["document"]["@context"]["@protected"] is True
    with pytest.raises(rdfc.UnsafeDocument):  # a context we do not ship: refused, not fetched
        rdfc.canonicalize({"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.com/x"],
                           "type": "VerifiableCredential"})


def test_both_suites_round_trip_and_an_independent_verifier_agrees(claims, keystore, no_network):
    secured = signed_badge(claims, keystore)
    assert [p["cryptosuite"] for p in secured["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    did_doc = did_document(keystore, BASE_URL)
    for proof in secured["proof"]:
        assert proof["type"] == "DataIntegrityProof" and proof["proofPurpose"] == "assertionMethod"
        assert proof["verificationMethod"] in did_doc["assertionMethod"]
        key = issuer_key(did_doc, proof["verificationMethod"])
        assert independent_check(secured, proof, key), proof["cryptosuite"]
        assert verify_proof_with_key(secured, key, proof)
    assert "@context" not in secured["proof"][0]  # an RDFC proof takes the document's contexts
    assert verify_credential(secured, keystore, base_url=BASE_URL)["id"] == secured["id"]
    assert verify_credential(secured, keystore.public_jwks())


def test_the_rdfc_hash_is_the_specs(claims, keystore):
    """The package's canonical form equals the independent one (same N-Quads, same hash)."""
    secured = signed_badge(claims, keystore)
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    assert rdfc.canonicalize(unsecured).encode() == canon(unsecured)
    nquads = canon(unsecured).decode()
    assert '<https://www.w3.org/ns/credentials/status#statusListIndex> "4242"' in nquads
    assert "example.org" not in nquads and "_:c14n" in nquads


@pytest.mark.parametrize("tamper", [
    lambda vc: vc.__setitem__("name", "Tiến sĩ Kỹ năng số"),
    lambda vc: vc.__setitem__("validFrom", "2025-03-05T03:00:00Z"),
    lambda vc: vc["credentialSubject"]["achievement"].__setitem__("name", "Khóa học khác"),
    lambda vc: vc["credentialStatus"].__setitem__("statusListIndex", "4243"),
    lambda vc: vc["credentialStatus"].__setitem__("statusListCredential", "https://evil.example/list"),
    lambda vc: vc["issuer"].__setitem__("id", "did:web:evil.example"),
    lambda vc: [p.__setitem__("created", "2030-01-01T00:00:00Z") for p in vc["proof"]],
    lambda vc: [p.__setitem__("verificationMethod", p["verificationMethod"][:-1] + "0") for p in vc["proof"]],
])
def test_tampered_copies_are_rejected_by_both_suites(claims, keystore, tamper):
    secured = signed_badge(claims, keystore)
    did_doc = did_document(keystore, BASE_URL)
    key = issuer_key(did_doc, secured["proof"][0]["verificationMethod"])
    tamper(secured)
    for proof in secured["proof"]:
        assert not independent_check(secured, proof, key), proof["cryptosuite"]
        assert not verify_proof_with_key(secured, key, proof), proof["cryptosuite"]
    with pytest.raises(InvalidCredential):
        verify_credential(secured, keystore)


def test_a_term_no_context_defines_breaks_the_rdfc_proof(claims, keystore):
    """Canonicalisation would drop an undefined property silently (it would be unsigned): safe mode refuses."""
    secured = signed_badge(claims, keystore)
    rdfc_proof = secured["proof"][0]
    key = keystore.public_key(keystore.active_kid)
    assert verify_proof_with_key(secured, key, rdfc_proof)
    extra = copy.deepcopy(secured)
    extra["credentialSubject"]["grade"] = "Xuất sắc"
    assert not verify_proof_with_key(extra, key, rdfc_proof)
    with pytest.raises(rdfc.UnsafeDocument):
        rdfc.canonicalize({k: v for k, v in extra.items() if k != "proof"})
    with pytest.raises(rdfc.UnsafeDocument):  # a relative type
        rdfc.canonicalize({**extra, "credentialSchema": [{"id": "https://x.example/s", "type": "Validator2019"}],
                           "credentialSubject": secured["credentialSubject"]})


def test_still_valid_against_1edtech_schema_with_two_proofs_and_a_status(claims, keystore):
    secured = signed_badge(claims, keystore)
    assert schema_errors(secured) == []
    assert isinstance(secured["proof"], list) and len(secured["proof"]) == 2
    assert secured["credentialStatus"] == {
        "id": LIST_URL + "#4242", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "4242", "statusListCredential": LIST_URL}
    assert secured["credentialSchema"] == [{"id": secured["credentialSchema"][0]["id"], "type": "JsonSchema"}]


def test_the_status_list_credential_is_signed_with_both_suites(keystore):
    unsigned = statuslist.status_list_credential(LIST_URL, "did:web:hoc.example-province.gov.vn:hoc", [7])
    secured = json.loads(json.dumps(sign_credential(unsigned, keystore)))
    did_doc = did_document(keystore, BASE_URL)
    for proof in secured["proof"]:
        assert independent_check(secured, proof, issuer_key(did_doc, proof["verificationMethod"]))
    secured["credentialSubject"]["encodedList"] = statuslist.encode_list([])
    assert not any(independent_check(secured, p, issuer_key(did_doc, p["verificationMethod"]))
                   for p in secured["proof"])


def test_the_key_as_a_plain_https_document(keystore):
    kid = keystore.active_kid
    doc = key_document(keystore.public_key(kid), url=f"HTTPS://HOC.EXAMPLE-PROVINCE.GOV.VN/hoc/keys/{kid}.json",
                       controller="did:web:hoc.example-province.gov.vn:hoc")
    assert doc["id"] == f"{BASE_URL}/keys/{kid}.json" and doc["type"] == "Multikey"
    did_doc = did_document(keystore, BASE_URL)
    assert doc["publicKeyMultibase"] == did_doc["verificationMethod"][0]["publicKeyMultibase"]
    assert "security#publicKeyMultibase" in rdfc.canonicalize(doc)  # well-formed JSON-LD (safe mode)


# W3C "Data Integrity EdDSA Cryptosuites v1.0" test vector for eddsa-rdfc-2022
# (w3c/vc-di-eddsa @ 6767a890dc27fe37a024e2554f16c11a2af05896, TestVectors/eddsa-rdfc-2022/
# signedDataInt.json and combinedHashDataInt.txt, SHA-256(proof config) || SHA-256(document); the
# key pair is TestVectors/keyPair.json, as in test_certs_credential's JCS vector). Its second
# context is W3C's examples context, which is an @vocab and nothing else.
EXAMPLES_V2 = {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}
W3C_RDFC_SIGNED = {
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
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "proofPurpose": "assertionMethod",
        "proofValue": "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9",
    },
}
W3C_RDFC_COMBINED_HASH = ("4c4d3890a157f8d611b13c265c2c22f39aa0a567c7c7dd9ba3e45cd579784eeb"
                          "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017")


def test_w3c_rdfc_test_vector(monkeypatch):
    from .test_certs_credential import W3C_PRIVATE, W3C_PUBLIC

    def with_examples(url, options=None):
        if url == "https://www.w3.org/ns/credentials/examples/v2":
            return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                    "document": EXAMPLES_V2}
        return shipped(url, options)

    shipped = rdfc.document_loader
    monkeypatch.setattr(rdfc, "document_loader", with_examples)
    monkeypatch.setattr(rdfc, "_RESOLVED", rdfc._ResolvedContexts())  # nothing of this test stays cached
    key = Ed25519PublicKey.from_public_bytes(unbase58(W3C_PUBLIC[1:])[2:])
    proof = W3C_RDFC_SIGNED["proof"]
    assert verify_proof_with_key(W3C_RDFC_SIGNED, key, proof)  # the package verifies the W3C's proof
    unsecured = {k: v for k, v in W3C_RDFC_SIGNED.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    assert rdfc.hash_data(unsecured, options).hex() == W3C_RDFC_COMBINED_HASH
    # and reproduces it: Ed25519 signatures are deterministic
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(unbase58(W3C_PRIVATE[1:])[2:])
    again = rdfc.create_proof(unsecured, private, verification_method=proof["verificationMethod"],
                              created=proof["created"])
    assert again == proof
    tampered = {**W3C_RDFC_SIGNED, "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "Elsewhere"}}
    assert not verify_proof_with_key(tampered, key, proof)
