"""Issuing, revoking and suspending credentials, and keeping providers' status lists signed and current.

Crash safety: a credential's status indexes, its database row and its signed document are written in one
transaction, under a lock on the provider's status lists; either all of it is kept or none. Issuing is
idempotent: an enrolment has at most one credential, and asking again returns it. A provider's status lists
have no ceiling: indexes are drawn at random within a list, and a full list makes way for the next
(decision 0021).
"""

from __future__ import annotations

import calendar
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from microcred.credentials.cryptosuites import EDDSA_RDFC_2022
from microcred.credentials.elm import elm_document
from microcred.credentials.ob3 import (
    Award,
    LearnerIdentity,
    StatusEntry,
    open_badge_document,
    sign_open_badge,
    timestamp,
)
from microcred.credentials.pdf import certificate_pdf
from microcred.credentials.proofs import add_proof
from microcred.credentials.status_list import (
    MESSAGE_STATUS_SIZE,
    MINIMUM_BITS,
    StatusList,
    shuffled_indexes,
    status_list_credential,
)
from microcred.credentials.urls import credential_url, status_list_url, verify_page_url
from microcred.domain import (
    Credential,
    CredentialState,
    Outcome,
    Page,
    Position,
    StatusPurpose,
    check_eu_elements,
    check_page_size,
    credential_urn,
)
from microcred.errors import Conflict, Invalid, NotFound
from microcred.services.dependencies import Dependencies
from microcred.services.keys import KeyStore
from microcred.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from microcred.settings import Settings

__all__ = [
    "MAX_CREDENTIALS_PAGE",
    "Issuance",
    "Progress",
    "credential_pdf",
    "credential_url",
    "credentials_page",
    "elm_export",
    "get_credential",
    "issue_for_edition",
    "issue_for_enrolment",
    "list_credentials",
    "resign_status_lists",
    "revoke",
    "rotate_key",
    "status_list_document",
    "suspend",
    "unsuspend",
]

Progress = Callable[[int, int], None]
Within = Callable[[UnitOfWork, str], None]
"""Called in an issuing transaction with the new credential's id, before it commits."""
"""Called with (done, total) after each credential of a batch."""

MAX_CREDENTIALS_PAGE = 200
"""The most credentials one page may hold (listed without their documents); more is refused."""


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


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
        credential = _issue(work, provider, reference, keys=keys, settings=settings, now=clock())
        if within is not None:
            within(work, credential.uuid)
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


def _issue(
    work: UnitOfWork, provider: str, reference: str, *, keys: KeyStore, settings: Settings, now: datetime
) -> Credential:
    enrolment = work.enrolments.get(provider, reference)  # another provider's enrolment is simply not found
    if enrolment.outcome is not Outcome.PASSED:
        raise Conflict("enrolment-not-passed", reference=reference, outcome=enrolment.outcome.value)
    edition = work.editions.get(provider, enrolment.edition_code)
    offering = work.offerings.get(provider, edition.offering_code)
    missing = check_eu_elements(offering)
    if missing:
        raise Invalid("eu-elements-missing", problems=missing, code=offering.code)
    issuer = work.providers.get(provider)
    awarding_body = offering.awarding_provider
    if awarding_body != provider:
        work.providers.id_of(awarding_body)
    number, index = work.credentials.allocate_index(provider, size=settings.status_list_size, shuffled=shuffled_indexes)
    indexes = {StatusPurpose.REVOCATION: index, StatusPurpose.SUSPENSION: index}
    signing_key, method = keys.signing_key(work, provider, now)
    for purpose in work.credentials.unsigned_status_lists(provider, number):  # signed when the list opens
        _store_status_list(work, provider, purpose, number, keys=keys, settings=settings, now=now)
    uuid = credential_urn()
    valid_until = _valid_until(now, offering.validity_months)
    award = Award(
        credential_id=uuid,
        provider=issuer,
        offering=offering,
        edition=edition,
        enrolment=enrolment,
        learner=LearnerIdentity(
            salt=secrets.token_hex(16),
            email=work.learners.email_of(enrolment.learner, enrolment.provider),
            pseudonym=enrolment.learner,
        ),
        issuer_did=keys.did(provider),
        public_base_url=settings.public_base_url,
        issued_at=now,
        valid_from=now,
        valid_until=valid_until,
        status=[  # one entry, the OB 3.0 schema's one object: the message list at the revocation index (0015)
            StatusEntry(
                StatusPurpose.MESSAGE,
                index,
                status_list_url(settings.public_base_url, provider, StatusPurpose.MESSAGE, number),
            )
        ],
        awarding_body_did=keys.did(awarding_body),
    )
    signed = sign_open_badge(
        open_badge_document(award), signing_key=signing_key, verification_method=method, created=now
    )
    credential = Credential(
        uuid=uuid,
        provider=provider,
        enrolment_reference=reference,
        offering_code=offering.code,
        edition_code=edition.code,
        learner=enrolment.learner,
        status_indexes=indexes,
        status_list=number,
        issued_at=now,
        valid_from=now,
        valid_until=valid_until,
        public_key_multibase=signing_key.public_key_multibase,
        document_json=_json(signed),
    )
    work.credentials.add(credential)
    return credential


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
) -> list[Credential]:
    """Issue a credential for every passed enrolment of the edition that has none, one transaction each."""
    with uow() as work:
        references = work.credentials.passed_without_credential(provider, edition_code)
    issued: list[Credential] = []
    for done, reference in enumerate(references, start=1):
        issued.append(
            issue_for_enrolment(provider, reference, uow=uow, keys=keys, settings=settings, clock=clock, within=within)
        )
        if progress is not None:
            progress(done, len(references))
    return issued


def get_credential(credential_id: str, *, uow: UnitOfWorkFactory, provider: str | None = None) -> Credential:
    """One credential by id (``urn:uuid:…`` or the bare uuid); another provider's is not found."""
    with uow() as work:
        credential = work.credentials.get(credential_urn(credential_id))
    if provider is not None and credential.provider != provider:
        raise NotFound("no-credential", uuid=credential.uuid)
    return credential


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


def _store_status_list(
    work: UnitOfWork,
    provider: str,
    purpose: StatusPurpose,
    number: int,
    *,
    keys: KeyStore,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    """Regenerate and re-sign the provider's list ``number`` for ``purpose`` from the credentials' states."""
    # A bitstring never shorter than §6.1's minimum, even for a list of few credentials (a test's).
    length = max(MINIMUM_BITS, -(-work.credentials.status_list_size(provider, number) // 8) * 8)
    if purpose is StatusPurpose.MESSAGE:  # MESSAGE_STATUS_SIZE bits per credential, at its revocation index
        length *= MESSAGE_STATUS_SIZE
    bits = StatusList(length)
    for index in work.credentials.set_bits(provider, purpose, number):
        bits.set(index)
    unsigned = status_list_credential(
        url=status_list_url(settings.public_base_url, provider, purpose, number),
        issuer=keys.did(provider),
        status_list=bits,
        valid_from=timestamp(now),
        purpose=purpose.value,
    )
    signing_key, method = keys.signing_key(work, provider, now)
    signed = add_proof(
        unsigned, suite=EDDSA_RDFC_2022, signing_key=signing_key, verification_method=method, created=now
    )
    work.credentials.store_status_list_document(provider, purpose, _json(signed), number)
    return signed


def _change_state(
    credential_id: str,
    change: Callable[[Credential, datetime], None],
    purposes: tuple[StatusPurpose, ...],
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    provider: str | None,
) -> Credential:
    uuid = credential_urn(credential_id)
    with uow() as work:
        owner = work.credentials.get(uuid).provider
        if provider is not None and owner != provider:
            raise NotFound("no-credential", uuid=uuid)
        work.credentials.lock_status_lists(owner, size=settings.status_list_size)
        credential = work.credentials.get(uuid)  # read again under the lock
        now = clock()
        change(credential, now)
        work.credentials.save_state(credential)
        for purpose in purposes:  # only the list the credential is in changes
            _store_status_list(work, owner, purpose, credential.status_list, keys=keys, settings=settings, now=now)
        if credential.state is not CredentialState.ACTIVE:
            _flag_stacked(work, credential, keys=keys, settings=settings, now=now)
        work.commit()
    return credential


def _flag_stacked(
    work: UnitOfWork, component: Credential, *, keys: KeyStore, settings: Settings, now: datetime
) -> None:
    """Every stacked credential built on ``component`` goes under review, in the same transaction: it reads
    as suspended in its issuer's status lists until a person keeps or revokes it, never silently valid."""
    reason = f"component-{component.state.value}"
    for stacked in work.stacking.stacked_with_component(component.uuid):
        if not stacked.flag_for_review(reason, now):
            continue
        if stacked.provider != component.provider:
            work.credentials.lock_status_lists(stacked.provider, size=settings.status_list_size)
        work.stacking.save_stacked_state(stacked)
        resign_status_lists(work, stacked.provider, keys=keys, settings=settings, now=now)


def resign_status_lists(
    work: UnitOfWork,
    provider: str,
    *,
    keys: KeyStore,
    settings: Settings,
    now: datetime,
    purposes: tuple[StatusPurpose, ...] = (StatusPurpose.SUSPENSION, StatusPurpose.MESSAGE),
    numbers: tuple[int, ...] | None = None,
) -> None:
    """Regenerate and re-sign the provider's lists ``numbers`` (every list by default) for ``purposes`` (by
    default those a review changes)."""
    for number in work.credentials.status_list_numbers(provider) if numbers is None else numbers:
        for purpose in purposes:
            _store_status_list(work, provider, purpose, number, keys=keys, settings=settings, now=now)


def revoke(
    credential_id: str,
    reason: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    provider: str | None = None,
) -> Credential:
    """Revoke for good; every list is re-signed (a suspended credential leaves the suspension list)."""
    return _change_state(
        credential_id,
        lambda credential, now: credential.revoke(reason, now),
        tuple(StatusPurpose),
        uow=uow,
        keys=keys,
        settings=settings,
        clock=clock,
        provider=provider,
    )


def suspend(
    credential_id: str,
    reason: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    provider: str | None = None,
) -> Credential:
    return _change_state(
        credential_id,
        lambda credential, now: credential.suspend(reason, now),
        (StatusPurpose.SUSPENSION, StatusPurpose.MESSAGE),
        uow=uow,
        keys=keys,
        settings=settings,
        clock=clock,
        provider=provider,
    )


def unsuspend(
    credential_id: str,
    reason: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    clock: Clock,
    provider: str | None = None,
) -> Credential:
    return _change_state(
        credential_id,
        lambda credential, now: credential.unsuspend(reason, now),
        (StatusPurpose.SUSPENSION, StatusPurpose.MESSAGE),
        uow=uow,
        keys=keys,
        settings=settings,
        clock=clock,
        provider=provider,
    )


def status_list_document(
    provider: str, purpose: StatusPurpose | str, uow: UnitOfWorkFactory, *, number: int = 1
) -> dict[str, Any]:
    """The provider's signed status list credential ``number`` for ``purpose``, as served at its URL."""
    try:
        wanted = StatusPurpose(purpose)
    except ValueError:
        raise NotFound("no-status-list-purpose", purpose=purpose) from None
    with uow() as work:
        stored = work.credentials.status_list_document(provider, wanted, number)
    if stored is None:
        raise NotFound("no-status-list-yet", provider=provider, purpose=wanted.value)
    document: dict[str, Any] = json.loads(stored)
    return document


def rotate_key(provider: str, *, uow: UnitOfWorkFactory, keys: KeyStore, settings: Settings, clock: Clock) -> str:
    """Retire the provider's key and make a new one; re-sign its status lists. Returns the new public key."""
    with uow() as work:
        work.credentials.lock_status_lists(provider, size=settings.status_list_size)
        now = clock()
        record = keys.rotate(work, provider, now)
        for number in work.credentials.status_list_numbers(provider):
            for purpose in StatusPurpose:
                _store_status_list(work, provider, purpose, number, keys=keys, settings=settings, now=now)
        work.commit()
    return record.public_key_multibase


def _award_of(work: UnitOfWork, credential: Credential, *, keys: KeyStore, settings: Settings) -> Award:
    """The award behind a stored credential, for its learner copies (PDF, ELM)."""
    enrolment = work.enrolments.get(credential.provider, credential.enrolment_reference)
    edition = work.editions.get(credential.provider, credential.edition_code)
    offering = work.offerings.get(credential.provider, credential.offering_code)
    return Award(
        credential_id=credential.uuid,
        provider=work.providers.get(credential.provider),
        offering=offering,
        edition=edition,
        enrolment=enrolment,
        learner=LearnerIdentity(
            salt="", email=work.learners.email_of(enrolment.learner, enrolment.provider), pseudonym=enrolment.learner
        ),
        issuer_did=keys.did(credential.provider),
        public_base_url=settings.public_base_url,
        issued_at=credential.issued_at,
        valid_from=credential.valid_from,
        valid_until=credential.valid_until,
        status=[],
        awarding_body_did=keys.did(offering.awarding_provider),
    )


def credential_pdf(
    credential_id: str,
    *,
    uow: UnitOfWorkFactory,
    keys: KeyStore,
    settings: Settings,
    lang: str = "nl",
    provider: str | None = None,
) -> bytes:
    """The one-page PDF certificate; its QR code opens the verification page on the credential's JSON URL."""
    credential = get_credential(credential_id, uow=uow, provider=provider)
    with uow() as work:
        award = _award_of(work, credential, keys=keys, settings=settings)
    link = verify_page_url(settings.public_base_url, credential_url(settings.public_base_url, credential.uuid))
    return certificate_pdf(award, verify_url=link, lang=lang)


def elm_export(
    credential_id: str, *, uow: UnitOfWorkFactory, keys: KeyStore, settings: Settings, provider: str | None = None
) -> dict[str, Any]:
    """The credential as an unsigned ELM v3 / EDC document, with the PDF certificate as its display."""
    credential = get_credential(credential_id, uow=uow, provider=provider)
    with uow() as work:
        award = _award_of(work, credential, keys=keys, settings=settings)
    link = verify_page_url(settings.public_base_url, credential_url(settings.public_base_url, credential.uuid))
    language = "nl" if "nl" in award.offering.title.texts else "en"
    return elm_document(award, display_pdf=certificate_pdf(award, verify_url=link, lang=language))


class Issuance:
    """The issuing use cases bound to one register (built once by bootstrap)."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def _signing(self) -> dict[str, Any]:
        d = self._deps
        return {"uow": d.uow, "keys": d.keys, "settings": d.settings, "clock": d.clock}

    def issue_for_enrolment(self, provider: str, reference: str) -> Credential:
        return issue_for_enrolment(provider, reference, **self._signing())

    def issue_for_edition(
        self, provider: str, edition_code: str, *, progress: Progress | None = None
    ) -> list[Credential]:
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

    def revoke(self, credential_id: str, reason: str, *, provider: str | None = None) -> Credential:
        return revoke(credential_id, reason, provider=provider, **self._signing())

    def suspend(self, credential_id: str, reason: str, *, provider: str | None = None) -> Credential:
        return suspend(credential_id, reason, provider=provider, **self._signing())

    def unsuspend(self, credential_id: str, reason: str, *, provider: str | None = None) -> Credential:
        return unsuspend(credential_id, reason, provider=provider, **self._signing())

    def status_list_document(self, provider: str, purpose: StatusPurpose | str, *, number: int = 1) -> dict[str, Any]:
        return status_list_document(provider, purpose, self._deps.uow, number=number)

    def rotate_key(self, provider: str) -> str:
        return rotate_key(provider, **self._signing())

    def credential_pdf(self, credential_id: str, *, lang: str = "nl", provider: str | None = None) -> bytes:
        d = self._deps
        return credential_pdf(credential_id, uow=d.uow, keys=d.keys, settings=d.settings, lang=lang, provider=provider)

    def elm_export(self, credential_id: str, *, provider: str | None = None) -> dict[str, Any]:
        d = self._deps
        return elm_export(credential_id, uow=d.uow, keys=d.keys, settings=d.settings, provider=provider)

    def credential_url(self, credential: Credential) -> str:
        """Where the credential's public page lives (``/credentials/{uuid}``)."""
        return credential_url(self._deps.public_base_url, credential.uuid)
