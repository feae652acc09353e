"""The OpenAPI document, finished: problem+json errors, bearer security and access rules per operation."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts

from microcred.api.deps import Access
from microcred.api.problems import MEDIA_TYPE
from microcred.api.routing import ApiRoute

__all__ = ["access_rule", "install_openapi"]

_PROBLEM = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "send the same key again to get the first response back instead of creating twice",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


_SLUG = "$request.path.slug"
# OpenAPI links (3.1 §4.8.20) from each creating operation to the operations that read what it made: clients
# and a stateful test (tests/api/test_schemathesis.py) follow them to chain create -> read calls.
_LINKS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "create_provider": {"GetProvider": ("get_provider", {"slug": "$response.body#/slug"})},
    "create_offering": {
        "GetOffering": ("get_offering", {"slug": _SLUG, "code": "$response.body#/code"}),
        "CheckOffering": ("check_offering", {"slug": _SLUG, "code": "$response.body#/code"}),
        "ListEditions": ("list_editions", {"slug": _SLUG, "code": "$response.body#/code"}),
        "CreateEdition": ("create_edition", {"slug": _SLUG, "code": "$response.body#/code"}),
    },
    "create_edition": {
        "GetEdition": ("get_edition", {"slug": _SLUG, "edition": "$response.body#/code"}),
        "ListEnrolments": ("list_enrolments", {"slug": _SLUG, "edition": "$response.body#/code"}),
    },
    "create_enrolment": {
        "GetEnrolment": ("get_enrolment", {"slug": _SLUG, "reference": "$response.body#/reference"}),
        "IssueCredential": ("issue_credential", {"slug": _SLUG, "reference": "$response.body#/reference"}),
    },
    "issue_credential": {"GetCredential": ("get_credential", {"slug": _SLUG, "credential": "$response.body#/id"})},
    "issue_for_edition": {"GetJob": ("get_job", {"slug": _SLUG, "job": "$response.body#/id"})},
    "import_enrolments": {"GetJob": ("get_job", {"slug": _SLUG, "job": "$response.body#/id"})},
    "import_catalogue": {"GetJob": ("get_job", {"slug": _SLUG, "job": "$response.body#/id"})},
    "import_providers": {"GetOperatorJob": ("get_operator_job", {"job": "$response.body#/id"})},
}


def access_rule(dependant: Dependant) -> Access | None:
    """The route's :class:`Access` rule, found anywhere in its dependency tree."""
    if isinstance(dependant.call, Access):
        return dependant.call
    for child in dependant.dependencies:
        found = access_rule(child)
        if found is not None:
            return found
    return None


def _describe(rule: Access) -> str:
    if rule.policy == "provider":
        return f"provider token of {{slug}}{' with ' + rule.scope.value if rule.scope else ''}"
    if rule.policy == "scope" and rule.scope is not None:
        return f"token with {rule.scope.value}"
    described = {
        "public": "anyone",
        "admin": "operator token",
        "learner": "learner access link",
        "wallet": "OpenID4VCI access token",
    }
    return described.get(rule.policy, "")


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)
        rules: dict[tuple[str, str], Access] = {}
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            rule = access_rule(route.dependant) if isinstance(route, ApiRoute) else None
            if rule is not None and isinstance(route, ApiRoute):
                for method in route.methods or ():
                    rules[(route.path_format, method.lower())] = rule
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _finish_operation(operation, rules.get((path, method)), creates=method == "post")
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "an API token (mct_…) or a learner's access-link value",
        }
        for unused in ("HTTPValidationError", "ValidationError"):
            components.get("schemas", {}).pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]


def _finish_operation(operation: dict[str, Any], rule: Access | None, *, creates: bool) -> None:
    for status, response in operation.get("responses", {}).items():
        oauth = response.pop("x-oauth-error", False)  # OAuth / OID4VCI bodies (api/routes/oid4vci.py)
        if status[0] in "45":
            response["content"] = {**(response.get("content", {}) if oauth else {}), **_PROBLEM}
        links = _LINKS.get(operation.get("operationId", ""), {})
        if status in ("201", "202") and links:
            response["links"] = {
                name: {"operationId": target, "parameters": parameters} for name, (target, parameters) in links.items()
            }
    if rule is None:
        return
    operation["x-microcred-access"] = _describe(rule)
    if rule.policy != "public":
        operation["security"] = [{"bearer": []}]
    responses = operation.get("responses", {})
    if creates and ("201" in responses or "202" in responses):
        operation.setdefault("parameters", []).append(dict(_IDEMPOTENCY_KEY))
