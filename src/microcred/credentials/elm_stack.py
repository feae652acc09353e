"""The stacked credential as a European Digital Credential (ELM v3, EDC profile), unsigned.

The larger credential is a ``LearningAchievement`` specified by a ``Qualification``; each component is a
``LearningAchievement`` in its ``hasPart`` that points back with ``isPartOf``, specified by the component's
own (partial) ``Qualification``, itself in the larger qualification's ``hasPart``. Each component names the
credential that proves it by its id (its one ``identifier``), and the component's ``AwardingProcess`` by two
``Identifier`` s: that id and its ``digestSRI`` (as the ClrCredential's ``relatedResource`` does). A node
pointed at from elsewhere repeats the properties the EBSI JSON Schema requires of it (decision 0029).

Each component ``entitlesTo`` one ``LearningEntitlement``: the right to the larger credential, granted by
its awarding provider on the issue date and ``entitledBy`` every component. It has no ``specifiedBy``: a
``LearningEntitlementSpecification`` needs an entitlement-status concept whose EU vocabulary is not shipped
here (decision 0028).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from microcred.credentials.clr import StackAward
from microcred.credentials.elm import (
    _ECTS_SCHEME,
    _GENERIC_PROFILE,
    _PROFILE_SCHEME,
    ECTS_FRAMEWORK,
    EDC_SHACL_PROFILE,
    _concept,
    _display,
    _fixed_concept,
    _legal_identifier,
    _organisation,
)
from microcred.credentials.loader import ELM_CONTEXT_URL, MICROCRED_ELM_CONTEXT_URL, VC_V2_CONTEXT_URL
from microcred.credentials.ob3 import timestamp
from microcred.domain import Provider
from microcred.errors import Invalid
from microcred.i18n import LANGUAGES, translate

__all__ = ["ElmStackPart", "stacked_elm_document"]

_STACK = "urn:epass:learningAchievement:stack"
_ENTITLEMENT = "urn:epass:learningEntitlement:stack"


@dataclass(frozen=True, slots=True)
class ElmStackPart:
    """A component for the ELM export: its provider (the awarding body) and its DID."""

    provider: Provider
    did: str
    offering_code: str
    eqf_level: int | None


def _credit(ects: Any, suffix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"urn:epass:creditPoint:{suffix}",
            "type": "CreditPoint",
            "framework": _fixed_concept(ECTS_FRAMEWORK, _ECTS_SCHEME, "European Credit Transfer System"),
            "point": format(ects, "f"),
        }
    ]


def _awarded(provider: Provider, did: str, suffix: str, at: str | None = None) -> dict[str, Any]:
    process: dict[str, Any] = {
        "id": f"urn:epass:awardingProcess:{suffix}",
        "type": "AwardingProcess",
        "awardingBody": [_organisation(provider, did)],
    }
    if at is not None:
        process["awardingDate"] = at
    return process


def _stack_qualification(award: StackAward) -> dict[str, Any]:
    """The larger credential's ``Qualification``; its ``hasPart`` is added once the components exist."""
    qualification: dict[str, Any] = {
        "id": f"urn:epass:qualification:stack:{award.provider}:{award.rule_code}",
        "type": "Qualification",
        "title": award.title.as_dict(),
    }
    if award.eqf_level is not None:
        qualification["eqfLevel"] = _concept("eqf", str(award.eqf_level))
    if award.ects is not None:
        qualification["creditPoint"] = _credit(award.ects, "stack")
    qualification["isPartialQualification"] = True
    return qualification


def _reference(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` where another node points at it: its id with the properties the EBSI EDC JSON Schema requires
    of every embedded object (a ``Qualification`` its ``title``, a ``LearningAchievement`` also its
    ``awardedBy``). In JSON-LD they are the same triples as the node's own, so the graph does not change."""
    return {key: node[key] for key in ("id", "type", "title", "awardedBy") if key in node}


def _entitlement(award: StackAward, provider: Provider, parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The right the components gave the learner: to be awarded the larger credential (ELM
    ``LearningEntitlement``: a right "as a result of the acquisition of knowledge, skills …"), which the
    awarding provider granted when it issued the stacked credential."""
    issued = timestamp(award.issued_at)
    titles = award.title.as_dict()
    return {
        "id": _ENTITLEMENT,
        "type": "LearningEntitlement",
        "title": {
            lang: translate("credential.elm.stack-entitlement", lang if lang in LANGUAGES else "en", title=title)
            for lang, title in titles.items()
        },
        "dateIssued": issued,
        "awardedBy": _awarded(provider, award.issuer_did, "entitlement", issued),
        "entitledBy": [_reference(part) for part in parts],
    }


def _part(award: StackAward, number: int, extra: ElmStackPart, stack: dict[str, Any]) -> dict[str, Any]:
    """Component ``number``, pointing back at the ``stack`` achievement; its ``entitlesTo`` is added once
    every component exists (the entitlement names them all)."""
    part = award.parts[number - 1]
    qualification: dict[str, Any] = {
        "id": f"urn:epass:qualification:{extra.provider.slug}:{extra.offering_code}",
        "type": "Qualification",
        "title": part.title.as_dict(),
        "isPartOf": [_reference(stack["specifiedBy"])],
        "isPartialQualification": True,
    }
    if extra.eqf_level is not None:
        qualification["eqfLevel"] = _concept("eqf", str(extra.eqf_level))
    if part.ects is not None:
        qualification["creditPoint"] = _credit(part.ects, f"part:{number}")
    # The EBSI JSON Schema allows one identifier on a LearningAchievement (the SHACL shapes any number): the
    # component credential's id; its process of awarding, which that credential records, carries the id and
    # the digestSRI that fixes the credential's exact bytes (decision 0029).
    credential = {
        "id": f"urn:epass:identifier:part:{number}",
        "type": "Identifier",
        "notation": part.credential_id,
        "schemeName": "credential id",
    }
    digest = {
        "id": f"urn:epass:identifier:part:{number}:digest",
        "type": "Identifier",
        "notation": part.digest,
        "schemeName": "digestSRI",
    }
    awarded = _awarded(extra.provider, extra.did, f"part:{number}")
    return {
        "id": f"urn:epass:learningAchievement:part:{number}",
        "type": "LearningAchievement",
        "title": part.title.as_dict(),
        "identifier": credential,
        "awardedBy": {**awarded, "identifier": [credential, digest]},
        "specifiedBy": qualification,
        "isPartOf": [_reference(stack)],
    }  # fmt: skip


def stacked_elm_document(
    award: StackAward, provider: Provider, parts: Sequence[ElmStackPart], *, display_pdf: bytes | None = None
) -> dict[str, Any]:
    """The EDC-profile ELM v3 document of a stacked credential issued by ``provider``; ``display_pdf`` is
    its one-page certificate (the EDC shapes want one display)."""
    if not provider.kbo_number:
        raise Invalid.field("kbo_number", "elm-needs-kbo-number", None, provider=provider.slug)
    issuer = _organisation(provider, award.issuer_did)
    issuer["eIDASIdentifier"] = _legal_identifier(provider)
    issued = timestamp(award.issued_at)
    achievement: dict[str, Any] = {
        "id": _STACK,
        "type": "LearningAchievement",
        "title": award.title.as_dict(),
        "awardedBy": _awarded(provider, award.issuer_did, "stack", issued),
        "specifiedBy": _stack_qualification(award),
    }
    components = [_part(award, number, extra, achievement) for number, extra in enumerate(parts, start=1)]
    entitlement = _entitlement(award, provider, components)
    for component in components:
        component["entitlesTo"] = [entitlement]
    achievement["specifiedBy"]["hasPart"] = [_reference(component["specifiedBy"]) for component in components]
    achievement["hasPart"] = components
    return {
        "@context": [VC_V2_CONTEXT_URL, ELM_CONTEXT_URL, MICROCRED_ELM_CONTEXT_URL],
        "id": award.credential_id,
        "type": ["VerifiableCredential", "VerifiableAttestation", "EuropeanDigitalCredential"],
        "credentialSchema": [{"id": EDC_SHACL_PROFILE, "type": "ShaclValidator2017"}],
        "credentialProfiles": [_fixed_concept(_GENERIC_PROFILE, _PROFILE_SCHEME, "Generic")],
        "displayParameter": _display(award.title, display_pdf),
        "issuer": issuer,
        "issued": issued,
        "validFrom": issued,
        "credentialSubject": {"id": f"{award.credential_id}#learner", "type": "Person", "hasClaim": [achievement]},
    }
