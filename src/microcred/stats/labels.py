"""Every text of the parliament report in Dutch and English, and the labels of the codes in its tables."""

from __future__ import annotations

from decimal import Decimal

from microcred.stats.model import Fact, ParliamentReport
from microcred.stats.order import DIMENSION_VOCABULARIES
from microcred.vocab import vocabulary

__all__ = ["LANGUAGES", "column_label", "counting_text", "fact_text", "label", "number", "table_title", "text"]

LANGUAGES = ("nl", "en")

_TEXTS: dict[str, tuple[str, str]] = {
    "title": (
        "Microcredentials aan Vlaamse universiteiten en hogescholen",
        "Micro-credentials at Flemish universities and university colleges",
    ),
    "subtitle": (
        "Antwoord op schriftelijke vraag nr. 223 van 20 december 2024, academiejaren {first} tot {last}",
        "Answer to written question no. 223 of 20 December 2024, academic years {first} to {last}",
    ),
    "summary": ("Samenvatting", "Summary"),
    "q1": (
        "1. Aanbod aan microcredentials, hun studiepunten en de groei van het aanbod",
        "1. The micro-credentials offered, their ECTS credits and the growth of the offer",
    ),
    "q2": ("2. Ingeschreven studenten, werkend of niet werkend", "2. Enrolled learners, working or not working"),
    "q3": ("3. Populariteit en groei", "3. Popularity and growth"),
    "definitions": ("Definities", "Definitions"),
    "coverage": ("Dekking van de gegevens", "Data coverage"),
    "disclosure": ("Bescherming van personen", "Protecting individuals"),
    "offerings_list": ("Alle opleidingen met hun studiepunten", "All offerings with their ECTS credits"),
    "def_offer": (
        "Een opleiding telt mee in een academiejaar wanneer een editie ervan in dat academiejaar start.",
        "An offering counts in an academic year when one of its editions starts in that year.",
    ),
    "def_narrow": (
        "Enge lezing: opleidingen die als microcredential gelabeld zijn (met hun Vlaams type 1, 2, 3a of 3b).",
        "Narrow reading: offerings labelled as micro-credentials (with their Flemish type 1, 2, 3a or 3b).",
    ),
    "def_broad": (
        "Brede Europese lezing (die van het antwoord van de minister): ook opleidingsonderdelen met een "
        "creditcontract, postgraduaten en bij- en nascholing.",
        "Broad EU reading (the one the minister's answer used): also course units under a credit "
        "contract, postgraduate programmes and further training.",
    ),
    "def_working": (
        "Werkend = werknemer of zelfstandige bij inschrijving; niet werkend = werkzoekend of niet "
        "beroepsactief; onbekend wordt apart getoond en nooit geraden.",
        "Working = employed or self-employed at enrolment; not working = job-seeking or not in the "
        "labour force; unknown is shown apart and never guessed.",
    ),
    "def_ects": (
        "Studiepuntenklassen: <3 is minder dan 3; 3-5 is 3 tot minder dan 6; 6-10 is 6 tot minder dan 11; "
        "11-20 is 11 tot en met 20; >20 is meer dan 20.",
        "ECTS bands: <3 is below 3; 3-5 is 3 up to but not including 6; 6-10 is 6 up to but not "
        "including 11; 11-20 is 11 up to and including 20; >20 is above 20.",
    ),
    "def_learners": (
        "Studenten zijn verschillende lerenden (pseudoniemen); een student die zich meermaals "
        "inschrijft telt eenmaal per cel. Slaagpercentage = geslaagd / inschrijvingen met een "
        "uitkomst (geslaagd, niet geslaagd of gestopt). Een INSZ, een ESI of een tussen aanbieders afgesproken "
        "id is bij elke aanbieder dezelfde student; het eigen studentnummer van een aanbieder (of een "
        "inschrijving zonder vermeld schema) alleen bij die aanbieder: zo iemand kan eenmaal per aanbieder "
        "geteld zijn.",
        "Learners are distinct learners (pseudonyms); a learner enrolled more than once counts once "
        "per cell. Completion rate = passed / enrolments with an outcome (passed, failed or "
        "withdrawn). An INSZ, an ESI or an id agreed between providers is the same learner at every provider; "
        "a provider's own student number (or an enrolment without a recorded scheme) only at that provider: "
        "such a learner may be counted once per provider.",
    ),
    "def_growth": (
        "Groei: verschil met het vorige jaar, index (eerste jaar = 100) en gemiddelde jaarlijkse groei "
        "(CAGR) over de periode.",
        "Growth: change on the previous year, index (first year = 100) and "
        "compound annual growth rate (CAGR) over the range.",
    ),
    "disclosure_rule": (
        "Aantallen personen (studenten, inschrijvingen, uitslagen en de percentages en groeicijfers daarop) "
        "worden geteld op een beschermde kopie van de inschrijvingen. Inschrijvingen met dezelfde editie en "
        "hetzelfde profiel (arbeidsmarktstatus, contract, leeftijdsklasse, uitslag) vormen een groep; een "
        "groep van minder dan {k} studenten telt als 0 of als {k}, willekeurig maar vast en gemiddeld zonder "
        "vertekening. Elk aantal personen is daardoor 0 of minstens {k}, de tabellen tellen op, en een aantal "
        "van minder dan {k} personen kan uit geen enkele combinatie van cijfers, filters, jaren of latere "
        "versies van dit rapport worden afgeleid: het kan telkens {k} opeenvolgende waarden hebben. "
        "Aantallen kunnen zo enkele procenten afwijken van de exacte telling. Het aanbod (opleidingen, "
        "studiepunten, capaciteit, edities) is exact.",
        "Counts of persons (learners, enrolments, outcomes and the rates and growth figures over them) are "
        "counted on a protected copy of the enrolments. Enrolments with the same edition and profile "
        "(employment status, contract, age band, outcome) form a group; a group of fewer than {k} learners "
        "counts as 0 or as {k}, at random but fixed and without bias on average. Every count of persons is "
        "therefore 0 or at least {k}, tables add up, and a count of fewer than {k} persons cannot be derived "
        "from any combination of figures, filters, years or later versions of this report: it could be any "
        "of {k} consecutive values. Counts may differ from the exact count by a few percent. The offer "
        "(offerings, ECTS, capacity, editions) is exact.",
    ),
    "rounded_note": (
        "Aantallen personen afgerond ter bescherming: groepen van minder dan {k} tellen als 0 of {k} "
        "(zie 'Bescherming van personen'). Het aanbod is exact.",
        "Counts of persons rounded for protection: groups of fewer than {k} count as 0 or {k} "
        "(see 'Protecting individuals'). The offer is exact.",
    ),
    "coverage_note": (
        "Aantal edities dat elke aanbieder per academiejaar registreerde; 0 betekent dat er voor dat "
        "jaar niets gerapporteerd is.",
        "Number of editions each provider registered per academic year; 0 means nothing was reported for that year.",
    ),
    "scope_he": ("Universiteiten en hogescholen", "Universities and university colleges"),
    "scope_all": ("Alle aanbieders", "All providers"),
    "total": ("Totaal", "Total"),
    "provider": ("Aanbieder", "Provider"),
    "code": ("Code", "Code"),
    "offering": ("Opleiding", "Offering"),
    "kind": ("Soort", "Kind"),
    "ects_col": ("Studiepunten", "ECTS"),
    "eqf_col": ("EQF", "EQF"),
    "field_col": ("Studiegebied (ISCED-F)", "Field (ISCED-F)"),
    "years_col": ("Academiejaren", "Academic years"),
    "editions_col": ("Edities", "Editions"),
    "chart_offer": ("Aanbod per academiejaar naar type aanbieder", "Offer per academic year by provider type"),
    "chart_ects": ("Opleidingen naar studiepuntenklasse (laatste jaar)", "Offerings by ECTS band (last year)"),
    "chart_working": (
        "Studenten per academiejaar naar arbeidsmarktstatus",
        "Learners per academic year by working status",
    ),
    "chart_growth": ("Groei-index (eerste jaar = 100)", "Growth index (first year = 100)"),
}

_TABLES: dict[str, tuple[str, str]] = {
    "readings": ("Enge en brede lezing naast elkaar", "Narrow and broad reading side by side"),
    "ects": ("Studiepunten van het aanbod", "ECTS credits of the offer"),
    "growth": ("Groei van het aanbod en van de inschrijvingen", "Growth of the offer and of enrolments"),
    "enrolments": ("Inschrijvingen, studenten en slaagpercentage", "Enrolments, learners and completion rate"),
    "popularity": (
        "Edities, inschrijvingen per editie en bezettingsgraad",
        "Editions, enrolments per edition and fill rate",
    ),
    "top_offerings": ("Opleidingen met de meeste inschrijvingen", "Offerings with the most enrolments"),
    "fastest_growing": (
        "Snelst groeiend aanbod (CAGR van het aantal opleidingen)",
        "Fastest growing offer (CAGR of the number of offerings)",
    ),
    "coverage": ("Gerapporteerde edities per aanbieder", "Editions reported per provider"),
}
_DIMENSIONS: dict[str, tuple[str, str]] = {
    "provider_type": ("type aanbieder", "provider type"),
    "provider": ("aanbieder", "provider"),
    "offer_kind": ("soort aanbod", "offer kind"),
    "field": ("studiegebied (ISCED-F)", "field (ISCED-F)"),
    "eqf": ("EQF-niveau", "EQF level"),
    "vks": ("VKS-niveau", "VKS level"),
    "participation": ("vorm van deelname", "form of participation"),
    "ects_band": ("studiepuntenklasse", "ECTS band"),
    "working": ("arbeidsmarktstatus", "working status"),
    "employment_status": ("statuut", "employment status"),
    "contract_type": ("contracttype (DHO)", "contract type (DHO)"),
    "age_band": ("leeftijd", "age band"),
}
_PREFIX = {
    "offer": ("Aanbod naar", "Offer by"),
    "learners": ("Studenten naar", "Learners by"),
    "enrolments": ("Inschrijvingen naar", "Enrolments by"),
}
_CODES: dict[str, tuple[str, str]] = {
    "working": ("Werkend", "Working"),
    "not-working": ("Niet werkend", "Not working"),
    "unknown": ("Onbekend", "Unknown"),
    "all": ("Totaal", "Total"),
    "total": ("Totaal", "Total"),
    "micro-credential-1": ("Microcredential type 1", "Micro-credential type 1"),
    "micro-credential-2": ("Microcredential type 2", "Micro-credential type 2"),
    "micro-credential-3a": ("Microcredential type 3a", "Micro-credential type 3a"),
    "micro-credential-3b": ("Microcredential type 3b", "Micro-credential type 3b"),
    "micro-credential-untyped": ("Microcredential zonder type", "Micro-credential without type"),
    "offerings_narrow": ("Opleidingen (eng)", "Offerings (narrow)"),
    "offerings_broad": ("Opleidingen (breed)", "Offerings (broad)"),
    "learners_narrow": ("Studenten (eng)", "Learners (narrow)"),
    "learners_broad": ("Studenten (breed)", "Learners (broad)"),
    "enrolments_narrow": ("Inschrijvingen (eng)", "Enrolments (narrow)"),
    "enrolments_broad": ("Inschrijvingen (breed)", "Enrolments (broad)"),
    "offerings": ("Opleidingen", "Offerings"),
    "with_ects": ("met studiepunten", "with ECTS"),
    "total_ects": ("Totaal studiepunten", "Total ECTS"),
    "median_ects": ("Mediaan studiepunten", "Median ECTS"),
    "learners": ("Studenten", "Learners"),
    "enrolments": ("Inschrijvingen", "Enrolments"),
    "completion_rate": ("Slaagpercentage (%)", "Completion rate (%)"),
    "counted_across_providers": (
        "Over aanbieders heen geteld (% van de inschrijvingen)",
        "Counted across providers (% of enrolments)",
    ),
    "editions": ("Edities", "Editions"),
    "enrolments_per_edition": ("Inschrijvingen per editie", "Enrolments per edition"),
    "capacity": ("Capaciteit", "Capacity"),
    "fill_rate": ("Bezettingsgraad (%)", "Fill rate (%)"),
    "growth_percent": ("Groei eerste-laatste jaar (%)", "Growth first to last year (%)"),
    "first_year": ("Eerste jaar", "First year"),
    "last_year": ("Laatste jaar", "Last year"),
    "cagr": ("CAGR (%)", "CAGR (%)"),
    "change": ("verschil", "change"),
    "change_percent": ("verschil (%)", "change (%)"),
    "index": ("index", "index"),
}
_FACTS: dict[str, tuple[str, str]] = {
    "offer_broad": (
        "In de brede lezing liep het aanbod van {start} opleidingen in {first} naar {end} in {last}.",
        "Under the broad reading the offer went from {start} offerings in {first} to {end} in {last}.",
    ),
    "offer_narrow": (
        "Als microcredential gelabelde opleidingen: {start} in {first}, {end} in {last}.",
        "Offerings labelled as micro-credentials: {start} in {first}, {end} in {last}.",
    ),
    "offer_cagr": (
        "De gemiddelde jaarlijkse groei van het aanbod tussen {first} en {last} bedroeg {cagr}%.",
        "The offer grew by {cagr}% a year on average between {first} and {last}.",
    ),
    "fastest_type": (
        "Het aanbod groeide het snelst bij: {group} ({cagr}% per jaar).",
        "The offer grew fastest at: {group} ({cagr}% a year).",
    ),
    "learners": (
        "Er schreven zich {start} studenten in in {first} en {end} in {last}; {total} verschillende "
        "studenten over de hele periode.",
        "{start} learners enrolled in {first} and {end} in {last}; {total} distinct learners over the whole range.",
    ),
    "learners_per_provider": (
        "Er schreven zich {start} studenten in in {first} en {end} in {last}; tot {total} verschillende "
        "studenten over de hele periode (zie hieronder hoe ze geteld zijn).",
        "{start} learners enrolled in {first} and {end} in {last}; up to {total} distinct learners over the whole "
        "range (see below how they were counted).",
    ),
    "counted_across": (
        "Verschillende studenten zijn voor alle inschrijvingen over aanbieders heen geteld (INSZ/ESI/registerbrede "
        "id).",
        "Distinct learners were counted across providers for all enrolments (INSZ/ESI/register id).",
    ),
    "counted_per_provider": (
        "Verschillende studenten zijn over aanbieders heen geteld voor {share}% van de inschrijvingen "
        "(INSZ/ESI/registerbrede id); wie alleen met het eigen nummer van een aanbieder bekend is, kan eenmaal "
        "per aanbieder geteld zijn. Totalen over aanbieders heen zijn daarom bovengrenzen, geen exacte aantallen.",
        "Distinct learners were counted across providers for {share}% of enrolments (INSZ/ESI/register id); "
        "learners known only by a provider's own number may be counted once per provider. Totals across "
        "providers are therefore upper bounds, not exact counts.",
    ),
    "working": (
        "In {year} waren {working} studenten werkend, {not_working} niet werkend en van {unknown} is het niet bekend.",
        "In {year}, {working} learners were working, {not_working} were not working and for {unknown} it is not known.",
    ),
    "completion": ("Het slaagpercentage in {year} was {rate}%.", "The completion rate in {year} was {rate}%."),
    "top_field": (
        "Het studiegebied met de meeste studenten in {year} was {field} ({learners} studenten).",
        "The field with the most learners in {year} was {field} ({learners} learners).",
    ),
    "coverage": (
        "{complete} van de {providers} aanbieders rapporteerden in elk academiejaar edities.",
        "{complete} of the {providers} providers reported editions in every academic year.",
    ),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "nl" else pair[1]


def text(key: str, lang: str, **values: object) -> str:
    """A fixed text of the report in ``lang``."""
    return _pick(_TEXTS[key], lang).format(**values)


def table_title(name: str, lang: str) -> str:
    if name in _TABLES:
        return _pick(_TABLES[name], lang)
    prefix, _, dimension = name.partition("_by_")
    return f"{_pick(_PREFIX[prefix], lang)} {_pick(_DIMENSIONS[dimension], lang)}"


def label(dimension: str, code: str, lang: str, report: ParliamentReport | None = None) -> str:
    """The label of a row or column code of a table of ``dimension``."""
    if dimension == "provider" and report is not None and code in report.provider_names:
        return report.provider_names[code].get(lang) or code
    if dimension == "group":
        group, _, value = code.partition(":")
        return f"{label(group, value, lang, report)} ({_pick(_DIMENSIONS[group], lang)})"
    if dimension == "offering" and report is not None:
        for line in report.offerings:
            if f"{line.provider}/{line.code}" == code:
                return f"{line.title.get(lang) or code} ({label('provider', line.provider, lang, report)})"
    if dimension in DIMENSION_VOCABULARIES and code in vocabulary(DIMENSION_VOCABULARIES[dimension]):
        concept = vocabulary(DIMENSION_VOCABULARIES[dimension]).get(code)
        shown = concept.label(lang)
        return f"{code} {shown}" if dimension in ("field", "contract_type") else shown
    if dimension == "offer_kind" and code in vocabulary("offering-kinds"):
        return vocabulary("offering-kinds").get(code).label(lang)
    if dimension in ("eqf", "vks") and code != "unknown":
        return f"{dimension.upper()} {code}"
    for suffix in ("_change_percent", "_change", "_index"):
        if code.endswith(suffix) and code.removesuffix(suffix) in _CODES:
            return f"{_pick(_CODES[code.removesuffix(suffix)], lang)}: {_pick(_CODES[suffix[1:]], lang)}"
    return _pick(_CODES[code], lang) if code in _CODES else code


def column_label(code: str, lang: str) -> str:
    return _pick(_CODES[code], lang) if code in _CODES else code


def fact_text(fact: Fact, lang: str, report: ParliamentReport) -> str:
    values = {k: number(v, lang) if isinstance(v, int | float | Decimal) else v for k, v in fact.values.items()}
    if fact.key == "fastest_type":
        values["group"] = label("provider_type", str(fact.values["group"]), lang, report)
    if fact.key == "top_field":
        values["field"] = label("field", str(fact.values["field"]), lang, report)
    return _pick(_FACTS[fact.key], lang).format(**values)


def counting_text(report: ParliamentReport, lang: str) -> str:
    """How distinct learners were counted in ``report``, for formats without a summary (CSV) and for JSON."""
    share = report.enrolments.row("counted_across_providers").figures[-1].value
    if share is None:
        return ""
    key = "counted_across" if share == 100 else "counted_per_provider"
    return _pick(_FACTS[key], lang).format(share=number(share, lang))


def number(value: object, lang: str) -> str:
    """A number written the way the language writes it (decimal comma in Dutch)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        text_ = f"{value:,}"
        return text_.replace(",", ".") if lang == "nl" else text_
    if isinstance(value, Decimal | float):
        text_ = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
        return text_.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "nl" else text_
    return str(value)
