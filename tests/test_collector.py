"""A serving process postpones the garbage collector's full passes (their pauses were the save p99 at 10,000
candidates, docs/performance.md) and gives the process its own thresholds back when it stops."""

from __future__ import annotations

import gc

from starlette.testclient import TestClient

from examengine.app import GC_THRESHOLDS, create_app
from examengine.db import Database
from examengine.settings import Settings


def test_a_running_app_postpones_full_collections_and_restores_the_thresholds(settings: Settings, db: Database) -> None:
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS  # the test process runs with Python's own
    with TestClient(create_app(settings)):
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] == before[0]  # the young passes, short and frequent, keep the default
        assert GC_THRESHOLDS[2] > before[2]
    assert gc.get_threshold() == before
