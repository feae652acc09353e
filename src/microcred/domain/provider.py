"""Providers of micro-credentials and the quality assurance that makes them trusted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from microcred.domain.codes import ProviderType, QaKind
from microcred.domain.values import LangText
from microcred.errors import FieldProblem, Invalid
from microcred.vocab import vocabulary

__all__ = ["SLUG_PATTERN", "Provider", "QualityAssurance", "any_covers", "is_trusted", "validate_slug"]

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
_SLUG = re.compile(SLUG_PATTERN)
_KBO = re.compile(r"^0?\d{3}\.?\d{3}\.?\d{3}$")


def validate_slug(slug: str, *, field_name: str = "slug") -> str:
    """A provider's short, URL-safe key (``kuleuven``); also used in its did:web identifier."""
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise Invalid.field(field_name, "slug-format", slug)
    return slug


@dataclass(frozen=True, slots=True)
class QualityAssurance:
    """One quality-assurance record: which agency reviewed the provider or programme, and for how long."""

    agency: str
    kind: QaKind
    valid_from: date
    valid_until: date | None = None
    reference: str | None = None  # decision or report URL
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.agency or not self.agency.strip():
            raise Invalid.field("agency", "qa-agency-required")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise Invalid.field("valid_until", "before-valid-from", self.valid_until.isoformat())

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(slots=True)
class Provider:
    """An institution or organisation that offers micro-credentials and awards them."""

    slug: str
    name: LangText
    type: ProviderType
    country: str = "BE"
    short_name: LangText = field(default_factory=LangText.of)
    region: str | None = None  # NUTS code, e.g. BE24
    kbo_number: str | None = None  # Belgian enterprise number
    erasmus_code: str | None = None
    schac_code: str | None = None
    web_domain: str | None = None
    quality_assurances: list[QualityAssurance] = field(default_factory=list)
    id: int | None = None

    def problems(self) -> list[FieldProblem]:
        """Everything wrong with this provider record, empty when it may be stored."""
        found: list[FieldProblem] = []
        try:
            validate_slug(self.slug)
        except Invalid as error:
            found.extend(error.problems)
        if not self.name:
            found.append(FieldProblem("name", "name-required"))
        if self.country not in vocabulary("countries"):
            found.append(FieldProblem("country", "country-format", self.country))
        if self.region is not None and self.region not in vocabulary("nuts-be"):
            found.append(FieldProblem("region", "region-format", self.region))
        if self.kbo_number is not None and not _KBO.match(self.kbo_number):
            found.append(FieldProblem("kbo_number", "kbo-format", self.kbo_number))
        if self.web_domain is not None and ("/" in self.web_domain or "." not in self.web_domain):
            found.append(FieldProblem("web_domain", "domain-format", self.web_domain))
        return found

    def validate(self) -> Provider:
        found = self.problems()
        if found:
            raise Invalid("provider-invalid", problems=found, slug=self.slug)
        return self


def is_trusted(provider: Provider, on: date) -> bool:
    """A provider is trusted on a day when one of its quality-assurance records is valid that day."""
    return any_covers(provider.quality_assurances, on)


def any_covers(records: Iterable[QualityAssurance], on: date) -> bool:
    """The trust rule on a provider's records alone (a verification reads only these)."""
    return any(record.covers(on) for record in records)
