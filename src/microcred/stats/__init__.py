"""Statistics over the register: a DuckDB snapshot, named SQL questions, disclosure control, the report.

The names below are loaded on first use (PEP 562): ``services.ports`` imports ``stats.source`` for the
statistics Protocol, and running this package's ``__init__`` eagerly would load DuckDB and numpy into every
command that opens the register (issue 21: start-up time).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOME = {
    "Rounding": "disclosure",
    "take_snapshot": "load",
    **dict.fromkeys(("Fact", "Figure", "OfferingLine", "ParliamentReport", "Row", "Table", "year_label"), "model"),
    **dict.fromkeys(("BROAD_KINDS", "Scope"), "queries"),
    "build_report": "report",
    **dict.fromkeys(("Snapshot", "ects_band"), "snapshot"),
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
