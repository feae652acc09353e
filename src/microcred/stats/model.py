"""What the parliament report publishes: tables of figures (persons counted on the protected copy), facts and the
offerings list."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from microcred.stats.queries import Scope

__all__ = ["Cell", "Fact", "Figure", "OfferingLine", "ParliamentReport", "Row", "Table", "year_label"]

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
class Cell:
    """Where a number of a sentence was read: a published table, its row and its column."""

    table: str
    row: str
    column: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One sentence of the summary or the conclusions: a template key and the values it states.

    ``cells`` names, for each number among ``values``, the published cell it was read from, so a reader
    (and ``tests/stats/test_conclusions.py``) can trace it; the other values are labels (years, codes)."""

    key: str
    values: dict[str, str | int | float | Decimal] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)


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
    conclusions: tuple[Fact, ...] = ()
    empty_years: tuple[str, ...] = ()  # academic years of the range in which no provider reported anything
    incomplete_years: tuple[str, ...] = ()  # the academic year in progress, when it is in the range with data
    recognition: tuple[Table, ...] = ()  # recognised credentials and ECTS by deciding provider and kind (issue 19)

    @property
    def complete_years(self) -> tuple[str, ...]:
        """The years growth is measured over: with data and not in progress."""
        return tuple(y for y in self.year_columns if y not in self.empty_years and y not in self.incomplete_years)

    @property
    def year_columns(self) -> tuple[str, ...]:
        return tuple(year_label(y) for y in self.scope.years)

    def value(self, cell: Cell) -> Number | None:
        """The published figure at ``cell``."""
        return self.table(cell.table).figure(cell.row, cell.column).value

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
            *self.recognition,
        )
