"""Alembic migrations on both backends: the schema goes down to nothing and up again."""

from __future__ import annotations

from sqlalchemy import inspect

from microcred.bootstrap import Register
from microcred.storage import migrate


def test_migrations_go_down_to_nothing_and_up_again(register: Register) -> None:
    assert migrate.is_up_to_date(register.engine)
    migrate.downgrade(register.engine, "base")
    assert not migrate.is_up_to_date(register.engine)
    assert set(inspect(register.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(register.engine)
    assert {"providers", "offerings", "editions", "enrolments", "learners"} <= set(
        inspect(register.engine).get_table_names()
    )


def test_learner_schemes_migration_keeps_pseudonyms_and_marks_only_provably_shared_learners(register: Register) -> None:
    """Migration 0003 (decision 0018): a learner with enrolments at two providers was pseudonymised across
    providers (before, only an INSZ was), so it becomes insz; every other enrolment stays "not recorded"."""
    migrate.downgrade(register.engine, "0002")
    shared, alone = "a" * 64, "b" * 64
    with register.engine.begin() as connection:
        now = "2024-01-01 00:00:00"
        for n, slug in enumerate(("p1", "p2"), start=1):
            connection.exec_driver_sql(
                "INSERT INTO providers (id, slug, name, short_name, type, country, created_at, updated_at) "
                f"VALUES ({n}, '{slug}', '{{}}', '{{}}', 'university', 'BE', '{now}', '{now}')"
            )
            connection.exec_driver_sql(
                "INSERT INTO offerings (id, provider_id, code, title, description, kind, status, learning_outcomes, "
                f"languages, prerequisites, stackable_into, created_at, updated_at) VALUES ({n}, {n}, 'O', '{{}}', "
                f"'{{}}', 'other', 'draft', '[]', '[]', '{{}}', '[]', '{now}', '{now}')"
            )
            connection.exec_driver_sql(
                "INSERT INTO editions (id, provider_id, offering_id, code, academic_year, start_date, end_date, "
                f"created_at, updated_at) VALUES ({n}, {n}, {n}, 'E', 2024, '2024-09-01', '2025-01-31', "
                f"'{now}', '{now}')"
            )
        connection.exec_driver_sql(f"INSERT INTO learners (id, pseudonym) VALUES (1, '{shared}'), (2, '{alone}')")
        for n, (provider, learner) in enumerate(((1, 1), (2, 1), (1, 2)), start=1):
            connection.exec_driver_sql(
                "INSERT INTO enrolments (id, provider_id, reference, edition_id, learner_id, enrolment_date, "
                "contract_type, employment_status, age_band, outcome, created_at, updated_at) VALUES "
                f"({n}, {provider}, 'R{n}', {provider}, {learner}, '2024-09-01', '02', 'unknown', 'unknown', "
                f"'enrolled', '{now}', '{now}')"
            )
    migrate.upgrade(register.engine)
    with register.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT e.reference, e.learner_scheme, l.pseudonym FROM enrolments e "
            "JOIN learners l ON l.id = e.learner_id ORDER BY e.reference"
        ).all()
    assert [tuple(row) for row in rows] == [("R1", "insz", shared), ("R2", "insz", shared), ("R3", None, alone)]
