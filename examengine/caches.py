"""The process's caches of data that never changes once written (pinned item content, published definitions and
pools, each attempt's presentation of its slots): one bounded, thread-safe LRU per kind, all held by one
`ProcessCaches` that the app's database (and so its services) owns and a test clears.

A module asks for its cache by a `CacheKind` it declares, so each kind keeps its own bound and its own types.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most `maxsize` entries; the least recently used goes first. Safe to share between threads."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an LRU holds at least one entry")
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True)
class CacheKind(Generic[K, V]):
    """One kind of cached data: its name (unique) and how many entries the process keeps."""

    name: str
    maxsize: int


class ProcessCaches:
    """Every cache of one app (or command): created on first use, cleared together."""

    def __init__(self) -> None:
        self._caches: dict[str, LRU[Any, Any]] = {}
        self._lock = threading.Lock()

    def of(self, kind: CacheKind[K, V]) -> LRU[K, V]:
        found = self._caches.get(kind.name)
        if found is None:
            with self._lock:
                found = self._caches.setdefault(kind.name, LRU(kind.maxsize))
        return found

    def clear(self) -> None:
        with self._lock:
            for cache in self._caches.values():
                cache.clear()
