"""The fields of an edition (a run of an offering) and of an enrolment in it."""

from __future__ import annotations

from microcred.domain.enrolment import Edition, Enrolment
from microcred.domain.fields.model import Field, FieldKind, Record, Words
from microcred.domain.fields.provider import PROVIDER_KEY
from microcred.domain.offering import CODE_PATTERN

__all__ = ["EDITION", "ENROLMENT"]

TEXT, CODE, DATE = FieldKind.TEXT, FieldKind.CODE, FieldKind.DATE

#: Taken to check the dates, not kept: the year follows from the edition's start (``Edition.academic_year``).
ACADEMIC_YEAR = Field(
    "academic_year", "academiejaar", TEXT, Words("Academiejaar", "Academic year"),
    Words(
        "Mag leeg; gegeven moet het passen bij de start van de editie (een start in februari hoort bij het "
        "academiejaar dat de september ervoor begon).",
        "May be empty; when given it must fit the edition's start (a February start belongs to the academic "
        "year that began the September before).",
    ),
    "2025-26", max_length=9, exported=False, kept=False,
)  # fmt: skip

EDITION: Record[Edition] = Record(
    Edition,
    Words("editie", "edition"),
    key=("provider", "code"),
    fields=(
        PROVIDER_KEY,
        Field(
            "code", "code", TEXT, Words("Code", "Code"),
            Words(
                "Eigen code van de editie, uniek per aanbieder.",
                "The provider's own edition code, unique per provider.",
            ),
            "MC-DISINFO-2025", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
        Field(
            "offering_code", "aanbodcode", TEXT, Words("Aanbod", "Offering"),
            Words("Code van het aanbod van deze editie.", "Code of the offering this edition runs."),
            "MC-DISINFO", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
        Field(
            "start_date", "startdatum", DATE, Words("Start", "Start"),
            Words("Eerste dag; bepaalt het academiejaar.", "First day; decides the academic year."),
            "2025-09-22", required=True,
        ),
        Field(
            "end_date", "einddatum", DATE, Words("Einde", "End"),
            Words(
                "Laatste dag; leeg: de laatste dag van het academiejaar (31 augustus).",
                "Last day; empty: the last day of the academic year (31 August).",
            ),
            "2026-01-30",
        ),
        Field(
            "capacity", "capaciteit", FieldKind.INTEGER, Words("Capaciteit", "Capacity"),
            Words("Aantal plaatsen (mag leeg).", "Number of places (may be empty)."), "40", minimum=1, maximum=100_000,
        ),
        ACADEMIC_YEAR,
    ),
)  # fmt: skip

ENROLMENT: Record[Enrolment] = Record(
    Enrolment,
    Words("inschrijving", "enrolment"),
    key=("provider", "reference"),
    fields=(
        PROVIDER_KEY,
        Field(
            "reference", "referentie", TEXT, Words("Referentie", "Reference"),
            Words("Eigen sleutel van deze inschrijving.", "The provider's own key of this enrolment."),
            "2025-000123", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
        Field(
            "edition_code", "editiecode", TEXT, Words("Editie", "Edition"),
            Words("Code van de editie.", "Code of the edition enrolled in."),
            "MC-DISINFO-2025", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
        Field(
            "learner_id", "studentnummer", TEXT, Words("Identificatie van de lerende", "Learner id"),
            Words(
                "INSZ, ESI, registerbrede id of eigen studentnummer; bij aankomst gepseudonimiseerd, nooit bewaard.",
                "INSZ, ESI, register-wide id or own student number; pseudonymised on arrival, never stored.",
            ),
            "r0123456", max_length=128, secret=True, exported=False, kept=False,
        ),
        Field(
            "learner_scheme", "identificatieschema", CODE, Words("Soort identificatie", "Identifier scheme"),
            Words(
                "insz, esi, register (afgesproken tussen aanbieders) of local (eigen studentnummer). Leeg: een "
                "geldig INSZ is insz, een ESI-URN esi, al het andere local. Alleen local telt per aanbieder.",
                "insz, esi, register (agreed between providers) or local (own student number). Empty: a valid "
                "INSZ is insz, an ESI URN esi, anything else local. Only local is counted per provider.",
            ),
            "local", vocab="learner-id-schemes",
        ),
        Field(
            "learner", "pseudoniem", TEXT, Words("Pseudoniem", "Pseudonym"),
            Words(
                "Het pseudoniem van de lerende in het register, nooit de identificatie die binnenkwam.",
                "The learner's pseudonym in the register, never the identifier sent in.",
            ),
            column="learner_pseudonym",
        ),
        Field(
            "enrolment_date", "inschrijvingsdatum", DATE, Words("Inschrijvingsdatum", "Enrolment date"),
            Words(
                "Dag van inschrijving; leeg: de start van de editie.",
                "Day of enrolment; empty: the edition's start.",
            ),
            "2025-09-15",
        ),
        Field(
            "contract_type", "contracttype", CODE, Words("Contracttype", "Contract type"),
            Words(
                "DHO-contracttype: 01 diploma, 02 credit, 03 examen, 99 n.v.t.",
                "DHO contract type: 01 diploma, 02 credit, 03 exam, 99 n/a.",
            ),
            "02", required=True, vocab="contract-types",
        ),
        Field(
            "employment_status", "arbeidsstatus", CODE, Words("Arbeidsstatus", "Employment status"),
            Words("Arbeidsstatus bij inschrijving.", "Employment status at enrolment."),
            "employed", vocab="employment-statuses",
        ),
        Field(
            "age_band", "leeftijdsgroep", CODE, Words("Leeftijdsgroep", "Age band"),
            Words("Leeftijdsgroep bij inschrijving.", "Age band at enrolment."), "35-44", vocab="age-bands",
        ),
        Field(
            "outcome", "resultaat", CODE, Words("Resultaat", "Outcome"),
            Words("ingeschreven, uitgeschreven, geslaagd of niet geslaagd.", "enrolled, withdrawn, passed or failed."),
            "passed", vocab="outcomes",
        ),
        Field(
            "grade", "score", TEXT, Words("Score", "Grade"),
            Words("Score van een geslaagde of niet-geslaagde inschrijving.", "Grade of a passed or failed enrolment."),
            "15", max_length=16,
        ),
        Field(
            "outcome_date", "resultaatdatum", DATE, Words("Resultaatdatum", "Outcome date"),
            Words(
                "Dag van het resultaat; mag leeg (een credential draagt dan geen uitreikingsdatum).",
                "Day of the outcome; may be empty (a credential then carries no awarding date).",
            ),
            "2026-02-06",
        ),
        ACADEMIC_YEAR,
    ),
)  # fmt: skip
