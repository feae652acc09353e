"""Dutch wording of the reasons the domain gives in English, for import reports in the user's language.

The domain speaks English (its messages are also API error texts); an import report can be read in
Dutch, so the reasons that rows commonly hit are translated here. An untranslated reason is shown in
English rather than hidden.
"""

from __future__ import annotations

import re

__all__ = ["dutch"]

_EXACT = {
    "a title in Dutch or English is required": "een titel in het Nederlands of Engels is verplicht",
    "at least one learning outcome is required": "minstens één leerresultaat is verplicht",
    "ECTS credits or notional hours are required": "studiepunten of begrote uren zijn verplicht",
    "a level from 1 to 8 is required": "een niveau van 1 tot 8 is verplicht",
    "must be a whole number from 1 to 8": "moet een geheel getal van 1 tot 8 zijn",
    "must be a decimal more than 0 and at most 60": "moet een getal groter dan 0 en hoogstens 60 zijn",
    "must be a whole number of hours from 1 to 1800": "moet een geheel aantal uren van 1 tot 1800 zijn",
    "must be 1-64 letters, digits or . _ - /": "moet 1 tot 64 letters, cijfers of . _ - / zijn",
    "must be 1-64 lowercase letters, digits or dashes": "moet 1 tot 64 kleine letters, cijfers of streepjes zijn",
    "an official name is required": "een officiële naam is verplicht",
    "must be an ISO 3166-1 alpha-2 code": "moet een ISO 3166-1-landcode van twee letters zijn",
    "must be a Belgian NUTS or ATU code": "moet een Belgische NUTS- of ATU-code zijn",
    "must be a 10-digit enterprise number": "moet een ondernemingsnummer van 10 cijfers zijn",
    "must be a bare domain like kuleuven.be": "moet een domeinnaam zijn zoals kuleuven.be",
    "must name the quality-assurance agency": "moet de kwaliteitszorgorganisatie noemen",
    "must not be before valid_from": "mag niet voor valid_from liggen",
    "must not be before start_date": "mag niet voor start_date liggen",
    "must be from 1 to 100000 places": "moet van 1 tot 100000 plaatsen zijn",
    "must not be before the enrolment date": "mag niet voor de inschrijvingsdatum liggen",
    "only a passed or failed enrolment has a grade": (
        "alleen een geslaagde of niet-geslaagde inschrijving heeft een score"
    ),
    "must be at most 16 characters": "mag hoogstens 16 tekens lang zijn",
    "must be at most 128 characters": "mag hoogstens 128 tekens lang zijn",
    "a learner identifier is required": "een identificatie van de lerende is verplicht",
    "must be a 64-character hex pseudonym, never a raw identifier": (
        "moet een pseudoniem van 64 hexadecimale tekens zijn, nooit een ruwe identificatie"
    ),
    "must be ISO 639-1 language codes": "moeten ISO 639-1-taalcodes zijn",
    "must be an identity-check code": "moet een code voor identiteitscontrole zijn",
    "must be an http(s) URL": "moet een http(s)-URL zijn",
    "must be from 1 to 1200 months": "moet van 1 tot 1200 maanden zijn",
    "only labelled micro-credentials have a Flemish type": "alleen gelabelde microcredentials hebben een Vlaams type",
    "must be a non-empty text": "moet een niet-lege tekst zijn",
    "ESCO skill must be an ESCO skill URI": "de ESCO-vaardigheid moet een ESCO-URI zijn",
    "the learner id is not a valid INSZ (11 digits, mod-97 check)": (
        "de identificatie van de lerende is geen geldig INSZ (11 cijfers, controle modulo 97)"
    ),
    "the learner id is not an ESI (urn:schac:personalUniqueCode:int:esi:<country>:<code>)": (
        "de identificatie van de lerende is geen ESI (urn:schac:personalUniqueCode:int:esi:<land>:<code>)"
    ),
    "must look like 2020-21": "moet eruitzien als 2020-21",
    "the second year must follow the first": "het tweede jaar moet op het eerste volgen",
}
_PATTERNS = (
    (re.compile(r"^is required \(one of (.+)\)$"), "is verplicht (een van {0})"),
    (
        re.compile(r"^is not the academic year of the edition's start \((.+)\)$"),
        "is niet het academiejaar van de start van de editie ({0})",
    ),
    (re.compile(r"^must be one of (.+)$"), "moet een van deze zijn: {0}"),
    (re.compile(r"^must be (an? .+) is required$"), "{0} is verplicht"),
)


def dutch(reason: str) -> str:
    """The Dutch wording of an English domain reason, or the English one when there is none."""
    if reason in _EXACT:
        return _EXACT[reason]
    for pattern, template in _PATTERNS:
        match = pattern.match(reason)
        if match:
            return template.format(*match.groups())
    return reason
