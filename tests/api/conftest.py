"""The API under test: the real app (``create_app``) around a register with the demo data, on both backends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register
from microcred.domain import Learner
from microcred.services import auth
from microcred.services.auth import Scope
from microcred.testing import mail_text
from tests.databases import SMALL_DEMO, Content

ALL_SCOPES = [scope.value for scope in Scope]
OWNER, OTHER = "vub", "ugent"  # the demo has a published offering for each


@dataclass(frozen=True)
class Tokens:
    admin: str
    owner: str  # acts for OWNER with every scope
    owner_readonly: str  # acts for OWNER without scopes
    other: str  # acts for OTHER with every scope
    expired: str
    revoked: str
    learner: str  # the access value of a link mailed to the learner of ISSUED_ENROLMENT

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


ISSUED_ENROLMENT = "MC-DSS-2023-E001"  # a passed enrolment of OWNER; the fixture issues its credential


@pytest.fixture
def register_content() -> Content:
    return SMALL_DEMO


@pytest.fixture
def demo_register(register: Register) -> Register:
    """The register with the small demo in it (copied from a template loaded once per session)."""
    return register


@pytest.fixture
def credential_id(demo_register: Register) -> str:
    """The id of a credential OWNER issued (for a passed demo enrolment)."""
    return demo_register.issuance.issue_for_enrolment(OWNER, ISSUED_ENROLMENT).uuid


@pytest.fixture
def app(demo_register: Register) -> FastAPI:
    return create_app(demo_register)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def finished_job(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a job's ``Location`` until it has succeeded or failed; its last answer."""
    for _ in range(400):
        job: dict[str, Any] = client.get(url, headers=headers).json()
        if job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish")


def learner_link(register: Register) -> str:
    """Give the learner of ISSUED_ENROLMENT an address, ask for a link and read it from the outbox.

    A link opens once (a learner route opens it) and a new one ends the unopened ones before it.
    """
    with register.uow() as work:
        pseudonym = work.enrolments.get(OWNER, ISSUED_ENROLMENT).learner
        work.learners.save(Learner(pseudonym, "learner.of.tests@example.org"), provider=OWNER)
        work.commit()
    register.learner_access.request_access_link("learner.of.tests@example.org")
    newest = sorted(Path(register.settings.outbox_dir).glob("*.eml"))[-1]
    text = mail_text(newest.read_bytes())
    return str(text.split("access=")[1].split()[0])


@pytest.fixture
def tokens(demo_register: Register) -> Tokens:
    uow, clock = demo_register.uow, demo_register.clock

    def make(provider: str | None, scopes: list[str], **options: object) -> str:
        return auth.create_token(provider=provider, scopes=scopes, uow=uow, clock=clock, **options).token  # type: ignore[arg-type]

    expired = auth.create_token(
        provider=OWNER, scopes=ALL_SCOPES, uow=uow, clock=lambda: clock() - timedelta(days=3), expires_days=1
    ).token
    revoked = auth.create_token(provider=OWNER, scopes=ALL_SCOPES, uow=uow, clock=clock)
    auth.revoke_token(revoked.prefix, uow, clock)
    return Tokens(
        learner=learner_link(demo_register),
        admin=make(None, [], admin=True),
        owner=make(OWNER, ALL_SCOPES),
        owner_readonly=make(OWNER, []),
        other=make(OTHER, ALL_SCOPES),
        expired=expired,
        revoked=revoked.token,
    )
