"""A served process freezes what start-up built (``asgi.py``): a full garbage collection then scans only what
requests allocate. Measured in benchmarks/bench_stacking.py (the wallet page's tail); here, that it happens,
after a collection, and only when the setting asks for it."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import build
from microcred.settings import Settings


def _frozen_after_start(settings: Settings) -> int:
    register = build(settings)
    register.migrate()
    gc.unfreeze()
    try:
        with TestClient(create_app(register)) as client:
            assert client.get("/healthz").status_code == 200
            return gc.get_freeze_count()
    finally:
        gc.unfreeze()  # give the objects back to the collector: this worker runs many more tests
        register.close()


def test_start_up_freezes_the_heap_when_asked(settings: Settings) -> None:
    assert _frozen_after_start(settings.model_copy(update={"gc_freeze_at_startup": True, "serve_jobs": False})) > 0


def test_start_up_leaves_the_heap_alone_when_told(settings: Settings) -> None:
    assert _frozen_after_start(settings.model_copy(update={"gc_freeze_at_startup": False, "serve_jobs": False})) == 0
