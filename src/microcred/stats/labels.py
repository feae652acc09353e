"""The parliament report's words in Dutch or English (``report.*`` in the i18n catalogue) and its number style."""

from __future__ import annotations

from decimal import Decimal

from microcred.i18n import LANGUAGES, has, translate
from microcred.stats.model import Fact, ParliamentReport
from microcred.stats.order import DIMENSION_VOCABULARIES
from microcred.vocab import vocabulary

__all__ = ["LANGUAGES", "column_label", "counting_text", "fact_text", "label", "number", "table_title", "text"]


def text(key: str, lang: str, **values: object) -> str:
    """A fixed text of the report in ``lang`` (``report.<key>`` in the i18n catalogue)."""
    return translate(f"report.{key}", lang, **values)


def _code(code: str, lang: str) -> str:
    return translate(f"report.code.{code}", lang)


def _has_code(code: str) -> bool:
    return has(f"report.code.{code}")


def _dimension(name: str, lang: str) -> str:
    return translate(f"report.dimension.{name}", lang)


def table_title(name: str, lang: str) -> str:
    if has(f"report.table.{name}"):
        return translate(f"report.table.{name}", lang)
    prefix, _, dimension = name.partition("_by_")
    return f"{translate(f'report.by.{prefix}', lang)} {_dimension(dimension, lang)}"


def label(dimension: str, code: str, lang: str, report: ParliamentReport | None = None) -> str:
    """The label of a row or column code of a table of ``dimension``."""
    if dimension == "provider" and report is not None and code in report.provider_names:
        return report.provider_names[code].get(lang) or code
    if dimension == "group":
        group, _, value = code.partition(":")
        return f"{label(group, value, lang, report)} ({_dimension(group, lang)})"
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
        if code.endswith(suffix) and _has_code(code.removesuffix(suffix)):
            return f"{_code(code.removesuffix(suffix), lang)}: {_code(suffix[1:], lang)}"
    return _code(code, lang) if _has_code(code) else code


def column_label(code: str, lang: str) -> str:
    return _code(code, lang) if _has_code(code) else code


_FACT_LABELS = {"group": "provider_type", "field": "field", "provider": "provider", "offering": "offering"}


def fact_text(fact: Fact, lang: str, report: ParliamentReport) -> str:
    """A sentence of the summary or the conclusions: numbers in the language's style, codes as labels."""
    values = {k: number(v, lang) if isinstance(v, int | float | Decimal) else v for k, v in fact.values.items()}
    for name, dimension in _FACT_LABELS.items():
        if name in fact.values:
            values[name] = label(dimension, str(fact.values[name]), lang, report)
    if "providers" in fact.values:  # a list of provider codes
        codes = str(fact.values["providers"]).split(", ")
        values["providers"] = "; ".join(label("provider", code, lang, report) for code in codes)
    return translate(f"report.fact.{fact.key}", lang, **values)


def counting_text(report: ParliamentReport, lang: str) -> str:
    """How distinct learners were counted in ``report``, for formats without a summary (CSV) and for JSON."""
    share = report.enrolments.row("counted_across_providers").figures[-1].value
    if share is None:
        return ""
    key = "counted_across" if share == 100 else "counted_per_provider"
    return translate(f"report.fact.{key}", lang, share=number(share, lang))


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
