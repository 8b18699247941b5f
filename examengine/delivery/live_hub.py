"""The live streams of one app process (GET /candidate/attempts/{id}/events): one hub, one change feed.

Every open exam page holds a server-sent event stream instead of polling. One asyncio task per process reads, once
a second, the timeline events other than answer saves since its cursor (one range scan of the shared database, so
several processes each follow the same feed; a proctor acting through any process reaches every stream), reads the
live state of each changed attempt that has streams here once, and pushes it to them. Every PING_SECONDS each
stream gets a ping, and the sessions behind the streams are re-checked in one batch: a stream whose session ended
(signed out, password changed, moved to another device, expired) is closed; the still open ones are touched for
the idle timeout, as their polls did.

Events can commit out of id order on PostgreSQL (a sequence number taken before a later one commits after it): the
feed re-reads the last WINDOW_ROUNDS rounds' ids and skips the events it has already handled.

The hub ends every stream when the app stops and within a second of SIGTERM (examengine.shutdown), so that
uvicorn's graceful shutdown is not held by open pages; past `max_streams` a page is refused (503) and polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from examengine import shutdown
from examengine.accounts import credentials
from examengine.clock import utcnow
from examengine.db import Database
from examengine.delivery import live

log = logging.getLogger(__name__)
FEED_SECONDS = 1.0
PING_SECONDS = 20.0
WINDOW_ROUNDS = 5
PING = "event: ping\ndata: 1\n\n"


def message(body: dict[str, object]) -> str:
    return "data: " + json.dumps(body, separators=(",", ":")) + "\n\n"


@dataclass(eq=False)
class Stream:
    """One open page: whose attempt, through which session, and what waits to be sent."""

    attempt_id: str
    user_id: str
    holder: str | None  # the device lock key (the web session's token hash)
    token_hash: str
    last: str = ""  # the last state sent
    state: str | None = None  # the newest state not yet sent: a slow reader gets the latest, never a backlog
    ping: bool = False
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def send(self, text: str) -> None:
        self.state = text
        self.wake.set()

    def send_ping(self) -> None:
        self.ping = True
        self.wake.set()

    def end(self) -> None:
        self.closed = True
        self.wake.set()


class LiveHub:
    def __init__(
        self,
        db: Database,
        *,
        max_streams: int,
        idle_timeout: timedelta,
        feed_seconds: float = FEED_SECONDS,
        ping_seconds: float = PING_SECONDS,
    ) -> None:
        self.db = db
        self.max_streams = max_streams
        self.idle_timeout = idle_timeout
        self.feed_seconds = feed_seconds
        self.ping_seconds = ping_seconds
        self.streams: dict[str, set[Stream]] = {}
        self.count = 0
        self._task: asyncio.Task[None] | None = None
        self._marks: deque[int] = deque(maxlen=WINDOW_ROUNDS)
        self._seen: set[int] = set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Follow the feed from now on (the current last event id): call from the app's lifespan."""
        cursor = await self.db.read_core(live.last_event_id)
        self._marks.clear()
        self._marks.append(cursor)
        self._seen.clear()
        self._task = asyncio.create_task(self._run(), name="live-hub")

    async def stop(self) -> None:
        self._close_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def open(self, *, attempt_id: str, user_id: str, holder: str | None, token_hash: str) -> Stream | None:
        """A new stream, or None when the hub does not run here or holds max_streams already (the page polls)."""
        if not self.running or shutdown.stopping() or self.count >= self.max_streams:
            return None
        stream = Stream(attempt_id, user_id, holder, token_hash)
        self.streams.setdefault(attempt_id, set()).add(stream)
        self.count += 1
        return stream

    def close(self, stream: Stream) -> None:
        stream.closed = True
        group = self.streams.get(stream.attempt_id)
        if group is not None and stream in group:
            group.discard(stream)
            self.count -= 1
            if not group:
                del self.streams[stream.attempt_id]

    async def messages(self, stream: Stream, first: dict[str, object]) -> AsyncIterator[str]:
        """What the response sends: the full state, then each change and ping, until the stream is closed."""
        try:
            stream.last = message(first)
            yield stream.last
            while not stream.closed:
                await stream.wake.wait()
                stream.wake.clear()
                if stream.state is not None:
                    text, stream.state = stream.state, None
                    yield text
                if stream.ping:
                    stream.ping = False
                    yield PING
        finally:
            self.close(stream)

    def _all(self) -> list[Stream]:
        return [stream for group in self.streams.values() for stream in group]

    def _close_all(self) -> None:
        for stream in self._all():
            stream.end()
            self.close(stream)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_ping = loop.time() + self.ping_seconds
        while True:
            await asyncio.sleep(self.feed_seconds)
            if shutdown.stopping():
                self._close_all()
                continue
            try:
                await self.feed_round()
                if loop.time() >= next_ping:
                    next_ping = loop.time() + self.ping_seconds
                    await self.ping_round()
            except Exception:  # a busy or restarting database: the next round tries again
                log.exception("The live streams' round failed")

    async def feed_round(self) -> None:
        """Read the feed once; push the new state of each changed attempt that has streams here."""
        low = self._marks[0]
        rows = await self.db.read_core(live.changes_since, cursor=low)
        fresh = [(event_id, attempt_id) for event_id, attempt_id in rows if event_id not in self._seen]
        self._seen.update(event_id for event_id, _ in fresh)
        self._marks.append(max([self._marks[-1], *(event_id for event_id, _ in rows)]))
        self._seen = {event_id for event_id in self._seen if event_id > self._marks[0]}
        changed = {attempt_id for _, attempt_id in fresh if attempt_id in self.streams}
        if not changed:
            return
        targets = [stream for attempt_id in changed for stream in self.streams.get(attempt_id, ())]
        wanted = sorted({(s.attempt_id, s.user_id, s.holder) for s in targets}, key=str)
        states = await self.db.read_core(live.live_states, wanted=wanted, now=utcnow())
        for stream in targets:
            state = states.get((stream.attempt_id, stream.user_id, stream.holder))
            if not isinstance(state, live.LiveState):  # moved to another device, or gone: the page asks why
                stream.end()
                continue
            text = message(live.as_json(state))
            if text != stream.last:
                stream.last = text
                stream.send(text)

    async def ping_round(self) -> None:
        """Ping every stream, closing those whose session has ended (one batch read), and keep the others'
        sessions from going idle."""
        streams = self._all()
        if not streams:
            return
        now = utcnow()
        hashes = sorted({stream.token_hash for stream in streams})
        alive = await self.db.read_core(
            credentials.live_among, token_hashes=hashes, idle_timeout=self.idle_timeout, now=now
        )
        for stream in streams:
            if stream.token_hash in alive:
                stream.send_ping()
            else:
                stream.end()
        if alive:
            await self.db.run_core(credentials.touch_among, token_hashes=sorted(alive), now=now)
