"""Each record's fields, declared once: files, API bodies, the desk's form and CLI options derive from them.

``OFFERING.fields`` lists an offering's fields with their names in English and Dutch, kind, vocabulary,
limits, nl/en label and help, and an example; ``OFFERING.build(values)`` and ``OFFERING.plain(offering)``
turn plain values into the record and back. Rules stay on the records themselves (``Offering.validate``).
"""

from __future__ import annotations

from typing import Any

from microcred.domain.fields.enrolment import EDITION, ENROLMENT
from microcred.domain.fields.model import Field, FieldKind, Record, Words, translated
from microcred.domain.fields.offering import LEARNING_OUTCOME, OFFERING
from microcred.domain.fields.provider import PROVIDER, PROVIDER_KEY, QUALITY_ASSURANCE

__all__ = [
    "EDITION",
    "ENROLMENT",
    "LEARNING_OUTCOME",
    "OFFERING",
    "PROVIDER",
    "PROVIDER_KEY",
    "QUALITY_ASSURANCE",
    "RECORDS",
    "Field",
    "FieldKind",
    "Record",
    "Words",
    "translated",
]

#: Every record several adapters show or take, by the name files and reports use.
RECORDS: dict[str, Record[Any]] = {
    "providers": PROVIDER,
    "offerings": OFFERING,
    "editions": EDITION,
    "enrolments": ENROLMENT,
}
