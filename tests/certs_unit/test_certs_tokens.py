import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.certificates.codes import ALPHABET
from lms.certificates.issue import sign_for_qr
from lms.certificates.keys import KeyStore
from lms.certificates.tokens import (
    AUDIENCE_CODES,
    TEXT_ALPHABET,
    InvalidToken,
    mask_name,
    sign,
    token_from_url,
    token_kid,
    verification_url,
    verify,
)
from lms.printing.qr import qr_info

from .conftest import BASE_URL, LONG_MASKED, make_claims


def test_round_trip(keystore, claims):
    token = sign(claims, keystore)
    assert verify(token, keystore) == replace(claims, kid=keystore.active_kid)
    assert token == token.upper() and set(token) <= set(ALPHABET)


def test_verify_with_published_keys_or_a_mapping(keystore, claims):
    token = sign(claims, keystore)
    kid = keystore.active_kid
    assert verify(token, keystore.public_jwks()).code == claims.code
    assert verify(token, {kid: keystore.public_key(kid)}).code == claims.code
    assert verify(token.lower(), keystore).code == claims.code  # case-insensitive, like the /v/ route


def test_path_certificate_without_unit(keystore):
    claims = make_claims(kind="path", subject="officials", audience="officials", unit_code=None)
    assert verify(sign(claims, keystore), keystore) == replace(claims, kid=keystore.active_kid)


def test_names_outside_the_table_fall_back_to_utf8(keystore):
    claims = make_claims(masked_name="Łukasz Ž. Ñ.", subject="kurs_α")
    assert verify(sign(claims, keystore), keystore).masked_name == "Łukasz Ž. Ñ."


def test_text_is_nfc_normalised(keystore):
    decomposed = unicodedata.normalize("NFD", "Nguyễn V. Ánh")
    token = sign(make_claims(masked_name=decomposed), keystore)
    assert verify(token, keystore).masked_name == "Nguyễn V. Ánh"


def test_tampering_any_single_character_is_detected(keystore, claims):
    token = sign(claims, keystore)
    for i, ch in enumerate(token):
        other = ALPHABET[(ALPHABET.index(ch) + 7) % 32]
        with pytest.raises(InvalidToken):
            verify(token[:i] + other + token[i + 1 :], keystore)


def test_tampered_signature_reason(keystore, claims):
    token = sign(claims, keystore)
    with pytest.raises(InvalidToken) as info:
        verify(token[:40] + ("0" if token[40] != "0" else "1") + token[41:], keystore)
    # character 40 lies in the signed claims, whose length varies with the name: the flip either
    # breaks their encoding (format) or changes what was signed (signature); both refuse the token
    assert info.value.reason in ("signature", "format")
    with pytest.raises(InvalidToken) as info:
        verify(token[:-2] + ("0" if token[-2] != "0" else "1") + token[-1], keystore)
    assert info.value.reason == "signature"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1],  # truncated
        lambda t: t + "=",  # padded
        lambda t: t + "00",
        lambda t: t.replace(t[10], "U", 1),  # not in the alphabet
        lambda t: "",
        lambda t: "hello world",
        lambda t: "0" * 5000,
        lambda t: t[:50],
    ],
)
def test_malformed_tokens(keystore, claims, mangle):
    with pytest.raises(InvalidToken):
        verify(mangle(sign(claims, keystore)), keystore)


def test_unknown_kid(keystore, claims, tmp_path):
    other = KeyStore.load(tmp_path / "other", environ={})
    other.keygen()
    with pytest.raises(InvalidToken) as info:
        verify(sign(claims, other), keystore)
    assert info.value.reason == "unknown_key"


def test_rotation(keystore, claims, instance):
    old_kid = keystore.active_kid
    old_token = sign(claims, keystore)
    new_kid = keystore.rotate()
    rotated = KeyStore.load(instance, environ={})
    assert verify(old_token, rotated).kid == old_kid
    new_token = sign(claims, rotated)
    assert token_kid(new_token) == new_kid and verify(new_token, rotated).kid == new_kid
    assert verify(old_token, rotated.public_jwks()).kid == old_kid  # the published set keeps it


def test_signature_does_not_cover_other_contexts(keystore, claims):
    """The token signature is over "BDHVS-CERT:" || payload, not the bare payload."""
    from lms.certificates.tokens import encode_payload

    kid, private = keystore.signing_key()
    payload = encode_payload(claims, kid)
    from lms.certificates.codes import crockford_encode

    bare = crockford_encode(payload + private.sign(payload))
    with pytest.raises(InvalidToken):
        verify(bare, keystore)


def test_field_limits(keystore):
    with pytest.raises(ValueError):
        sign(make_claims(masked_name="N" * 41), keystore)
    with pytest.raises(ValueError):
        sign(make_claims(audience="aliens"), keystore)
    with pytest.raises(ValueError):
        sign(make_claims(kind="diploma"), keystore)
    with pytest.raises(ValueError):
        sign(make_claims(issued_on=date(1969, 12, 31)), keystore)


def test_text_alphabet_is_stable():
    assert len(TEXT_ALPHABET) == len(set(TEXT_ALPHABET)) == 205
    assert unicodedata.normalize("NFC", TEXT_ALPHABET) == TEXT_ALPHABET
    assert AUDIENCE_CODES == ("officials", "students", "workers", "citizens")
    # every Vietnamese letter, upper and lower case, is one byte
    for letter in "ăâđêôơưĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ":
        assert letter in TEXT_ALPHABET and letter.upper() in TEXT_ALPHABET


@pytest.mark.parametrize(
    ("full", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Nguyễn Thị Ánh Tuyết", "Nguyễn T. Á. T."),
        ("  Trần   thị  bích ", "Trần T. B."),
        ("NGUYỄN VĂN AN", "Nguyễn V. A."),
        ("đặng ngọc ước", "Đặng N. Ư."),
        ("Tuyết", "Tuyết"),
        ("Ksor H'Hen", "Ksor H."),
        (unicodedata.normalize("NFD", "Lê Ánh"), "Lê Á."),
    ],
)
def test_mask_name(full, masked):
    assert mask_name(full) == masked
    assert unicodedata.is_normalized("NFC", mask_name(full))


def test_mask_name_limits_length_keeping_family_and_given_name():
    long_name = "Tôn Nữ " + " ".join(["Hoàng"] * 20) + " Yến"
    masked = mask_name(long_name)
    assert len(masked) <= 40 and masked.startswith("Tôn N.") and masked.endswith("Y.")
    with pytest.raises(ValueError):
        mask_name("   ")


def test_verification_url_shape():
    url = verification_url("https://hoc.example-province.gov.vn/hoc/", "ABC123")
    assert url == "HTTPS://HOC.EXAMPLE-PROVINCE.GOV.VN/hoc/V/ABC123"
    assert verification_url("http://localhost:5000", "X") == "HTTP://LOCALHOST:5000/V/X"
    idn = "họcsố.vn".encode("idna").decode().upper()
    assert verification_url("https://họcsố.vn", "X") == f"HTTPS://{idn}/V/X"
    with pytest.raises(ValueError):
        verification_url("javascript:alert(1)", "X")


def test_token_from_url():
    assert token_from_url("HTTPS://HOST/hoc/V/ABC?x=1") == "ABC"
    assert token_from_url("https://host/v/abc/") == "abc"
    assert token_from_url(" ABC ") == "ABC"


def test_realistic_longest_fits_and_sign_for_qr_keeps_it(keystore):
    claims = make_claims(masked_name=LONG_MASKED, subject="an-toan-thong-tin-tren-mang-xh")
    assert len(LONG_MASKED) == 40
    signed, token, url = sign_for_qr(claims, keystore, BASE_URL)
    assert signed.masked_name == LONG_MASKED and signed.kid == keystore.active_kid
    assert qr_info(url).version <= 10
    assert verify(token, keystore) == signed


def test_sign_for_qr_shortens_the_name_when_needed(keystore):
    claims = make_claims(masked_name=LONG_MASKED, subject="k" * 60)
    signed, token, url = sign_for_qr(claims, keystore, BASE_URL)
    assert qr_info(url).version <= 10
    assert signed.masked_name.startswith("Phạm Đ.") and signed.masked_name.endswith("Ự.")
    assert len(signed.masked_name) < 40
    assert verify(token, keystore) == signed


# hypothesis reruns the body many times: one store for all examples, not a per-test fixture
_PROPERTY_STORE = KeyStore.load(None, environ={"LMS_CERT_PRIVATE_KEYS": "A" * 43 + "="})
names = st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    name=names,
    subject=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=64),
    audience=st.sampled_from([None, *AUDIENCE_CODES]),
    kind=st.sampled_from(["course", "path"]),
    unit=st.one_of(st.none(), st.text(alphabet="0123456789", min_size=1, max_size=12)),
    day=st.dates(min_value=date(1970, 1, 1), max_value=date(2149, 6, 1)),
)
def test_round_trip_property(name, subject, audience, kind, unit, day):
    keystore = _PROPERTY_STORE
    claims = make_claims(
        masked_name=name, subject=subject, audience=audience, kind=kind, unit_code=unit, issued_on=day
    )
    assert verify(sign(claims, keystore), keystore) == replace(claims, kid=keystore.active_kid)
