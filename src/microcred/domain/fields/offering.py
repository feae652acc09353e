"""The fields of an offering (the EU Council Recommendation's standard elements) and of its learning outcomes."""

from __future__ import annotations

from microcred.domain.fields.model import Field, FieldKind, Record, Words, translated
from microcred.domain.fields.provider import PROVIDER_KEY
from microcred.domain.offering import CODE_PATTERN, MAX_PRICE_EUR, LearningOutcome, Offering
from microcred.domain.provider import SLUG_PATTERN

__all__ = ["LEARNING_OUTCOME", "OFFERING"]

TEXT, CODE, CODES, TEXTS = FieldKind.TEXT, FieldKind.CODE, FieldKind.CODES, FieldKind.TEXTS
INTEGER = FieldKind.INTEGER

LEARNING_OUTCOME: Record[LearningOutcome] = Record(
    LearningOutcome,
    Words("leerresultaat", "learning outcome"),
    key=(),
    fields=(
        translated(
            "text", "", Words("Leerresultaten", "Learning outcomes"),
            Words("Wat een lerende na afloop weet of kan.", "What a learner knows or can do afterwards."),
            Words("Nepnieuws herkennen | Bronnen controleren", "Recognise fake news | Check sources"),
            column="",
        ),
        Field(
            "esco_skill", "esco", TEXT, Words("ESCO-vaardigheid", "ESCO skill"),
            Words(
                "ESCO-vaardigheid (URI) van het leerresultaat, uit de meegeleverde ESCO-lijst; mag leeg.",
                "ESCO skill URI of the outcome, from the shipped ESCO list; may be empty.",
            ),
            max_length=200, column="esco",
        ),
    ),
)  # fmt: skip

OFFERING: Record[Offering] = Record(
    Offering,
    Words("aanbod", "offering"),
    key=("provider", "code"),
    fields=(
        PROVIDER_KEY,
        Field(
            "code", "code", TEXT, Words("Code", "Code"),
            Words("Eigen code van de aanbieder, uniek per aanbieder.", "The provider's own code, unique per provider."),
            "MC-DISINFO", required=True, max_length=64, pattern=CODE_PATTERN,
        ),
        Field(
            "kind", "soort", CODE, Words("Soort aanbod", "Kind of offer"), Words("Soort aanbod.", "Kind of offering."),
            "micro-credential", required=True, vocab="offering-kinds",
        ),
        Field(
            "status", "status", CODE, Words("Status", "Status"),
            Words(
                "ontwerp, gepubliceerd of ingetrokken; publiceren vraagt elk EU-element. Leeg: een nieuw aanbod "
                "is een ontwerp, een bestaand houdt zijn status.",
                "draft, published or withdrawn; published needs every EU element. Empty: a new offering is a "
                "draft, an existing one keeps its status.",
            ),
            "published", vocab="offering-statuses",
        ),
        translated(
            "title", "titel", Words("Titel", "Title"), Words("Titel (EU-element).", "Title (EU element)."),
            Words("Desinformatie herkennen", "Recognising disinformation"), max_length=500,
        ),
        translated(
            "description", "beschrijving", Words("Beschrijving", "Description"), Words("Beschrijving.", "Description.")
        ),
        Field(
            "awarding_body", "toekennende_instelling", TEXT, Words("Uitreikende instelling", "Awarding body"),
            Words(
                "Sleutel van de toekennende instelling als die niet de aanbieder is.",
                "Slug of the awarding body when not the provider.",
            ),
            max_length=64, pattern=SLUG_PATTERN,
        ),
        Field(
            "issuer_country", "land_uitreiker", CODE, Words("Land", "Country"),
            Words("Land van de uitreiker (EU-element).", "Country of the issuer (EU element)."),
            "BE", vocab="countries", min_length=2, max_length=2,
        ),
        Field(
            "learning_outcomes", "leerresultaten", FieldKind.RECORDS, Words("Leerresultaten", "Learning outcomes"),
            Words(
                "Leerresultaten (EU-element), elk in het Nederlands en het Engels.",
                "Learning outcomes (EU element), each in Dutch and English.",
            ),
            record=LEARNING_OUTCOME, max_items=50, option="outcome",
        ),
        Field(
            "ects", "studiepunten", FieldKind.ECTS, Words("Studiepunten", "ECTS credits"),
            Words("Studieomvang in studiepunten (EU: studielast).", "Workload in ECTS credits (EU: workload)."), "5",
        ),
        Field(
            "hours", "uren", INTEGER, Words("Uren", "Hours"), Words("Begrote studie-uren.", "Notional learning hours."),
            minimum=1, maximum=1800,
        ),
        Field(
            "eqf_level", "eqf_niveau", CODE, Words("EQF-niveau", "EQF level"),
            Words("EQF-niveau 1-8 (EU: niveau).", "EQF level 1-8 (EU: level)."),
            "6", vocab="eqf", minimum=1, maximum=8, option="eqf",
        ),
        Field(
            "vks_level", "vks_niveau", CODE, Words("VKS-niveau", "VKS level"),
            Words(
                "Niveau 1-8 in de Vlaamse kwalificatiestructuur.",
                "Flemish qualifications framework (VKS) level 1-8.",
            ),
            "6", vocab="vks", minimum=1, maximum=8, option="vks",
        ),
        Field(
            "isced_field", "isced_studiegebied", CODE, Words("Studiegebied", "Field of study"),
            Words("ISCED-F 2013-studiegebied.", "ISCED-F 2013 field of study."),
            "0321", vocab="isced-f", max_length=4, option="isced",
        ),
        Field(
            "assessment_type", "beoordelingsvorm", CODE, Words("Soort beoordeling", "Type of assessment"),
            Words("Beoordelingsvorm (EU-element).", "Type of assessment (EU element)."),
            "marked assignment", vocab="assessment-types", max_length=32, option="assessment",
        ),
        Field(
            "participation_form", "deelnamevorm", CODE, Words("Vorm van deelname", "Form of participation"),
            Words("online, fysiek of hybride (EU-element).", "online, on-site or blended (EU element)."),
            "online", vocab="participation-forms", option="participation",
        ),
        Field(
            "quality_assurance", "kwaliteitszorg", CODE, Words("Kwaliteitszorg", "Quality assurance"),
            Words("Soort kwaliteitszorg (EU-element).", "Kind of quality assurance (EU element)."),
            "institutional-review", vocab="qa-kinds", option="qa",
        ),
        Field(
            "languages", "talen", CODES, Words("Talen", "Languages"),
            Words("Onderwijstalen (ISO 639-1).", "Languages of instruction (ISO 639-1)."),
            "nl | en", vocab="languages", min_length=2, max_length=2, max_items=10, option="language",
        ),
        Field(
            "flemish_type", "vlaams_type", CODE, Words("Vlaams type", "Flemish type"),
            Words("Vlaams type microcredential 1, 2, 3a of 3b.", "Flemish micro-credential type 1, 2, 3a or 3b."),
            "3b", vocab="flemish-mc-types",
        ),
        translated(
            "prerequisites", "voorwaarden", Words("Toelatingsvoorwaarden", "Prerequisites"),
            Words("Toelatingsvoorwaarden.", "Prerequisites."),
        ),
        Field(
            "identity_check", "identiteitscontrole", CODE, Words("Identiteitscontrole", "Identity check"),
            Words(
                "Hoe de identiteit bij de beoordeling gecontroleerd wordt.",
                "How identity is checked at assessment.",
            ),
            vocab="identity-checks", max_length=32,
        ),
        Field(
            "grading_scheme", "beoordelingsschaal", CODE, Words("Beoordelingsschaal", "Grading scheme"),
            Words("Beoordelingsschaal.", "Grading scheme."), "0-20", vocab="grading-schemes",
        ),
        Field(
            "stackable_into", "stapelbaar_in", TEXTS, Words("Stapelbaar in", "Stackable into"),
            Words("Grotere kwalificaties waarin dit stapelbaar is.", "Larger credentials this stacks into."),
            max_length=200, max_items=20,
        ),
        Field(
            "info_url", "info_url", TEXT, Words("Webadres", "Web address"),
            Words("Webpagina met meer informatie.", "Web page with more information."),
            "https://www.ugent.be/", max_length=500, format="url",
        ),
        Field(
            "validity_months", "geldigheid_maanden", INTEGER,
            Words("Geldigheid (maanden, leeg = onbeperkt)", "Validity (months, empty = no end)"),
            Words(
                "Hoe lang een toegekend bewijs geldig is, in maanden.",
                "How long an awarded credential is valid, in months.",
            ),
            minimum=1, maximum=1200,
        ),
        Field(
            "price_eur", "prijs_eur", INTEGER, Words("Prijs (euro)", "Price (euros)"),
            Words(
                "Wat een lerende betaalt, in hele euro; 0 = gratis, leeg = niet vermeld.",
                "What a learner pays, in whole euros; 0 = free, empty = not stated.",
            ),
            "450", minimum=0, maximum=MAX_PRICE_EUR,
        ),
    ),
)  # fmt: skip
