"""A wallet app's authorization request in a real browser: the learner signs in by e-mailed link, comes back
to the request, sees which app asks and approves; the app's redirect URI receives a code."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.e2e.conftest import Server, assert_accessible, newest_link, screenshot
from tests.e2e.test_provider_and_verifier import _learner_with_credential

pytestmark = pytest.mark.browser

CALLBACK = "http://127.0.0.1:9/callback"  # the app's loopback redirect URI; the browser never reaches it


def test_a_learner_signs_in_and_approves_a_wallet_apps_request(page: Any, server: Server) -> None:
    address = "leerling@example.org"
    uuid = _learner_with_credential(server, address)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 43).digest()).rstrip(b"=").decode()
    request = {
        "response_type": "code", "client_id": "org.example.wallet", "redirect_uri": CALLBACK, "state": "st-1",
        "scope": "micro_credential_sd_jwt", "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    reached: list[str] = []
    page.route(f"{CALLBACK}**", lambda route: (reached.append(route.request.url), route.fulfill(body="app")))
    page.goto("/oid4vci/authorize?" + urlencode(request))
    assert urlsplit(page.url).path == "/wallet"  # sign in first
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_role("button", name="Stuur mij een link").click()
    page.get_by_text("onderweg").wait_for()
    page.goto(newest_link(server.outbox, address))
    page.get_by_role("button", name="Open mijn credentials").click()
    page.get_by_role("heading", name="Een wallet-app vraagt om je credential").wait_for()
    assert page.get_by_text("org.example.wallet").count() >= 1
    assert page.locator(f'input[name="credential"][value="{uuid}"]').is_checked()
    screenshot(page, "wallet-authorize")
    assert_accessible(page)
    page.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_url(f"{CALLBACK}**")
    answer = parse_qs(urlsplit(reached[-1]).query)
    assert answer["state"] == ["st-1"]
    assert len(answer["code"][0]) >= 40
    assert answer["iss"] == [server.base_url]
