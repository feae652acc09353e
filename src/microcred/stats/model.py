"""What the parliament report publishes: tables of figures (persons counted on the protected copy), facts and the
offerings list."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from microcred.stats.queries import Scope

__all__ = ["Fact", "Figure", "OfferingLine", "ParliamentReport", "Row", "Table", "year_label"]

Number = int | Decimal | float


def year_label(start_year: int) -> str:
    """``2020`` -> ``2020-21``, the way academic years are written (domain.AcademicYear)."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class Figure:
    """One published cell: a value, or None when it does not apply (a rate without a base, ...)."""

    value: Number | None


@dataclass(frozen=True, slots=True)
class Row:
    key: str  # a code of the table's dimension (a provider slug, an ISCED-F field, a measure name, …)
    figures: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A published table; ``columns`` are academic years (``2020-21``), ``total`` or measure names."""

    name: str
    dimension: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    rounded: bool = False  # counts persons on the protected copy of the enrolments (stats.disclosure)

    def figure(self, row: str, column: str) -> Figure:
        """The figure in row ``row`` (``total`` for the totals row) and column ``column``."""
        index = self.columns.index(column)
        source = self.total if row == "total" and self.total is not None else self.row(row)
        return source.figures[index]

    def row(self, key: str) -> Row:
        for candidate in self.rows:
            if candidate.key == key:
                return candidate
        raise KeyError(f"table {self.name!r} has no row {key!r}")


@dataclass(frozen=True, slots=True)
class OfferingLine:
    """One offering in scope with its ECTS and the academic years it ran (question 1's full list)."""

    provider: str
    code: str
    title: dict[str, str]
    offer_kind: str
    ects: Decimal | None
    eqf: str
    field: str
    first_year: int
    last_year: int
    editions: int


@dataclass(frozen=True, slots=True)
class Fact:
    """One sentence of the summary: a template key and the numbers it states."""

    key: str
    values: dict[str, str | int | float | Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParliamentReport:
    """The answer to written question 223 (2024-25) for a scope, every count of persons protected."""

    scope: Scope
    threshold: int
    provider_names: dict[str, dict[str, str]]
    readings: Table
    offer: tuple[Table, ...]
    ects: Table
    growth: Table
    offerings: tuple[OfferingLine, ...]
    enrolments: Table
    learners_by: tuple[Table, ...]
    enrolments_by: tuple[Table, ...]
    popularity: Table
    top_offerings: Table
    fastest_growing: Table
    coverage: Table
    summary: tuple[Fact, ...]

    @property
    def year_columns(self) -> tuple[str, ...]:
        return tuple(year_label(y) for y in self.scope.years)

    def table(self, name: str) -> Table:
        """Any published table by its name."""
        for candidate in self.tables():
            if candidate.name == name:
                return candidate
        raise KeyError(f"no table named {name!r}")

    def tables(self) -> tuple[Table, ...]:
        return (
            self.readings,
            *self.offer,
            self.ects,
            self.growth,
            self.enrolments,
            *self.learners_by,
            *self.enrolments_by,
            self.popularity,
            self.top_offerings,
            self.fastest_growing,
            self.coverage,
        )
