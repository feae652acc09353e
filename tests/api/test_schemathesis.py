"""Property-based test of the API against its own OpenAPI document (schemathesis + Hypothesis).

Every operation gets generated requests, as the provider that owns the demo records and, for operator
routes, as the operator: no answer may be a server error, and every answer must match the schema.
Schemathesis' "positive data acceptance" check is left out: a request can fit the schema and still break a
rule of the register (an unknown ISCED code, a published offering without its EU elements, a cursor we
never gave out), and the register answers those with 422 on purpose.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from microcred.services.limits import RateLimit
from tests.api.conftest import Tokens

EXAMPLES_PER_OPERATION = 12


@pytest.mark.slow
def test_api_matches_its_schema_and_never_fails_on_generated_requests(app: FastAPI, tokens: Tokens) -> None:
    limits = app.state.register.limits
    limits.token_limit = RateLimit("token", rate=10_000, burst=10_000)
    limits.access_link_limit = RateLimit("access-link", rate=10_000, burst=10_000)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        access = operation.definition.raw.get("x-microcred-access", "")
        token = tokens.admin if access == "operator token" else tokens.owner

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=Tokens.header(token), excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Exception as error:  # collect every operation's first failure, then report them together
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
