"""Property-based tests of the API against its own OpenAPI document (schemathesis + Hypothesis).

Every operation gets generated requests, as the provider that owns the demo records and, for operator
routes, as the operator: no answer may be a server error, and every answer must match the schema. A second,
stateful run follows the document's OpenAPI links from each create to the reads of what it made (create an
offering, read it, add an edition, enrol, issue, read the credential ...).
Schemathesis' "positive data acceptance" check is left out: a request can fit the schema and still break a
rule of the register (an unknown ISCED code, a published offering without its EU elements, a cursor we
never gave out), and the register answers those with 422 on purpose. Both runs are bounded (examples, steps)
to stay under a minute each on one core.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from microcred.services.limits import RateLimit
from tests.api.conftest import OWNER, Tokens

# A longer run: MICROCRED_SCHEMATHESIS_EXAMPLES=200 pytest tests/api/test_schemathesis.py -m "not postgres"
EXAMPLES_PER_OPERATION = int(os.environ.get("MICROCRED_SCHEMATHESIS_EXAMPLES", "12"))
STATEFUL_SCENARIOS = 25
STATEFUL_STEPS = 8


def _unlimited(app: FastAPI) -> None:
    """Generated requests come fast from one client: the rate limits would answer most of them 429."""
    limits = app.state.register.limits
    for name in ("api_token", "access_link_address", "access_link_client", "verification_client", "wallet_client"):
        setattr(limits, name, RateLimit(name, rate=10_000, burst=10_000))


def _token_for(operation: Any, tokens: Tokens) -> str:
    access = operation.definition.raw.get("x-microcred-access", "")
    return tokens.admin if access == "operator token" else tokens.owner


def _headers_for(case: schemathesis.Case, tokens: Tokens) -> dict[str, str]:
    """The token the operation needs, unless the case's headers were made invalid on purpose.

    A negative case may drop the required ``Authorization`` header; putting the token back would make a
    valid request of it, which the API then rightly accepts, and the negative-data check would fail on a
    request we rewrote, not on the API (seen in CI once)."""
    headers_component = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if headers_component is not None and headers_component.mode.is_negative:
        return {}
    return Tokens.header(_token_for(case.operation, tokens))


@pytest.mark.slow
def test_api_matches_its_schema_and_never_fails_on_generated_requests(app: FastAPI, tokens: Tokens) -> None:
    _unlimited(app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=_headers_for(case, tokens), excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Exception as error:  # collect every operation's first failure, then report them together
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


def test_the_document_links_every_create_to_the_reads_of_what_it_made(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    links = {
        operation["operationId"]: sorted(link["operationId"] for link in response.get("links", {}).values())
        for item in paths.values()
        for operation in item.values()
        for response in operation["responses"].values()
        if response.get("links")
    }
    assert links["create_offering"] == ["check_offering", "create_edition", "get_offering", "list_editions"]
    assert links["create_enrolment"] == ["get_enrolment", "issue_credential"]
    assert links["issue_credential"] == ["get_credential"]
    operation_ids = {operation["operationId"] for item in paths.values() for operation in item.values()}
    assert {target for targets in links.values() for target in targets} <= operation_ids


@pytest.mark.slow
def test_following_the_links_from_creates_to_reads_never_fails(app: FastAPI, tokens: Tokens) -> None:
    _unlimited(app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    machine = schema.as_state_machine()
    answered: list[tuple[str, int]] = []

    class ProviderSession(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": _headers_for(case, tokens)}

        def before_call(self, case: schemathesis.Case) -> None:
            if case.path_parameters and "slug" in case.path_parameters:
                case.path_parameters["slug"] = OWNER  # the provider the token acts for: chains reach its records

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            answered.append((case.operation.definition.raw["operationId"], response.status_code))

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

    # The register's state changes with every call and which links can be followed depends on earlier
    # answers, so Hypothesis can neither shrink (generate only) nor always tell a new scenario from a replayed
    # prefix: it may stop a run with "inconsistent data generation", which is about its search, not about the
    # API. Such a run keeps the calls it made and the next run explores on; a failing check ends the test.
    completed_runs = 0
    for _ in range(3):
        try:
            ProviderSession.run(
                settings=settings(
                    max_examples=STATEFUL_SCENARIOS,
                    stateful_step_count=STATEFUL_STEPS,
                    phases=[Phase.generate],
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
            completed_runs += 1
            break
        except FlakyStrategyDefinition:
            continue
    assert answered, "the state machine made no calls"
    assert len(answered) >= STATEFUL_SCENARIOS, f"only {len(answered)} calls in {completed_runs} complete runs"
    assert not [call for call in answered if call[1] >= 500]
