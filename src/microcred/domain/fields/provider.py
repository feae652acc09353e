"""The fields of a provider and of its quality-assurance records, and the provider key other records carry."""

from __future__ import annotations

from microcred.domain.fields.model import Field, FieldKind, Record, Words, translated
from microcred.domain.provider import SLUG_PATTERN, Provider, QualityAssurance

__all__ = ["PROVIDER", "PROVIDER_KEY", "QUALITY_ASSURANCE"]

TEXT, CODE, DATE = FieldKind.TEXT, FieldKind.CODE, FieldKind.DATE

#: The provider slug that offerings, editions and enrolments start with.
PROVIDER_KEY = Field(
    "provider", "aanbieder", TEXT, Words("Aanbieder", "Provider"),
    Words("Sleutel van de aanbieder.", "Provider slug."),
    "ugent", required=True, max_length=64, pattern=SLUG_PATTERN,
)  # fmt: skip

QUALITY_ASSURANCE: Record[QualityAssurance] = Record(
    QualityAssurance,
    Words("kwaliteitszorgrecord", "quality-assurance record"),
    key=("agency", "kind", "valid_from"),
    fields=(
        Field(
            "agency", "organisatie", TEXT, Words("Kwaliteitszorgorganisatie", "Quality-assurance agency"),
            Words("Kwaliteitszorgorganisatie die de aanbieder beoordeelde.", "Agency that reviewed the provider."),
            "NVAO", required=True, max_length=200,
        ),
        Field(
            "kind", "soort", CODE, Words("Soort kwaliteitszorg", "Kind of quality assurance"),
            Words("Soort kwaliteitszorg.", "Kind of quality assurance."),
            "institutional-review", required=True, vocab="qa-kinds",
        ),
        Field(
            "valid_from", "geldig_vanaf", DATE, Words("Geldig vanaf", "Valid from"),
            Words("Eerste dag waarop het geldt.", "First day it is valid."),
            "2015-09-01", required=True, option="from",
        ),
        Field(
            "valid_until", "geldig_tot", DATE, Words("Geldig tot", "Valid until"),
            Words(
                "Laatste dag waarop het geldt; leeg als het niet afloopt.",
                "Last day it is valid; empty when open-ended.",
            ),
            "2029-08-31", option="until",
        ),
        Field(
            "reference", "referentie", TEXT, Words("Referentie", "Reference"),
            Words("Besluit of rapport (URL).", "Decision or report URL."), max_length=500,
        ),
    ),
)  # fmt: skip

PROVIDER: Record[Provider] = Record(
    Provider,
    Words("aanbieder", "provider"),
    key=("slug",),
    fields=(
        Field(
            "slug", "sleutel", TEXT, Words("Sleutel", "Slug"),
            Words(
                "Korte sleutel: kleine letters, cijfers, streepjes.",
                "Short key: lowercase letters, digits, dashes.",
            ),
            "ugent", required=True, max_length=64, pattern=SLUG_PATTERN,
        ),
        translated(
            "name", "naam", Words("Officiële naam", "Official name"),
            Words("Officiële naam, in het Nederlands of het Engels.", "Official name, in Dutch or English."),
            Words("Universiteit Gent", "Ghent University"), max_length=500,
        ),
        translated(
            "short_name", "korte_naam", Words("Korte naam", "Short name"),
            Words("Korte naam.", "Short name."), Words("UGent", ""), max_length=100,
        ),
        Field(
            "type", "type_instelling", CODE, Words("Soort aanbieder", "Kind of provider"),
            Words("Soort aanbieder.", "Kind of provider."),
            "university", required=True, vocab="provider-types",
        ),
        Field(
            "country", "land", CODE, Words("Land", "Country"),
            Words("ISO 3166-1-land; BE als leeg.", "ISO 3166-1 country; BE when empty."),
            "BE", vocab="countries", min_length=2, max_length=2,
        ),
        Field(
            "region", "regio", CODE, Words("Regio", "Region"),
            Words("Belgische NUTS/ATU-regio.", "Belgian NUTS/ATU region."), vocab="nuts-be", max_length=16,
        ),
        Field(
            "kbo_number", "ondernemingsnummer", TEXT, Words("Ondernemingsnummer", "Enterprise number"),
            Words("Ondernemingsnummer (KBO).", "Belgian enterprise number."),
            "0248.015.142", max_length=16, option="kbo",
        ),
        Field(
            "erasmus_code", "erasmuscode", TEXT, Words("Erasmuscode", "Erasmus code"),
            Words("Erasmus-instellingscode.", "Erasmus institution code."),
            "B  GENT01", max_length=32, option="erasmus",
        ),
        Field(
            "schac_code", "schaccode", TEXT, Words("SCHAC-code", "SCHAC code"),
            Words("SCHAC-thuisorganisatie.", "SCHAC home organisation."), "ugent.be", max_length=128, option="schac",
        ),
        Field(
            "web_domain", "webdomein", TEXT, Words("Webdomein", "Web domain"),
            Words("Webdomein.", "Web domain."), "ugent.be", max_length=128, option="domain",
        ),
        Field(
            "quality_assurances", "kz", FieldKind.RECORDS, Words("Kwaliteitszorg", "Quality assurance"),
            Words(
                "Kwaliteitszorgrecords: welke organisatie de aanbieder beoordeelde, en tot wanneer.",
                "Quality-assurance records: which agency reviewed the provider, and until when.",
            ),
            record=QUALITY_ASSURANCE, max_items=20, column="qa", option="qa",
        ),
    ),
)  # fmt: skip
