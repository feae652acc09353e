"""Issue 15, finding 5: every answer of the HTTP app, web page or API, carries the security headers.

The test walks every GET route the app has (so a new route is covered without touching this file), with
placeholder path parameters: a 404 or 401 must carry the headers as much as a 200.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.services.demo import load_small_demo
from microcred.settings import Settings


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[TestClient, list[str]]]:
    wired = build(settings.model_copy(update={"public_base_url": "https://register.example.be"}))
    wired.migrate()
    load_small_demo(wired.uow, pepper="pepper-for-header-tests")
    app = create_app(wired)
    paths = []
    for context in iter_route_contexts(app.routes):  # included routers flattened
        route = context.original_route
        if isinstance(route, APIRoute) and "GET" in route.methods:
            paths.append(re.sub(r"\{[^}]+\}", "x", route.path))
        elif isinstance(route, Mount):
            paths.append(f"{route.path}/nothing-here.css")
    with TestClient(app) as client:
        yield client, paths
    wired.close()


def _check(answer_headers: dict[str, str], path: str) -> None:
    csp = answer_headers.get("content-security-policy", "")
    assert "unsafe-inline" not in csp, path
    assert "default-src 'self'" in csp, path
    assert "script-src 'self' 'nonce-" in csp, path
    assert "frame-ancestors 'none'" in csp, path
    assert answer_headers.get("x-content-type-options") == "nosniff", path
    assert answer_headers.get("x-frame-options") == "DENY", path
    assert answer_headers.get("referrer-policy") == "no-referrer", path
    assert answer_headers.get("strict-transport-security", "").startswith("max-age="), path


def test_every_get_route_answers_with_the_security_headers(served: tuple[TestClient, list[str]]) -> None:
    client, paths = served
    assert "/desk" in paths
    assert "/api/v1/catalogue" in paths
    for path in paths:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code < 500, path
        _check(dict(answer.headers), path)


def test_the_statistics_page_styles_its_report_with_the_responses_nonce(served: tuple[TestClient, list[str]]) -> None:
    client, _ = served
    page = client.get("/statistics")
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce
    assert f'<style nonce="{nonce.group(1)}">' in page.text
    assert "<style>" not in page.text
    again = client.get("/statistics").headers["content-security-policy"]
    assert nonce.group(1) not in again  # a fresh nonce for every answer


def test_no_page_carries_inline_scripts_styles_or_handlers() -> None:
    from importlib.resources import files

    for template in (files("microcred.web") / "templates").iterdir():
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert not re.search(r"\sstyle=", text), template.name
        assert not re.search(r"<style(?![^>]*nonce=)", text), template.name


def test_hsts_only_behind_https(register: Register) -> None:
    with TestClient(create_app(register)) as client:
        assert "strict-transport-security" not in client.get("/").headers
