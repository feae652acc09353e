"""The four file layouts (providers, offerings, editions, enrolments), derived from the records' fields.

A :class:`Layout` is a record's one field definition (``microcred.domain.fields``) flattened into columns
(English name, Dutch alias, kind, vocabulary, help, example), plus what only files need: a title, the
columns left out of the template, and how a row's problems and learner are handled. The reader, the
writer, the templates and ``docs/import.md`` are all generated from these layouts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from microcred.domain.fields import EDITION, ENROLMENT, OFFERING, PROVIDER, Record, Words
from microcred.errors import FieldProblem, Invalid
from microcred.io import _records
from microcred.io.cells import CellError, Notice, Problem, reading_note
from microcred.io.columns import Column, flatten, problem_columns

__all__ = ["LAYOUTS", "Column", "Layout", "ParseContext", "RowInvalid", "layout", "normalise_header"]

T = TypeVar("T")
HIDDEN = "(hidden)"
Finish = Callable[[dict[str, Any], Mapping[str, Any], "ParseContext"], None]


def normalise_header(text: str) -> str:
    """A header as compared with column names: lower case, spaces and dashes as underscores."""
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What reading a row needs besides the row: the pepper for learner ids and the tenancy restriction."""

    pepper: str
    provider: str | None = None  # only rows of this provider are accepted; blank provider cells get it


class RowInvalid(Exception):
    """A row that cannot become a record; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Layout(Generic[T]):
    """A file layout: a record's columns and the two conversions between rows and records."""

    kind: str
    title_en: str
    title_nl: str
    record: Record[T]
    columns: tuple[Column, ...]
    finish: Finish | None = None  # completes a row's plain values (the enrolment's learner)
    field_columns: Mapping[str, str] = field(default_factory=dict)  # domain field -> column of its problems

    @property
    def key(self) -> tuple[str, ...]:
        return self.record.key

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def exported_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.exported)

    @property
    def template_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_template)

    def header_names(self) -> dict[str, str]:
        """Every accepted header spelling (normalised) -> column name."""
        names: dict[str, str] = {}
        for column in self.columns:
            names[normalise_header(column.name)] = column.name
            names[normalise_header(column.nl)] = column.name
        return names

    def build(self, values: Mapping[str, Any], context: ParseContext) -> T:
        """The validated record of a row's parsed values."""
        plain = _records.plain_values(self.record, self.columns, values)
        if self.finish is not None:
            self.finish(plain, values, context)
        built: Any = self.record.build(plain)
        validated: T = built.validate()
        return validated

    def cells(self, record: T) -> dict[str, str]:
        """A record as the text of each column."""
        return _records.cells(self.record, self.columns, record)

    def parse_row(
        self, cells: Mapping[str, str], row: int, context: ParseContext, *, notes: list[Notice] | None = None
    ) -> T:
        """The record a row describes; RowInvalid listing every problem when it has any.

        Values read in a documented but unusual way (see :func:`reading_note`) are kept and, when ``notes``
        is given, reported in it.
        """
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        read: list[Notice] = []
        for column in self.columns:
            cell = cells.get(column.name, "")
            shown = HIDDEN if column.secret else cell
            if not cell:
                if column.required and not (column.name == "provider" and context.provider):
                    problems.append(Problem(row, column.name, None, "required"))
                values[column.name] = column.empty
                continue
            try:
                values[column.name] = column.parse(cell)
            except CellError as error:
                problems.append(Problem(row, column.name, shown, error.code, error.params))
                continue
            note = None if column.secret else reading_note(row, column.name, column.kind, cell, values[column.name])
            if note is not None:
                read.append(note)
        problems += self._tenancy_problems(values, row, context)
        if problems:
            raise RowInvalid(problems)
        try:
            record = self.build(values, context)
        except Invalid as error:
            raise RowInvalid(
                [
                    self.problem_of(row, cells, p)
                    for p in error.problems or [FieldProblem("", error.reason, params=error.params)]
                ]
            ) from None
        except CellError as error:
            raise RowInvalid([Problem(row, self.key[-1], None, error.code, error.params)]) from None
        if notes is not None:
            notes += read
        return record

    def _tenancy_problems(self, values: dict[str, Any], row: int, context: ParseContext) -> list[Problem]:
        """Fill in the owner from ``--provider``; a problem when the row names another provider."""
        owner_column = self.key[0]
        owner = values.get(owner_column) or context.provider
        values[owner_column] = owner
        if not context.provider or owner == context.provider:
            return []
        return [Problem(row, owner_column, owner, "provider-restricted", {"provider": context.provider})]

    def problem_of(self, row: int, cells: Mapping[str, str], problem: FieldProblem) -> Problem:
        """A domain problem as a file problem: on the column that shows the field, a secret value hidden."""
        name = problem.field.split("[")[0]
        column = self.field_columns.get(name, name)
        if column not in {c.name for c in self.columns}:
            column = self.key[-1]
        secret = self.column(column).secret
        value = cells.get(column) or (None if problem.value is None else str(problem.value))
        return Problem(row, column, HIDDEN if secret and value else value, problem.code, problem.params)


def _layout(
    kind: str,
    record: Record[Any],
    title: Words,
    *,
    not_in_template: tuple[str, ...] = (),
    remarks: Mapping[str, Words] | None = None,
    finish: Finish | None = None,
    also_report: Mapping[str, str] | None = None,
) -> Layout[Any]:
    """The layout of ``record``: its flattened columns (with file-only remarks) and where problems are shown."""
    tenancy = {"provider": Words(" (mag leeg met --provider)", " (may be left out with --provider)")}
    columns = flatten(record, not_in_template=not_in_template, remarks={**tenancy, **(remarks or {})})
    reported = {**problem_columns(record, columns), **(also_report or {})}
    return Layout(kind, title.en, title.nl, record, columns, finish, reported)


PROVIDERS = _layout(
    "providers", PROVIDER, Words("Aanbieders en hun kwaliteitszorg", "Providers and their quality assurance")
)
OFFERINGS = _layout(
    "offerings",
    OFFERING,
    Words("Aanbod met de Europese standaardelementen", "Offerings with the EU standard elements"),
    also_report={"workload": "ects"},
)
EDITIONS = _layout(
    "editions",
    EDITION,
    Words("Edities (uitvoeringen van een aanbod)", "Editions (runs of an offering)"),
    finish=_records.edition_year,
)
ENROLMENTS = _layout(
    "enrolments",
    ENROLMENT,
    Words("Inschrijvingen en hun resultaat", "Enrolments and their outcomes"),
    not_in_template=("learner_pseudonym",),
    remarks={
        "learner_pseudonym": Words(
            "; een rij mag het geven in plaats van learner_id", "; a row may give it instead of learner_id"
        )
    },
    finish=_records.enrolment_learner,
    also_report={"learner": "learner_id", "pseudonym": "learner_pseudonym"},
)

LAYOUTS: dict[str, Layout[Any]] = {layout.kind: layout for layout in (PROVIDERS, OFFERINGS, EDITIONS, ENROLMENTS)}


def layout(kind: str) -> Layout[Any]:
    """The layout called ``kind``; Invalid naming the known kinds otherwise."""
    try:
        return LAYOUTS[kind]
    except KeyError:
        raise Invalid.field("kind", "one-of", kind, allowed=", ".join(LAYOUTS)) from None
