"""Issuing credentials for passed enrolments, and the use cases bound to one register (:class:`Issuance`).

Crash safety: credentials' status indexes, their database rows and their signed documents are written in
one transaction, under a lock on the provider's status lists; either all of it is kept or none. Issuing is
idempotent: an enrolment has at most one credential, and asking again returns it. A provider's status lists
have no ceiling: indexes are drawn at random within a list, and a full list makes way for the next
(decision 0021). One enrolment and a bulk batch go through the same :func:`_issue_awaiting`.
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from microcred.credentials.ob3 import Award, LearnerIdentity, OpenBadgeTemplate, StatusEntry, open_badge_proof
from microcred.credentials.urls import credential_url
from microcred.domain import (
    Credential,
    CredentialState,
    Edition,
    Enrolment,
    Offering,
    Outcome,
    Page,
    Position,
    StatusPurpose,
    check_eu_elements,
    check_page_size,
    credential_urn,
)
from microcred.errors import Conflict, Invalid, NotFound
from microcred.services import certificates, status_lists
from microcred.services.certificates import get_credential
from microcred.services.dependencies import Dependencies
from microcred.services.keys import KeyStore
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from microcred.services.status_lists import StateChange
from microcred.settings import Settings

__all__ = [
    "BATCH_SIZE",
    "MAX_CREDENTIALS_PAGE",
    "Issuance",
    "Progress",
    "Within",
    "credentials_page",
    "get_credential",
    "issue_for_edition",
    "issue_for_enrolment",
    "list_credentials",
]

Progress = Callable[[int, int], None]
"""Called with (done, total) after each committed batch of a bulk issue."""
Within = Callable[[UnitOfWork, Sequence[str]], None]
"""Called in an issuing transaction with the new credentials' ids, before it commits."""

BATCH_SIZE = 500
"""Credentials issued per transaction in bulk (decision 0025): large enough that the per-transaction work
(lock, reads, list update, commit) vanishes next to signing, small enough that a crash loses a second or so
of work and the provider's lists are not locked for longer than that."""

MAX_CREDENTIALS_PAGE = 200
"""The most credentials one page may hold (listed without their documents); more is refused."""


def issue_for_enrolment(
    provider: str,
    reference: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    within: Within | None = None,
) -> Credential:
    """The credential for a passed enrolment of ``provider``: issued now, or the one issued before.

    ``within`` runs in the issuing transaction with the new credential's id (a job counts it there, once)."""
    with uow() as work:
        # first statement: serialises issuers of this provider
        work.credentials.lock_status_lists(provider, size=settings.status_list_size)
        existing = work.credentials.for_enrolment(provider, reference)
        if existing is not None:
            return existing
        awaiting = work.credentials.awaiting(provider, [reference])
        if not awaiting:  # another provider's enrolment is simply not found
            raise NotFound("no-enrolment", provider=provider, reference=reference)
        [credential] = _issue_awaiting(work, provider, awaiting, keys=keys, settings=settings, now=clock())
        if within is not None:
            within(work, [credential.uuid])
        work.commit()
    return credential


def _valid_until(valid_from: datetime, months: int | None) -> datetime | None:
    """``months`` calendar months later (31 January + 1 month = 28/29 February)."""
    if months is None:
        return None
    total = valid_from.month - 1 + months
    year, month = valid_from.year + total // 12, total % 12 + 1
    day = min(valid_from.day, calendar.monthrange(year, month)[1])
    return valid_from.replace(year=year, month=month, day=day)


def _shape(work: UnitOfWork, provider: str, edition_code: str, keys: KeyStore) -> tuple[Edition, Offering, str]:
    """What every credential of one edition shares: the edition, its offering (checked) and the awarding DID."""
    edition = work.editions.get(provider, edition_code)
    offering = work.offerings.get(provider, edition.offering_code)
    missing = check_eu_elements(offering)
    if missing:
        raise Invalid("eu-elements-missing", problems=missing, code=offering.code)
    if offering.awarding_provider != provider:
        work.providers.id_of(offering.awarding_provider)
    return edition, offering, keys.did(offering.awarding_provider)


def _issue_awaiting(
    work: UnitOfWork,
    provider: str,
    awaiting: Sequence[tuple[Enrolment, str | None]],
    *,
    keys: KeyStore,
    settings: Settings,
    now: datetime,
) -> list[Credential]:
    """Sign and store a credential for each enrolment (with its learner's address), in ``work``'s transaction,
    which holds the provider's status-list lock. Reads once per edition, draws all indexes at once, builds
    each edition's shared part of the documents once (:class:`OpenBadgeTemplate`) and stores every credential
    with one statement (decision 0025, 0036)."""
    for enrolment, _ in awaiting:
        if enrolment.outcome is not Outcome.PASSED:
            raise Conflict("enrolment-not-passed", reference=enrolment.reference, outcome=enrolment.outcome.value)
    shapes = {code: _shape(work, provider, code, keys) for code in sorted({e.edition_code for e, _ in awaiting})}
    issuer, issuer_did = work.providers.get(provider), keys.did(provider)
    draws = status_lists.draw_statuses(work, provider, len(awaiting), keys=keys, settings=settings, now=now)
    signing_key, method = keys.signing_key(work, provider, now)
    templates: dict[str, tuple[OpenBadgeTemplate, datetime | None]] = {}
    issued: list[Credential] = []
    for (enrolment, email), draw in zip(awaiting, draws, strict=True):
        edition, offering, awarding_did = shapes[enrolment.edition_code]
        uuid = credential_urn()
        built = templates.get(edition.code)
        valid_until = _valid_until(now, offering.validity_months) if built is None else built[1]
        award = Award(
            credential_id=uuid,
            provider=issuer,
            offering=offering,
            edition=edition,
            enrolment=enrolment,
            learner=LearnerIdentity(salt=secrets.token_hex(16), email=email, pseudonym=enrolment.learner),
            issuer_did=issuer_did,
            public_base_url=settings.public_base_url,
            issued_at=now,
            valid_from=now,
            valid_until=valid_until,
            # one entry, the OB 3.0 schema's one object: the message list at the revocation index (0015)
            status=[StatusEntry(StatusPurpose.MESSAGE, draw.index, draw.list_url)],
            awarding_body_did=awarding_did,
        )
        if built is None:
            built = templates[edition.code] = (OpenBadgeTemplate(award), valid_until)
        document = built[0].document(award)
        proof = open_badge_proof(document, signing_key=signing_key, verification_method=method, created=now)
        issued.append(
            Credential(
                uuid=uuid,
                provider=provider,
                enrolment_reference=enrolment.reference,
                offering_code=offering.code,
                edition_code=edition.code,
                learner=enrolment.learner,
                status_indexes={StatusPurpose.REVOCATION: draw.index, StatusPurpose.SUSPENSION: draw.index},
                status_list=draw.number,
                issued_at=now,
                valid_from=now,
                valid_until=valid_until,
                public_key_multibase=signing_key.public_key_multibase,
                # the signed document as sign_open_badge answers it, without copying or re-encoding shared parts
                document_json=built[0].signed_json(document, proof),
            )
        )
    work.credentials.add_many(issued)
    return issued


def issue_for_edition(
    provider: str,
    edition_code: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    progress: Progress | None = None,
    within: Within | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Issue a credential for every passed enrolment of the edition that has none, ``batch_size`` per
    transaction; ``progress`` hears after each batch. A crash loses at most the open batch, and running
    again issues what is still missing (decision 0025).

    Returns how many were issued, not the credentials: every caller wants the count (a job records the
    ids through ``within``), and keeping 300,000 signed documents until the end held 1.3 GB."""
    with uow() as work:
        references = work.credentials.passed_without_credential(provider, edition_code)
    issued = 0
    for start in range(0, len(references), batch_size):
        batch = references[start : start + batch_size]
        issued += _issue_batch(provider, batch, uow=uow, keys=keys, settings=settings, clock=clock, within=within)
        if progress is not None:
            progress(start + len(batch), len(references))
    return issued


def _issue_batch(
    provider: str,
    references: Sequence[str],
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    within: Within | None,
) -> int:
    """One transaction: the credentials of the enrolments among ``references`` that still need one; how many."""
    with uow() as work:
        work.credentials.lock_status_lists(provider, size=settings.status_list_size)
        # Read under the lock: an enrolment issued meanwhile (on its own, or by a run a crash ended) drops out,
        # and so does one whose outcome an import changed since the edition was read.
        found = work.credentials.awaiting(provider, references)
        awaiting = [(enrolment, email) for enrolment, email in found if enrolment.outcome is Outcome.PASSED]
        if not awaiting:
            return 0
        issued = _issue_awaiting(work, provider, awaiting, keys=keys, settings=settings, now=clock())
        if within is not None:
            within(work, [credential.uuid for credential in issued])
        work.commit()
    return len(issued)


def list_credentials(provider: str, *, uow: UnitOfWorkFactory) -> list[Credential]:
    """Every credential of the provider in the order of issue, however many."""
    with uow() as work:
        return list(work.credentials.iterate_for_provider(provider))


def credentials_page(
    provider: str,
    *,
    uow: UnitOfWorkFactory,
    state: CredentialState | None = None,
    edition: str | None = None,
    after: Position | None = None,
    limit: int,
) -> Page[Credential]:
    """One page of the provider's credentials, newest first; filter by state or edition code."""
    check_page_size(limit, MAX_CREDENTIALS_PAGE)
    with uow() as work:
        return work.credentials.page_for_provider(provider, state=state, edition=edition, after=after, limit=limit)


class Issuance:
    """The issuing use cases bound to one register (built once by bootstrap)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def _signing(self) -> dict[str, Any]:
        d = self._deps
        return {"uow": d.uow, "keys": d.keys, "settings": d.settings, "clock": d.clock}

    def issue_for_enrolment(self, provider: str, reference: str) -> Credential:
        return issue_for_enrolment(provider, reference, **self._signing())

    def issue_for_edition(self, provider: str, edition_code: str, *, progress: Progress | None = None) -> int:
        """How many credentials were issued for the edition's passed enrolments that had none."""
        return issue_for_edition(provider, edition_code, progress=progress, **self._signing())

    def get_credential(self, credential_id: str, *, provider: str | None = None) -> Credential:
        return get_credential(credential_id, uow=self._deps.uow, provider=provider)

    def list_credentials(self, provider: str) -> list[Credential]:
        return list_credentials(provider, uow=self._deps.uow)

    def credentials_page(
        self,
        provider: str,
        *,
        state: CredentialState | None = None,
        edition: str | None = None,
        after: Position | None = None,
        limit: int,
    ) -> Page[Credential]:
        return credentials_page(provider, uow=self._deps.uow, state=state, edition=edition, after=after, limit=limit)

    def change_state(
        self, credential_id: str, change: StateChange, reason: str, *, provider: str | None = None
    ) -> Credential:
        """Revoke (for good), suspend or unsuspend; the credential's status list is re-signed."""
        return status_lists.change_state(credential_id, change, reason, provider=provider, **self._signing())

    def revoke(self, credential_id: str, reason: str, *, provider: str | None = None) -> Credential:
        return self.change_state(credential_id, "revoke", reason, provider=provider)

    def suspend(self, credential_id: str, reason: str, *, provider: str | None = None) -> Credential:
        return self.change_state(credential_id, "suspend", reason, provider=provider)

    def unsuspend(self, credential_id: str, reason: str, *, provider: str | None = None) -> Credential:
        return self.change_state(credential_id, "unsuspend", reason, provider=provider)

    def status_list_document(self, provider: str, purpose: StatusPurpose | str, *, number: int = 1) -> dict[str, Any]:
        return status_lists.status_list_document(provider, purpose, self._deps.uow, number=number)

    def rotate_key(self, provider: str) -> str:
        return status_lists.rotate_key(provider, **self._signing())

    def credential_pdf(self, credential_id: str, *, lang: str = "nl", provider: str | None = None) -> bytes:
        d = self._deps
        return certificates.credential_pdf(
            credential_id, uow=d.uow, keys=d.keys, settings=d.settings, lang=lang, provider=provider
        )

    def elm_export(self, credential_id: str, *, provider: str | None = None) -> dict[str, Any]:
        d = self._deps
        return certificates.elm_export(credential_id, uow=d.uow, keys=d.keys, settings=d.settings, provider=provider)

    def credential_url(self, credential: Credential) -> str:
        """Where the credential's public page lives (``/credentials/{uuid}``)."""
        return credential_url(self._deps.public_base_url, credential.uuid)
