"""Statistics over the register: a DuckDB snapshot, named SQL questions, disclosure control, the report."""

from __future__ import annotations

from microcred.stats.disclosure import Rounding
from microcred.stats.load import take_snapshot
from microcred.stats.model import Fact, Figure, OfferingLine, ParliamentReport, Row, Table, year_label
from microcred.stats.queries import BROAD_KINDS, Scope
from microcred.stats.report import build_report
from microcred.stats.snapshot import Snapshot, ects_band

__all__ = [
    "BROAD_KINDS",
    "Fact",
    "Figure",
    "OfferingLine",
    "ParliamentReport",
    "Rounding",
    "Row",
    "Scope",
    "Snapshot",
    "Table",
    "build_report",
    "ects_band",
    "take_snapshot",
    "year_label",
]
