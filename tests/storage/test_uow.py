"""The unit of work on both backends: nothing is kept unless ``commit()`` is called."""

from __future__ import annotations

import pytest

from microcred.bootstrap import Register
from microcred.errors import NotFound
from tests.storage.records import a_provider


def test_nothing_is_kept_without_commit(register: Register) -> None:
    with register.uow() as work:
        work.providers.save(a_provider())
    with register.uow() as work, pytest.raises(NotFound):
        work.providers.get("ugent")
