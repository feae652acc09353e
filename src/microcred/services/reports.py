"""Reports over the register: the parliament report (written question 223), for the CLI, API and web UI."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Required, TypedDict, Unpack

from microcred.domain import AcademicYear, OfferingKind, ProviderType
from microcred.errors import Invalid
from microcred.services.dependencies import Dependencies
from microcred.services.ports import UnitOfWorkFactory
from microcred.stats import BROAD_KINDS, ParliamentReport, Scope, build_report
from microcred.stats.audit import Audit, audit
from microcred.stats.cache import cached_snapshot
from microcred.stats.parquet import FactsWritten, write_facts
from microcred.stats.recognition import Recognitions
from microcred.stats.render import FORMATS, render

__all__ = [
    "FORMATS",
    "ReportQuestion",
    "Reports",
    "audit_disclosure",
    "default_years",
    "export_facts",
    "parliament_report",
    "parliament_report_file",
    "publishable_scopes",
]

_HIGHER_EDUCATION = tuple(t.value for t in ProviderType if t.is_higher_education)


class ReportQuestion(TypedDict, total=False):
    """What a reader asks of the parliament report, as the CLI, API and web pass it: the academic years, and
    which providers and offer kinds (by default universities and university colleges, the broad EU reading)."""

    from_year: Required[AcademicYear | str]
    to_year: Required[AcademicYear | str]
    providers: Iterable[str]
    provider_types: Iterable[ProviderType | str]
    all_providers: bool
    kinds: Iterable[OfferingKind | str]


def parliament_report(
    uow: UnitOfWorkFactory,
    *,
    threshold: int = 5,
    current_year: AcademicYear | None = None,
    **asked: Unpack[ReportQuestion],
) -> ParliamentReport:
    """The parliament report for a range of academic years.

    ``current_year`` is the academic year in progress (the register's clock): in the range, its figures are
    marked incomplete and growth is measured only between complete years with data.

    By default it covers universities and university colleges (as the parliament asked) and the broad EU
    reading's offer kinds; ``all_providers`` widens it to every provider type. Every count of persons is
    taken from the register's protected copy, where groups of fewer than ``threshold`` learners
    (``settings.disclosure_threshold``) are rounded to 0 or ``threshold`` (docs/statistics.md).
    """
    first, last = _year(asked["from_year"], "from"), _year(asked["to_year"], "to")
    if last < first:
        raise Invalid.field("to", "before-from-year", str(last))
    if not last.start_year - first.start_year < 30:
        raise Invalid.field("to", "report-years-limit", str(last))
    if threshold < 1:
        raise Invalid.field("disclosure_threshold", "at-least", threshold, minimum=1)
    scope = _scope(
        first.start_year,
        last.start_year,
        asked.get("providers", ()),
        asked.get("provider_types", ()),
        asked.get("all_providers", False),
        asked.get("kinds", ()),
    )
    with uow() as work:  # the copy is taken again only when the register changed (stats.cache)
        snapshot = cached_snapshot(work.statistics)
        secret = work.statistics.rounding_secret()
        recognitions = Recognitions.read(work.statistics.recognitions())
    in_progress = current_year.start_year if current_year is not None else None
    try:
        return build_report(
            snapshot, scope, k=threshold, secret=secret, in_progress=in_progress, recognitions=recognitions
        )
    finally:
        snapshot.close()


def default_years(
    uow: UnitOfWorkFactory, *, current_year: AcademicYear, count: int = 5
) -> tuple[AcademicYear, AcademicYear]:
    """The range a report shows unless asked otherwise: the last ``count`` academic years up to
    ``current_year`` in which some provider registered an edition (a new academic year without data yet
    would otherwise read as a collapse); the ``count`` years up to ``current_year`` when there is no data."""
    with uow() as work:
        snapshot = cached_snapshot(work.statistics)
    try:
        found = [y for y in snapshot.years_with_data() if y <= current_year.start_year][-count:]
    finally:
        snapshot.close()
    if not found:
        return AcademicYear(current_year.start_year - count + 1), current_year
    return AcademicYear(found[0]), AcademicYear(found[-1])


def export_facts(uow: UnitOfWorkFactory, directory: Path) -> FactsWritten:
    """Write the register's statistics facts (the snapshot's tables, learners by register id) to ``directory`` as
    a Parquet dataset partitioned by academic year and provider, replacing an earlier export there
    (``stats.parquet``). The facts are not protected for disclosure: for the statistics office, not publication."""
    with uow() as work:
        snapshot = cached_snapshot(work.statistics)
    try:
        return write_facts(snapshot, directory)
    finally:
        snapshot.close()


def publishable_scopes(providers: Iterable[str]) -> list[tuple[str, Scope]]:
    """Every scope the web page, the API and the CLI offer, labelled: the web's provider-type and kind
    filters (the API's two scopes are among them) and each provider on its own (the CLI's ``--provider``)."""
    found: list[tuple[str, Scope]] = []
    for types in ("", "all", *(t.value for t in ProviderType)):
        for kind in ("", *(k.value for k in OfferingKind)):
            label = f"provider_type={types or 'higher-education'}, kind={kind or 'broad'}"
            chosen = (types,) if types not in ("", "all") else ()
            found.append((label, _scope(0, 0, (), chosen, types == "all", (kind,) if kind else ())))
    found += [(f"provider={slug}", _scope(0, 0, (slug,), (), True, ())) for slug in providers]
    return found


def audit_disclosure(uow: UnitOfWorkFactory, *, threshold: int = 5) -> Audit:
    """Attack every publishable output of the register (``stats.audit``), the recognition section included:
    each count of fewer than ``threshold`` learners must keep at least ``threshold - 1`` possible values."""
    with uow() as work:
        snapshot = cached_snapshot(work.statistics)
        secret = work.statistics.rounding_secret()
        slugs = [provider.slug for provider in work.providers.all()]
        recognitions = Recognitions.read(work.statistics.recognitions())
    try:
        return audit(snapshot, publishable_scopes(slugs), k=threshold, secret=secret, recognitions=recognitions)
    finally:
        snapshot.close()


def _scope(
    first: int,
    last: int,
    providers: Iterable[str],
    provider_types: Iterable[ProviderType | str],
    all_providers: bool,
    kinds: Iterable[OfferingKind | str],
) -> Scope:
    types = tuple(_code(ProviderType, t, "provider_type") for t in provider_types)
    if all_providers:
        types = tuple(t.value for t in ProviderType)
    return Scope(
        from_year=first,
        to_year=last,
        provider_types=types or _HIGHER_EDUCATION,
        kinds=tuple(_code(OfferingKind, k, "kind") for k in kinds) or BROAD_KINDS,
        providers=tuple(providers),
    )


def parliament_report_file(
    uow: UnitOfWorkFactory,
    *,
    fmt: str,
    lang: str = "nl",
    threshold: int = 5,
    current_year: AcademicYear | None = None,
    **asked: Unpack[ReportQuestion],
) -> bytes:
    """The parliament report (see ``parliament_report``) published as one file: ``fmt`` is html, pdf, xlsx,
    csv or json (``FORMATS``), ``lang`` Dutch (``nl``) or English (``en``). What the CLI writes, the API
    answers and the web dashboard shows or offers for download."""
    report = parliament_report(uow, threshold=threshold, current_year=current_year, **asked)
    return render(report, fmt, lang)


def _year(value: AcademicYear | str, name: str) -> AcademicYear:
    if isinstance(value, AcademicYear):
        return value
    try:
        return AcademicYear.parse(value)
    except Invalid as error:
        raise Invalid.field(name, "academic-year-like", value) from error


def _code(enum: type[ProviderType] | type[OfferingKind], value: str, name: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise Invalid.field(name, "one-of", value, allowed=allowed) from None


class Reports:
    """The parliament report, bound to one register and its disclosure threshold."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    def parliament_report(self, **asked: Unpack[ReportQuestion]) -> ParliamentReport:
        threshold = self._deps.settings.disclosure_threshold
        return parliament_report(self._deps.uow, threshold=threshold, current_year=self.current_year(), **asked)

    def parliament_report_file(self, *, fmt: str, lang: str = "nl", **asked: Unpack[ReportQuestion]) -> bytes:
        threshold = self._deps.settings.disclosure_threshold
        return parliament_report_file(
            self._deps.uow, fmt=fmt, lang=lang, threshold=threshold, current_year=self.current_year(), **asked
        )

    def default_years(self) -> tuple[AcademicYear, AcademicYear]:
        """The last five academic years with data up to the one the register's clock is in."""
        return default_years(self._deps.uow, current_year=self.current_year())

    def audit_disclosure(self) -> Audit:
        """Attack every publishable output of the register with its disclosure threshold."""
        return audit_disclosure(self._deps.uow, threshold=self._deps.settings.disclosure_threshold)

    def export_facts(self, directory: Path) -> FactsWritten:
        """Write the statistics facts as a Parquet dataset (see ``export_facts``)."""
        return export_facts(self._deps.uow, directory)

    def current_year(self) -> AcademicYear:
        """The academic year the register's clock is in."""
        return AcademicYear.of(self._deps.clock().date())
