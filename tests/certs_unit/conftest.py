"""Fixtures for the certificates core: a key store in a temporary instance folder and claims."""

from __future__ import annotations

from datetime import date

import pytest

from lms.certificates.codes import generate_code
from lms.certificates.keys import KeyStore
from lms.certificates.tokens import CertificateClaims

BASE_URL = "https://hoc.example-province.gov.vn/hoc"
FULL_NAME = "Nguyễn Thị Ánh Tuyết"
#: the stress case from the issue: a 40-character masked name full of diacritics
LONG_MASKED = "Phạm Đ. Ư. Ơ. Ă. Â. Ê. Ô. Ị. Ỹ. Ể. Ữ. Ự."


@pytest.fixture
def instance(tmp_path):
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def keystore(instance) -> KeyStore:
    store = KeyStore.load(instance, environ={})
    store.keygen()
    return store


def make_claims(**overrides) -> CertificateClaims:
    fields = dict(
        code=generate_code(),
        masked_name="Nguyễn T. Á. T.",
        kind="course",
        subject="ky-nang-so-co-ban",
        audience="citizens",
        unit_code="25920",
        issued_on=date(2026, 3, 5),
    )
    fields.update(overrides)
    return CertificateClaims(**fields)


@pytest.fixture
def claims() -> CertificateClaims:
    return make_claims()
