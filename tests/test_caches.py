"""The one process cache: a bounded, thread-safe LRU per kind, held by the app's database and cleared together."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from examengine.caches import LRU, CacheKind, ProcessCaches
from examengine.context import Services
from examengine.db import Database, caches_of

NUMBERS: CacheKind[int, str] = CacheKind("numbers", 3)


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LRU[int, str] = LRU(3)
    for n in range(3):
        cache.put(n, str(n))
    assert cache.get(0) == "0"  # used: 1 is now the oldest
    cache.put(3, "3")
    assert 1 not in cache and [n in cache for n in (0, 2, 3)] == [True, True, True] and len(cache) == 3
    cache.put(2, "two")  # a put refreshes too
    cache.put(4, "4")
    assert 0 not in cache and cache.get(2) == "two"
    cache.clear()
    assert len(cache) == 0 and cache.get(2) is None
    with pytest.raises(ValueError):
        LRU(0)


def test_threads_sharing_one_cache_keep_it_within_its_bound() -> None:
    cache: LRU[tuple[int, int], int] = LRU(100)

    def fill(thread: int) -> None:
        for n in range(2_000):
            cache.put((thread, n), n)
            cache.get((thread, n // 2))

    threads = [threading.Thread(target=fill, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 100


def test_one_cache_a_kind_cleared_together() -> None:
    caches = ProcessCaches()
    assert caches.of(NUMBERS) is caches.of(NUMBERS) and caches.of(NUMBERS).maxsize == 3
    other: CacheKind[str, int] = CacheKind("letters", 10)
    caches.of(NUMBERS).put(1, "1")
    caches.of(other).put("a", 1)
    caches.clear()
    assert caches.of(NUMBERS).get(1) is None and caches.of(other).get("a") is None


def test_every_unit_of_work_reads_through_its_own_apps_caches(services: Services, db: Database) -> None:
    def caches(*, session: Session) -> ProcessCaches:
        return caches_of(session)

    assert services.db.call(caches) is services.caches is services.db.call(caches, write=False)
    assert db.call(caches) is db.caches is not services.caches


def test_an_entry_can_be_taken_out_and_a_missing_one_is_no_error() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.discard("a")
    cache.discard("never there")
    assert cache.get("a") is None and len(cache) == 0
