import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates.keys import KeyStore, KeyStoreError, is_kid, keys_from_jwks, kid_for


def raw_bytes(key: Ed25519PrivateKey) -> bytes:
    encoding, fmt = serialization.Encoding.Raw, serialization.PrivateFormat.Raw
    return key.private_bytes(encoding, fmt, serialization.NoEncryption())


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_keygen_writes_private_files_0600_in_a_0700_folder(instance):
    store = KeyStore.load(instance, environ={})
    kid = store.keygen()
    folder = instance / "keys"
    assert mode(folder) == 0o700
    assert mode(folder / f"{kid}.pem") == 0o600
    assert mode(folder / "active") == 0o600
    assert (folder / "active").read_text().strip() == kid
    assert is_kid(kid) and store.active_kid == kid


def test_keygen_is_idempotent(keystore, instance):
    first = keystore.active_kid
    assert keystore.keygen() == first
    assert KeyStore.load(instance, environ={}).keygen() == first
    assert len(list((instance / "keys").glob("*.pem"))) == 1


def test_kid_is_derived_from_the_public_key(keystore, instance):
    kid, private = keystore.signing_key()
    assert kid == kid_for(private.public_key())
    assert KeyStore.load(instance, environ={}).active_kid == kid  # same id after a reload


def test_rotate_keeps_old_keys_for_verifying(keystore, instance):
    old = keystore.active_kid
    new = keystore.rotate()
    assert new != old and keystore.active_kid == new
    reloaded = KeyStore.load(instance, environ={})
    assert reloaded.active_kid == new
    assert set(reloaded.kids()) == {old, new}
    assert reloaded.public_key(old) is not None
    jwks = reloaded.public_jwks()
    assert [k["kid"] for k in jwks["keys"]] == [new, old]  # active first
    assert [k["status"] for k in jwks["keys"]] == ["active", "retired"]


def test_public_jwks_holds_no_private_material(keystore):
    kid, private = keystore.signing_key()
    jwks = keystore.public_jwks()
    (jwk,) = jwks["keys"]
    assert {"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig"}.items() <= jwk.items()
    assert "d" not in jwk
    raw = raw_bytes(private)
    dumped = json.dumps(jwks)
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")):
        assert encoded.decode() not in dumped
    assert keys_from_jwks(jwks)[kid] is not None


def test_jwks_with_a_kid_that_does_not_match_its_key_is_ignored(keystore):
    jwks = keystore.public_jwks()
    jwks["keys"][0]["kid"] = "00000000"
    assert keys_from_jwks(jwks) == {}


def test_keys_from_environment_pem_and_base64(instance):
    pem_key, raw_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    pem = pem_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = raw_bytes(raw_key)
    env = {"LMS_CERT_PRIVATE_KEYS": pem + "\n, " + base64.b64encode(raw).decode()}
    store = KeyStore.load(None, environ=env)
    assert store.active_kid == kid_for(pem_key.public_key())  # the first one signs
    assert set(store.kids()) == {kid_for(pem_key.public_key()), kid_for(raw_key.public_key())}
    env["LMS_CERT_ACTIVE_KID"] = kid_for(raw_key.public_key())
    assert KeyStore.load(instance, environ=env).active_kid == env["LMS_CERT_ACTIVE_KID"]
    urlsafe = {"LMS_CERT_PRIVATE_KEYS": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}
    assert KeyStore.load(None, environ=urlsafe).active_kid == kid_for(raw_key.public_key())


def test_environment_keys_are_not_written_or_rotated(instance):
    raw = raw_bytes(Ed25519PrivateKey.generate())
    store = KeyStore.load(instance, environ={"LMS_CERT_PRIVATE_KEYS": base64.b64encode(raw).decode()})
    assert store.keygen() == store.active_kid
    with pytest.raises(KeyStoreError):
        store.rotate()
    assert not (instance / "keys").exists()


@pytest.mark.parametrize("value", ["not-base64!!", base64.b64encode(b"short").decode()])
def test_bad_environment_keys_are_refused(value):
    with pytest.raises(KeyStoreError):
        KeyStore.load(None, environ={"LMS_CERT_PRIVATE_KEYS": value})


def test_unknown_active_kid_is_refused(instance):
    raw = raw_bytes(Ed25519PrivateKey.generate())
    env = {"LMS_CERT_PRIVATE_KEYS": base64.b64encode(raw).decode(), "LMS_CERT_ACTIVE_KID": "ZZZZZZZZ"}
    with pytest.raises(KeyStoreError):
        KeyStore.load(instance, environ=env)


def test_no_key_means_no_signing(instance):
    store = KeyStore.load(instance, environ={})
    with pytest.raises(KeyStoreError):
        store.signing_key()
    assert store.public_jwks() == {"keys": []}


def test_public_only_key_file_still_verifies(keystore, instance):
    old = keystore.active_kid
    keystore.rotate()
    folder = instance / "keys"
    public = keystore.public_key(old).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / f"{old}.pem").unlink()  # the retired private key is destroyed...
    (folder / f"{old}.pub.pem").write_bytes(public)  # ...its public half is kept
    reloaded = KeyStore.load(instance, environ={})
    assert reloaded.public_key(old) is not None
    with pytest.raises(KeyStoreError):
        reloaded.signing_key(old)


def test_marker_naming_a_missing_key_is_an_error(keystore, instance):
    (instance / "keys" / "active").write_text("ABCDEFGH\n")
    with pytest.raises(KeyStoreError):
        KeyStore.load(instance, environ={})


def test_loose_permissions_are_reported(keystore, instance, caplog):
    path = instance / "keys" / f"{keystore.active_kid}.pem"
    path.chmod(0o644)
    KeyStore.load(instance, environ={})
    assert "readable by others" in caplog.text


def test_broken_jwks_entries_are_skipped(keystore):
    jwks = keystore.public_jwks()
    broken = [{"kty": "OKP", "crv": "Ed25519", "x": "!!", "kid": "X"}, {"kty": "OKP", "crv": "Ed25519"}, 7]
    jwks["keys"][:0] = broken
    assert list(keys_from_jwks(jwks)) == [keystore.active_kid]
