"""The protected copy as a DuckDB table, so the named SQL (the definition) counts what the report counts.

``build_report(..., reference=True)`` asks the named SQL one question at a time; the SQL reads
``stat_enrolments``, so for the length of the report a temporary table of that name holds the protected
copy (``stats.disclosure``) of the enrolments in range, shadowing the snapshot's own table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np

from microcred.stats.disclosure import Rounding
from microcred.stats.queries import SqlRunner
from microcred.stats.tally import EDITIONS_IN_SCOPE, codes_of, protect

__all__ = ["protected_enrolments"]

#: In the order ``stats.tally.fetch_rows`` gives the rows (their own values; the rowid only finds a row again).
_ROWS = (
    "SELECT rowid AS row_id, learner_id, edition_id, profile FROM stat_enrolments "
    "WHERE academic_year BETWEEN $from_year AND $to_year ORDER BY learner_id, academic_year, edition_id, profile"
)


@contextmanager
def protected_enrolments(db: SqlRunner, years: Mapping[str, object], rounding: Rounding) -> Iterator[None]:
    """While inside, ``stat_enrolments`` is the protected copy of the scoped enrolments of ``years``."""
    bounds = {"from_year": int(str(years["from_year"])), "to_year": int(str(years["to_year"]))}
    editions = list(db.execute(EDITIONS_IN_SCOPE, bounds).fetchall())
    fetched = db.execute(_ROWS, bounds).fetchnumpy()
    ids = [int(e[0]) for e in editions]
    edition = np.asarray(fetched["edition_id"]).astype(np.int64)
    index = np.full(max([*ids, int(edition.max(initial=0))]) + 1, -1, dtype=np.int64)
    index[ids] = np.arange(len(ids))
    keep = np.flatnonzero(index[edition] >= 0)
    learner, _local, _profile, source = protect(
        np.asarray(fetched["learner_id"]).astype(np.int64)[keep],
        index[edition][keep],
        np.asarray(fetched["profile"]).astype(np.int64)[keep],
        editions,
        codes_of(db),
        rounding,
    )
    rows = {"row_id": np.asarray(fetched["row_id"]).astype(np.int64)[keep][source], "learner_id": learner}
    catalog = str(db.execute("SELECT current_database()").fetchall()[0][0])
    db.register("_protected", rows)  # type: ignore[attr-defined]
    try:
        db.execute(
            "CREATE TEMP TABLE stat_enrolments AS SELECT n.* REPLACE (CAST(p.learner_id AS INTEGER) AS learner_id) "
            f'FROM "{catalog}".main.stat_enrolments AS n JOIN _protected AS p ON p.row_id = n.rowid '
            "ORDER BY p.learner_id, n.academic_year"
        )
    finally:
        db.unregister("_protected")  # type: ignore[attr-defined]
    try:
        yield
    finally:
        db.execute("DROP TABLE temp.stat_enrolments")
