"""API v1 against its own OpenAPI document, with schemathesis on the WSGI app: no server error and
every response as documented (status, content type, headers, schema), for data that fits the
document and for data that does not. Bounded and derandomized so it stays short and repeatable;
SECURITY-input.md tells how to run the long, random run against a real server."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from tests.conftest import make_user
from tests.quiz_helpers import token_for

pytestmark = pytest.mark.slow
MAX_EXAMPLES = {GenerationMode.POSITIVE: 120, GenerationMode.NEGATIVE: 120}


@pytest.fixture
def api(app, client, courses, units):
    make_user(app, "canbo", roles={"official", "admin"}, audience="officials", unit_code="79")
    # the WSGI transport does not decompress as an HTTP client would: ask for plain responses
    headers = {**token_for(client, "canbo"), "Accept-Encoding": "identity"}
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), headers


@pytest.mark.parametrize("mode", list(MAX_EXAMPLES))
def test_api_matches_its_openapi_document(api, mode: GenerationMode) -> None:
    schema, headers = api

    # the token goes in as an explicit header: a negative case may still drop it where it is required
    @given(case=schema.as_strategy(mode, headers=headers))
    @settings(max_examples=MAX_EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        case.call_and_validate()

    check()
