"""The fields of a stack rule (with its components) and of a recognition decision, declared once."""

from __future__ import annotations

from microcred.domain.fields.model import Field, FieldKind, Record, Words, translated
from microcred.domain.fields.provider import PROVIDER_KEY
from microcred.domain.offering import CODE_PATTERN
from microcred.domain.provider import SLUG_PATTERN
from microcred.domain.recognition import MAX_DECIDED_BY, MAX_RECOGNISED_FOR, RecognitionDecision
from microcred.domain.stacking import MAX_COMPONENTS, StackComponent, StackRule

__all__ = ["RECOGNITION_DECISION", "STACK_COMPONENT", "STACK_RULE"]

TEXT, CODE, INTEGER, ECTS = FieldKind.TEXT, FieldKind.CODE, FieldKind.INTEGER, FieldKind.ECTS

STACK_COMPONENT: Record[StackComponent] = Record(
    StackComponent,
    Words("onderdeel", "component"),
    key=("provider", "offering_code"),
    fields=(
        Field(
            "provider", "aanbieder", TEXT, Words("Aanbieder", "Provider"),
            Words("Aanbieder van het onderdeel.", "Provider of the component."),
            "ugent", required=True, max_length=64, pattern=SLUG_PATTERN,
        ),
        Field(
            "offering_code", "aanbodcode", TEXT, Words("Aanbod", "Offering"),
            Words("Code van het aanbod dat meetelt.", "Code of the offering that counts."),
            "MC-DISINFO", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
    ),
)  # fmt: skip

STACK_RULE: Record[StackRule] = Record(
    StackRule,
    Words("stapelregel", "stack rule"),
    key=("provider", "code"),
    fields=(
        PROVIDER_KEY,
        Field(
            "code", "code", TEXT, Words("Code", "Code"),
            Words("Eigen code van het grotere getuigschrift.", "The provider's own code of the larger credential."),
            "PG-DATA", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
        translated(
            "title", "titel", Words("Titel", "Title"),
            Words("Naam van het grotere getuigschrift.", "Name of the larger credential."),
            Words("Postgraduaat data", "Postgraduate certificate in data"), required=True, max_length=500,
        ),
        Field(
            "kind", "soort", CODE, Words("Soort regel", "Kind of rule"),
            Words(
                "all: alle onderdelen; n-of: n onderdelen; ects: minstens zoveel studiepunten.",
                "all: every component; n-of: n components; ects: at least so many ECTS.",
            ),
            "all", required=True,
        ),
        Field(
            "components", "onderdelen", FieldKind.RECORDS, Words("Onderdelen", "Components"),
            Words("De micro-credentials die meetellen.", "The micro-credentials that count."),
            required=True, max_items=MAX_COMPONENTS, record=STACK_COMPONENT,
        ),
        Field(
            "required_count", "aantal", INTEGER, Words("Aantal", "Number"),
            Words("Voor n-of: hoeveel onderdelen nodig zijn.", "For n-of: how many components are needed."),
            "2", minimum=1, maximum=MAX_COMPONENTS,
        ),
        Field(
            "min_ects", "min_studiepunten", ECTS, Words("Minimum studiepunten", "Minimum ECTS"),
            Words("Voor ects: hoeveel studiepunten nodig zijn.", "For ects: how many ECTS are needed."), "15",
        ),
        Field(
            "min_eqf_level", "min_eqf_niveau", INTEGER, Words("Minimum EQF-niveau", "Minimum EQF level"),
            Words("Onderdelen onder dit niveau tellen niet.", "Components below this level do not count."),
            "6", minimum=1, maximum=8,
        ),
        Field(
            "max_age_months", "max_ouderdom_maanden", INTEGER,
            Words("Maximale ouderdom (maanden)", "Maximum age (months)"),
            Words("Oudere onderdelen tellen niet.", "Older component credentials do not count."),
            "60", minimum=1, maximum=600,
        ),
        Field(
            "other_providers", "andere_aanbieders", FieldKind.FLAG,
            Words("Andere aanbieders", "Other providers"),
            Words(
                "Onderdelen van andere vertrouwde aanbieders tellen mee.",
                "Components of other trusted providers count.",
            ),
            "false",
        ),
        Field(
            "ects", "studiepunten", ECTS, Words("Studiepunten", "ECTS"),
            Words("Studiepunten van het grotere getuigschrift.", "ECTS of the larger credential."), "20",
        ),
        Field(
            "eqf_level", "eqf_niveau", INTEGER, Words("EQF-niveau", "EQF level"),
            Words("Niveau van het grotere getuigschrift.", "Level of the larger credential."),
            "7", minimum=1, maximum=8,
        ),
    ),
)  # fmt: skip

RECOGNITION_DECISION: Record[RecognitionDecision] = Record(
    RecognitionDecision,
    Words("erkenningsbeslissing", "recognition decision"),
    key=("provider", "public_id"),
    fields=(
        Field(
            "outcome", "uitkomst", CODE, Words("Uitkomst", "Outcome"),
            Words("recognised of refused.", "recognised or refused."), "recognised", required=True,
        ),
        Field(
            "recognised_for", "erkend_voor", TEXT, Words("Erkend voor", "Recognised for"),
            Words("Het opleidingsonderdeel of de opleiding.", "The course unit or programme."),
            "Data science (B-KUL-G0X12A)", required=True, max_length=MAX_RECOGNISED_FOR,
        ),
        Field(
            "kind", "soort", CODE, Words("Soort", "Kind"),
            Words("exemption (vrijstelling) of credit-transfer.", "exemption or credit-transfer."), "exemption",
        ),
        Field(
            "ects", "studiepunten", ECTS, Words("Studiepunten", "ECTS"),
            Words("Erkende studiepunten.", "ECTS recognised."), "5",
        ),
        Field(
            "basis", "grond", FieldKind.CODES, Words("Grond", "Basis"),
            Words(
                "Wat vergeleken werd: learning-outcomes, level, workload, quality-assurance.",
                "What was compared: learning-outcomes, level, workload, quality-assurance.",
            ),
            "learning-outcomes|level", max_items=4,
        ),
        Field(
            "decided_on", "beslist_op", FieldKind.DATE, Words("Beslist op", "Decided on"),
            Words("Datum van de beslissing.", "Date of the decision."), "2026-02-01", required=True,
        ),
        Field(
            "decided_by", "beslist_door", TEXT, Words("Beslist door", "Decided by"),
            Words("Wie besliste (commissie of functie).", "Who decided (board or role)."),
            "Examencommissie", required=True, max_length=MAX_DECIDED_BY,
        ),
        Field(
            "reason", "reden", TEXT, Words("Reden", "Reason"),
            Words("Verplicht bij een weigering.", "Required when refused."), "", max_length=500,
        ),
    ),
)  # fmt: skip
