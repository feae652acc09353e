"""The four file layouts (providers, offerings, editions, enrolments), each defined once.

A :class:`Layout` lists its columns (English name, Dutch alias, kind, vocabulary, help, example) and
knows how a row of parsed values becomes a domain record and how a record becomes cells again. The
reader, the writer, the templates and ``docs/import.md`` are all generated from these definitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from microcred.errors import FieldProblem, Invalid
from microcred.io import _records
from microcred.io.cells import (
    CellError,
    Kind,
    Problem,
    parse_code,
    parse_date,
    parse_ects,
    parse_integer,
    split_list,
)

__all__ = ["LAYOUTS", "Column", "Layout", "ParseContext", "RowInvalid", "layout", "normalise_header"]

T = TypeVar("T")
HIDDEN = "(hidden)"


def normalise_header(text: str) -> str:
    """A header as compared with column names: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a layout."""

    name: str
    nl: str  # the Dutch alias, accepted in headers like the English name
    kind: Kind
    help_en: str
    help_nl: str
    example: str = ""
    required: bool = False
    vocab: str | None = None
    max_length: int | None = None
    secret: bool = False  # never echoed in reports or rejected-rows files (learner identifiers)
    exported: bool = True  # written by exports (learner_id is input only)
    in_template: bool = True

    def parse(self, cell: str) -> Any:
        """The typed value of a non-empty cell; CellError with the reason otherwise."""
        if self.kind is Kind.TEXT:
            if self.max_length is not None and len(cell) > self.max_length:
                raise CellError("too-long", limit=self.max_length)
            return cell
        if self.kind is Kind.CODE:
            return parse_code(cell, self.vocab or "")
        if self.kind is Kind.CODES:
            return [parse_code(item, self.vocab or "") for item in split_list(cell) if item]
        if self.kind is Kind.TEXTS:
            return split_list(cell)
        if self.kind is Kind.DATES:
            return [parse_date(item) if item else None for item in split_list(cell)]
        if self.kind is Kind.INTEGER:
            return parse_integer(cell)
        if self.kind is Kind.ECTS:
            return parse_ects(cell)
        return parse_date(cell)

    @property
    def empty(self) -> Any:
        return [] if self.kind in (Kind.CODES, Kind.TEXTS, Kind.DATES) else None


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What reading a row needs besides the row: the pepper for learner ids and the tenancy restriction."""

    pepper: str
    provider: str | None = None  # only rows of this provider are accepted; blank provider cells get it


class RowInvalid(Exception):
    """A row that cannot become a record; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Layout(Generic[T]):
    """A file layout: its columns and the two conversions between rows and domain records."""

    kind: str
    title_en: str
    title_nl: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    build: Callable[[Mapping[str, Any], ParseContext], T]
    cells: Callable[[T], dict[str, str]]
    field_columns: Mapping[str, str] = field(default_factory=dict)  # domain field -> column

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def exported_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.exported)

    @property
    def template_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_template)

    def header_names(self) -> dict[str, str]:
        """Every accepted header spelling (normalised) -> column name."""
        names: dict[str, str] = {}
        for column in self.columns:
            names[normalise_header(column.name)] = column.name
            names[normalise_header(column.nl)] = column.name
        return names

    def parse_row(self, cells: Mapping[str, str], row: int, context: ParseContext) -> T:
        """The record a row describes; RowInvalid listing every problem when it has any."""
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for column in self.columns:
            cell = cells.get(column.name, "")
            shown = HIDDEN if column.secret else cell
            if not cell:
                if column.required and not (column.name == "provider" and context.provider):
                    problems.append(Problem(row, column.name, None, "required"))
                values[column.name] = column.empty
                continue
            try:
                values[column.name] = column.parse(cell)
            except CellError as error:
                problems.append(Problem(row, column.name, shown, error.code, error.params))
        if problems:
            raise RowInvalid(problems)
        owner_column = "slug" if self.kind == "providers" else "provider"
        owner = values.get(owner_column) or context.provider
        values[owner_column] = owner
        if context.provider and owner != context.provider:
            restricted = Problem(row, owner_column, owner, "provider-restricted", {"provider": context.provider})
            raise RowInvalid([restricted])
        try:
            return self.build(values, context)
        except Invalid as error:
            raise RowInvalid(
                [
                    self._problem(row, cells, p)
                    for p in error.problems or [FieldProblem("", error.reason, params=error.params)]
                ]
            ) from None
        except CellError as error:
            raise RowInvalid([Problem(row, self.key[-1], None, error.code, error.params)]) from None

    def _problem(self, row: int, cells: Mapping[str, str], problem: FieldProblem) -> Problem:
        name = problem.field.split("[")[0]
        column = self.field_columns.get(name, name)
        if column not in {c.name for c in self.columns}:
            column = self.key[-1]
        secret = self.column(column).secret
        value = cells.get(column) or (None if problem.value is None else str(problem.value))
        return Problem(row, column, HIDDEN if secret and value else value, problem.code, problem.params)


def _c(name: str, nl: str, kind: Kind, en_help: str, nl_help: str, example: str = "", **options: Any) -> Column:
    return Column(name, nl, kind, en_help, nl_help, example, **options)


PROVIDERS: Layout[Any] = Layout(
    kind="providers",
    title_en="Providers and their quality assurance",
    title_nl="Aanbieders en hun kwaliteitszorg",
    key=("slug",),
    columns=(
        _c(
            "slug",
            "sleutel",
            Kind.TEXT,
            "Short key: lowercase letters, digits, dashes.",
            "Korte sleutel: kleine letters, cijfers, streepjes.",
            "ugent",
            required=True,
            max_length=64,
        ),
        _c(
            "name_nl",
            "naam_nl",
            Kind.TEXT,
            "Official name in Dutch.",
            "Officiële naam in het Nederlands.",
            "Universiteit Gent",
            max_length=500,
        ),
        _c(
            "name_en",
            "naam_en",
            Kind.TEXT,
            "Official name in English.",
            "Officiële naam in het Engels.",
            "Ghent University",
            max_length=500,
        ),
        _c(
            "short_name_nl",
            "korte_naam_nl",
            Kind.TEXT,
            "Short name in Dutch.",
            "Korte naam in het Nederlands.",
            "UGent",
            max_length=100,
        ),
        _c(
            "short_name_en",
            "korte_naam_en",
            Kind.TEXT,
            "Short name in English.",
            "Korte naam in het Engels.",
            "",
            max_length=100,
        ),
        _c(
            "type",
            "type_instelling",
            Kind.CODE,
            "Kind of provider.",
            "Soort aanbieder.",
            "university",
            required=True,
            vocab="provider-types",
        ),
        _c(
            "country",
            "land",
            Kind.CODE,
            "ISO 3166-1 country; BE when empty.",
            "ISO 3166-1-land; BE als leeg.",
            "BE",
            vocab="countries",
        ),
        _c("region", "regio", Kind.CODE, "Belgian NUTS/ATU region.", "Belgische NUTS/ATU-regio.", "", vocab="nuts-be"),
        _c(
            "kbo_number",
            "ondernemingsnummer",
            Kind.TEXT,
            "Belgian enterprise number.",
            "Ondernemingsnummer (KBO).",
            "0248.015.142",
            max_length=16,
        ),
        _c(
            "erasmus_code",
            "erasmuscode",
            Kind.TEXT,
            "Erasmus institution code.",
            "Erasmus-instellingscode.",
            "B  GENT01",
            max_length=32,
        ),
        _c(
            "schac_code",
            "schaccode",
            Kind.TEXT,
            "SCHAC home organisation.",
            "SCHAC-thuisorganisatie.",
            "ugent.be",
            max_length=128,
        ),
        _c("web_domain", "webdomein", Kind.TEXT, "Web domain.", "Webdomein.", "ugent.be", max_length=128),
        _c(
            "qa_agency",
            "kz_organisatie",
            Kind.TEXTS,
            "Quality-assurance agencies, one per record, separated by |.",
            "Kwaliteitszorgorganisaties, één per record, gescheiden door |.",
            "NVAO",
        ),
        _c(
            "qa_kind",
            "kz_soort",
            Kind.CODES,
            "Kind of each QA record.",
            "Soort van elk kwaliteitszorgrecord.",
            "institutional-review",
            vocab="qa-kinds",
        ),
        _c(
            "qa_valid_from",
            "kz_geldig_vanaf",
            Kind.DATES,
            "First day each record is valid.",
            "Eerste geldige dag van elk record.",
            "2015-09-01",
        ),
        _c(
            "qa_valid_until",
            "kz_geldig_tot",
            Kind.DATES,
            "Last day each record is valid (may be empty).",
            "Laatste geldige dag van elk record (mag leeg).",
            "2029-08-31",
        ),
        _c(
            "qa_reference",
            "kz_referentie",
            Kind.TEXTS,
            "Decision or report URL of each record.",
            "Besluit of rapport (URL) van elk record.",
            "",
        ),
    ),
    build=_records.build_provider,
    cells=_records.provider_cells,
    field_columns={"name": "name_nl", "agency": "qa_agency", "valid_until": "qa_valid_until", "kind": "qa_kind"},
)


def _provider_column() -> Column:
    """The provider slug column every provider-owned layout starts with."""
    return _c(
        "provider",
        "aanbieder",
        Kind.TEXT,
        "Provider slug (may be left out with --provider).",
        "Sleutel van de aanbieder (mag leeg met --provider).",
        "ugent",
        required=True,
        max_length=64,
    )


OFFERINGS: Layout[Any] = Layout(
    kind="offerings",
    title_en="Offerings with the EU standard elements",
    title_nl="Aanbod met de Europese standaardelementen",
    key=("provider", "code"),
    columns=(
        _provider_column(),
        _c(
            "code",
            "code",
            Kind.TEXT,
            "The provider's own code, unique per provider.",
            "Eigen code van de aanbieder, uniek per aanbieder.",
            "MC-DISINFO",
            required=True,
            max_length=64,
        ),
        _c(
            "kind",
            "soort",
            Kind.CODE,
            "Kind of offering.",
            "Soort aanbod.",
            "micro-credential",
            required=True,
            vocab="offering-kinds",
        ),
        _c(
            "status",
            "status",
            Kind.CODE,
            "draft, published or withdrawn; published needs every EU element.",
            "ontwerp, gepubliceerd of ingetrokken; publiceren vraagt elk EU-element.",
            "published",
            required=True,
            vocab="offering-statuses",
        ),
        _c(
            "title_nl",
            "titel_nl",
            Kind.TEXT,
            "Title in Dutch (EU: title).",
            "Titel in het Nederlands (EU: titel).",
            "Desinformatie herkennen",
            max_length=500,
        ),
        _c(
            "title_en",
            "titel_en",
            Kind.TEXT,
            "Title in English.",
            "Titel in het Engels.",
            "Recognising disinformation",
            max_length=500,
        ),
        _c(
            "description_nl",
            "beschrijving_nl",
            Kind.TEXT,
            "Description in Dutch.",
            "Beschrijving in het Nederlands.",
            "",
        ),
        _c(
            "description_en", "beschrijving_en", Kind.TEXT, "Description in English.", "Beschrijving in het Engels.", ""
        ),
        _c(
            "awarding_body",
            "toekennende_instelling",
            Kind.TEXT,
            "Slug of the awarding body when not the provider.",
            "Sleutel van de toekennende instelling als die niet de aanbieder is.",
            "",
            max_length=64,
        ),
        _c(
            "issuer_country",
            "land_uitreiker",
            Kind.CODE,
            "Country of the issuer (EU element).",
            "Land van de uitreiker (EU-element).",
            "BE",
            vocab="countries",
        ),
        _c(
            "learning_outcomes_nl",
            "leerresultaten_nl",
            Kind.TEXTS,
            "Learning outcomes in Dutch, separated by |.",
            "Leerresultaten in het Nederlands, gescheiden door |.",
            "Nepnieuws herkennen | Bronnen controleren",
        ),
        _c(
            "learning_outcomes_en",
            "leerresultaten_en",
            Kind.TEXTS,
            "The same outcomes in English, in the same order.",
            "Dezelfde leerresultaten in het Engels, in dezelfde volgorde.",
            "Recognise fake news | Check sources",
        ),
        _c(
            "learning_outcomes_esco",
            "leerresultaten_esco",
            Kind.TEXTS,
            "ESCO skill URI of each outcome (may be empty).",
            "ESCO-vaardigheid (URI) van elk leerresultaat (mag leeg).",
            "",
        ),
        _c(
            "ects",
            "studiepunten",
            Kind.ECTS,
            "Workload in ECTS credits (EU: workload).",
            "Studieomvang in studiepunten (EU: studielast).",
            "5",
        ),
        _c("hours", "uren", Kind.INTEGER, "Notional learning hours.", "Begrote studie-uren.", ""),
        _c(
            "eqf_level",
            "eqf_niveau",
            Kind.CODE,
            "EQF level 1-8 (EU: level).",
            "EQF-niveau 1-8 (EU: niveau).",
            "6",
            vocab="eqf",
        ),
        _c(
            "vks_level",
            "vks_niveau",
            Kind.CODE,
            "Flemish qualifications framework level.",
            "Niveau in de Vlaamse kwalificatiestructuur.",
            "6",
            vocab="vks",
        ),
        _c(
            "isced_field",
            "isced_studiegebied",
            Kind.CODE,
            "ISCED-F 2013 field (code or label).",
            "ISCED-F 2013-studiegebied (code of label).",
            "0321",
            vocab="isced-f",
        ),
        _c(
            "assessment_type",
            "beoordelingsvorm",
            Kind.CODE,
            "Type of assessment (EU element).",
            "Beoordelingsvorm (EU-element).",
            "marked assignment",
            vocab="assessment-types",
        ),
        _c(
            "participation_form",
            "deelnamevorm",
            Kind.CODE,
            "online, on-site or blended (EU element).",
            "online, fysiek of hybride (EU-element).",
            "online",
            vocab="participation-forms",
        ),
        _c(
            "quality_assurance",
            "kwaliteitszorg",
            Kind.CODE,
            "Kind of quality assurance (EU element).",
            "Soort kwaliteitszorg (EU-element).",
            "institutional-review",
            vocab="qa-kinds",
        ),
        _c(
            "languages",
            "talen",
            Kind.CODES,
            "Languages of instruction, separated by |.",
            "Onderwijstalen, gescheiden door |.",
            "nl | en",
            vocab="languages",
        ),
        _c(
            "flemish_type",
            "vlaams_type",
            Kind.CODE,
            "Flemish micro-credential type 1, 2, 3a or 3b.",
            "Vlaams type microcredential 1, 2, 3a of 3b.",
            "3b",
            vocab="flemish-mc-types",
        ),
        _c(
            "prerequisites_nl",
            "voorwaarden_nl",
            Kind.TEXT,
            "Prerequisites in Dutch.",
            "Toelatingsvoorwaarden in het Nederlands.",
            "",
        ),
        _c(
            "prerequisites_en",
            "voorwaarden_en",
            Kind.TEXT,
            "Prerequisites in English.",
            "Toelatingsvoorwaarden in het Engels.",
            "",
        ),
        _c(
            "identity_check",
            "identiteitscontrole",
            Kind.CODE,
            "How identity is checked at assessment.",
            "Hoe de identiteit bij de beoordeling gecontroleerd wordt.",
            "",
            vocab="identity-checks",
        ),
        _c(
            "grading_scheme",
            "beoordelingsschaal",
            Kind.CODE,
            "Grading scheme.",
            "Beoordelingsschaal.",
            "0-20",
            vocab="grading-schemes",
        ),
        _c(
            "stackable_into",
            "stapelbaar_in",
            Kind.TEXTS,
            "Larger credentials this stacks into, separated by |.",
            "Grotere kwalificaties waarin dit stapelbaar is, gescheiden door |.",
            "",
        ),
        _c(
            "info_url",
            "info_url",
            Kind.TEXT,
            "Web page with more information.",
            "Webpagina met meer informatie.",
            "https://www.ugent.be/",
            max_length=500,
        ),
        _c(
            "validity_months",
            "geldigheid_maanden",
            Kind.INTEGER,
            "How long an awarded credential is valid.",
            "Hoe lang een toegekend bewijs geldig is.",
            "",
        ),
    ),
    build=_records.build_offering,
    cells=_records.offering_cells,
    field_columns={
        "title": "title_nl",
        "description": "description_nl",
        "learning_outcomes": "learning_outcomes_nl",
        "workload": "ects",
        "prerequisites": "prerequisites_nl",
    },
)

EDITIONS: Layout[Any] = Layout(
    kind="editions",
    title_en="Editions (runs of an offering)",
    title_nl="Edities (uitvoeringen van een aanbod)",
    key=("provider", "code"),
    columns=(
        _provider_column(),
        _c(
            "code",
            "code",
            Kind.TEXT,
            "The provider's own edition code, unique per provider.",
            "Eigen code van de editie, uniek per aanbieder.",
            "MC-DISINFO-2025",
            required=True,
            max_length=64,
        ),
        _c(
            "offering_code",
            "aanbodcode",
            Kind.TEXT,
            "Code of the offering this edition runs.",
            "Code van het aanbod van deze editie.",
            "MC-DISINFO",
            required=True,
            max_length=64,
        ),
        _c(
            "start_date",
            "startdatum",
            Kind.DATE,
            "First day; decides the academic year.",
            "Eerste dag; bepaalt het academiejaar.",
            "2025-09-22",
            required=True,
        ),
        _c("end_date", "einddatum", Kind.DATE, "Last day.", "Laatste dag.", "2026-01-30", required=True),
        _c(
            "capacity",
            "capaciteit",
            Kind.INTEGER,
            "Number of places (may be empty).",
            "Aantal plaatsen (mag leeg).",
            "40",
        ),
    ),
    build=_records.build_edition,
    cells=_records.edition_cells,
)

ENROLMENTS: Layout[Any] = Layout(
    kind="enrolments",
    title_en="Enrolments and their outcomes",
    title_nl="Inschrijvingen en hun resultaat",
    key=("provider", "reference"),
    columns=(
        _provider_column(),
        _c(
            "reference",
            "referentie",
            Kind.TEXT,
            "The provider's own key of this enrolment.",
            "Eigen sleutel van deze inschrijving.",
            "2025-000123",
            required=True,
            max_length=64,
        ),
        _c(
            "edition_code",
            "editiecode",
            Kind.TEXT,
            "Code of the edition enrolled in.",
            "Code van de editie.",
            "MC-DISINFO-2025",
            required=True,
            max_length=64,
        ),
        _c(
            "learner_id",
            "studentnummer",
            Kind.TEXT,
            "Student number or INSZ; pseudonymised on arrival, never stored.",
            "Studentnummer of INSZ; bij aankomst gepseudonimiseerd, nooit bewaard.",
            "r0123456",
            secret=True,
            exported=False,
        ),
        _c(
            "learner_pseudonym",
            "pseudoniem",
            Kind.TEXT,
            "Instead of learner_id: the register's pseudonym (as exported).",
            "In plaats van learner_id: het pseudoniem van het register (zoals geëxporteerd).",
            "",
            in_template=False,
        ),
        _c(
            "enrolment_date",
            "inschrijvingsdatum",
            Kind.DATE,
            "Day of enrolment.",
            "Dag van inschrijving.",
            "2025-09-15",
            required=True,
        ),
        _c(
            "contract_type",
            "contracttype",
            Kind.CODE,
            "DHO contract type: 01 diploma, 02 credit, 03 exam, 99 n/a.",
            "DHO-contracttype: 01 diploma, 02 credit, 03 examen, 99 n.v.t.",
            "02",
            required=True,
            vocab="contract-types",
        ),
        _c(
            "employment_status",
            "arbeidsstatus",
            Kind.CODE,
            "Employment status at enrolment.",
            "Arbeidsstatus bij inschrijving.",
            "employed",
            vocab="employment-statuses",
        ),
        _c(
            "age_band",
            "leeftijdsgroep",
            Kind.CODE,
            "Age band at enrolment.",
            "Leeftijdsgroep bij inschrijving.",
            "35-44",
            vocab="age-bands",
        ),
        _c(
            "outcome",
            "resultaat",
            Kind.CODE,
            "enrolled, withdrawn, passed or failed.",
            "ingeschreven, uitgeschreven, geslaagd of niet geslaagd.",
            "passed",
            vocab="outcomes",
        ),
        _c(
            "grade",
            "score",
            Kind.TEXT,
            "Grade of a passed or failed enrolment.",
            "Score van een geslaagde of niet-geslaagde inschrijving.",
            "15",
            max_length=16,
        ),
        _c("outcome_date", "resultaatdatum", Kind.DATE, "Day of the outcome.", "Dag van het resultaat.", "2026-02-06"),
    ),
    build=_records.build_enrolment,
    cells=_records.enrolment_cells,
    field_columns={"learner": "learner_id", "pseudonym": "learner_pseudonym"},
)

LAYOUTS: dict[str, Layout[Any]] = {layout.kind: layout for layout in (PROVIDERS, OFFERINGS, EDITIONS, ENROLMENTS)}


def layout(kind: str) -> Layout[Any]:
    """The layout called ``kind``; Invalid naming the known kinds otherwise."""
    try:
        return LAYOUTS[kind]
    except KeyError:
        raise Invalid.field("kind", "one-of", kind, allowed=", ".join(LAYOUTS)) from None
