"""The key of the protected copy's draws, read from the register itself.

Every entry point (web page, API, CLI, audit) must round with the same key, or two differently rounded
copies of one register would be published and could be intersected. The key is therefore not an argument
but a value of the register: the pseudonym of its first learner, a keyed hash (``pseudonym_pepper``) that
is never published. It changes only if that learner is erased.
"""

from __future__ import annotations

from typing import Any

__all__ = ["rounding_secret"]


def rounding_secret(connection: Any) -> bytes:
    """The register's key for ``stats.disclosure.Rounding``, from an SQLAlchemy ``Connection``."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute("SELECT pseudonym FROM learners ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return b"" if row is None else str(row[0]).encode()
