"""A learner's copies of an issued credential: the PDF certificate and the ELM v3 / EDC export.

Both are rebuilt from the register's records of the award, not from the signed document, so they speak
the offering's own languages; the PDF's QR code opens the verification page on the credential's URL.
"""

from __future__ import annotations

from typing import Any

from microcred.credentials.elm import elm_document
from microcred.credentials.ob3 import Award, LearnerIdentity
from microcred.credentials.pdf import certificate_pdf
from microcred.credentials.urls import credential_url, verify_page_url
from microcred.domain import Credential, credential_urn
from microcred.errors import NotFound
from microcred.services.keys import KeyStore
from microcred.services.ports import UnitOfWork, UnitOfWorkFactory
from microcred.settings import Settings

__all__ = ["credential_pdf", "elm_export", "get_credential"]


def get_credential(credential_id: str, *, uow: UnitOfWorkFactory, provider: str | None = None) -> Credential:
    """One credential by id (``urn:uuid:…`` or the bare uuid); another provider's is not found."""
    with uow() as work:
        credential = work.credentials.get(credential_urn(credential_id))
    if provider is not None and credential.provider != provider:
        raise NotFound("no-credential", uuid=credential.uuid)
    return credential


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
