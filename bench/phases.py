"""What simulated candidates do, phase by phase, through the public JSON API (and the item page a browser loads):
log in, press Start, read the first item, answer with think time, submit; and the capacity sweeps that find the
highest rate an endpoint sustains within the latency target."""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from bench.driver import Driver, Recorder, open_loop
from bench.seed import Candidate
from examengine.delivery import presented
from examengine.delivery.models import Attempt
from itembank.presentation import Presentation, presented_response

NAVIGATE_SHARE = 0.5  # half the saves follow a move to the next item; the others change the current answer
SWEEP_RATES = (25, 50, 100, 200, 400, 800, 1600, 3200, 6400, 12800)
PHASE_START_DELAY = 0.05
WARM_TICKS = 4  # think times of saves "before" the sustained phase, so that it starts with a steady rate
WARM_UP_REQUESTS = 20
KEEPING_UP = 0.9  # answers per second as a share of the offered rate
LIVE_POLL_SECONDS = 3.0  # every open exam page asks its live channel this often (POLL_MS in static/live.js)
OPENING_PER_S = 100  # item pages loaded per second for candidates whose page is not open yet before the live phase


def answer(seq: int) -> str:
    """The answer sent with `seq`: a pure function of it, so the stored row can be checked after the run."""
    return "ABCD"[seq % 4]


@dataclass
class Sitter:
    """One simulated candidate: credentials, attempt, and per slot the last seq sent and the highest acknowledged."""

    candidate: Candidate
    attempt_id: str = ""
    slots: list[int] = field(default_factory=list)
    position: int = 0
    seqs: dict[int, int] = field(default_factory=dict)
    acked: dict[int, int] = field(default_factory=dict)
    acknowledged: int = 0
    page_open: bool = False  # an item page loaded in its browser session, which holds the attempt (the device lock)
    # slot -> answer(seq) -> (what the client sends: the identifier its attempt shows, what is stored: authored)
    shown: dict[int, dict[str, tuple[Any, Any]]] = field(default_factory=dict)

    def answer(self, slot: int, seq: int) -> Any:
        """`answer(seq)` as this candidate sends it: in the identifiers their attempt shows for the slot."""
        return self.shown.get(slot, {}).get(answer(seq), (answer(seq), None))[0]

    def stored_answer(self, slot: int, seq: int) -> Any:
        """What the server must store for the save with `seq`: the authored form of `answer`."""
        return self.shown.get(slot, {}).get(answer(seq), (None, answer(seq)))[1]

    @property
    def api(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.candidate.api_token}"}

    @property
    def browser(self) -> dict[str, str]:
        return {"Cookie": f"ee_session={self.candidate.web_token}"}

    def item_page(self, slot: int) -> str:
        return f"/candidate/attempts/{self.attempt_id}/items/{slot}"

    @property
    def live(self) -> str:
        return f"/candidate/attempts/{self.attempt_id}/live"


async def load_page(driver: Driver, recorder: Recorder, sitter: Sitter, intended: float) -> None:
    """The candidate's browser loads the current item page (its session takes the attempt's device lock)."""
    body = await driver.request(
        recorder, "GET", sitter.item_page(sitter.slots[sitter.position]), intended, headers=sitter.browser
    )
    if body is not None:
        sitter.page_open = True


async def save(driver: Driver, recorder: Recorder, sitter: Sitter, slot: int, intended: float) -> None:
    seq = sitter.seqs.get(slot, 0) + 1
    sitter.seqs[slot] = seq
    body = await driver.request(
        recorder,
        "PUT",
        f"/api/v1/attempts/{sitter.attempt_id}/responses/{slot}",
        intended,
        headers=sitter.api,
        json={"response": sitter.answer(slot, seq), "seq": seq},
    )
    if body is not None:
        sitter.acknowledged += 1
        sitter.acked[slot] = max(sitter.acked.get(slot, 0), seq)


def learn_shown(*, session: Session, sitters: Sequence[Sitter]) -> None:
    """What each started candidate's client learns from its item views: the identifier shown for each option
    (read here from the attempt's presentation, so the check can compare stored answers with `answer(seq)`)."""
    for sitter in sitters:
        attempt = session.get(Attempt, sitter.attempt_id) if sitter.attempt_id else None
        if attempt is not None:
            sitter.shown = {
                slot: _letters(presented.slot_presentation(session, attempt, slot)) for slot in sitter.slots
            }


def _letters(shown: Presentation) -> dict[str, tuple[Any, Any]]:
    """Each of answer()'s letters as sent and as stored: an option's own letter where the item has one, else (a
    true/false item) the option in that place; text items take the letter as text."""
    one = shown.interactions.get(shown.single or "")
    if one is None:
        return {letter: (letter, letter) for letter in "ABCD"}
    authored = [
        letter if letter in one.choice_ids else one.choices[n % len(one.choices)] for n, letter in enumerate("ABCD")
    ]
    return {letter: (presented_response(shown, a), a) for letter, a in zip("ABCD", authored, strict=True)}


async def login_burst(driver: Driver, sitters: Sequence[Sitter], password: str, recorder: Recorder) -> None:
    """Everyone sends their password at the same moment (the queue in front of a sitting's start time)."""
    at = driver.now() + PHASE_START_DELAY
    await asyncio.gather(
        *(
            driver.request(
                recorder,
                "POST",
                "/api/v1/auth/token",
                at,
                expect=(201,),
                json={"email": s.candidate.email, "password": password},
            )
            for s in sitters
        )
    )


async def start_all(
    driver: Driver, sitters: Sequence[Sitter], sitting_id: str, spread_seconds: float, start: Recorder, first: Recorder
) -> None:
    """Candidates press Start evenly spread over `spread_seconds`, then load their first item; the first item's
    latency counts from the moment they pressed Start."""
    at = driver.now() + PHASE_START_DELAY

    async def press(index: int, sitter: Sitter) -> None:
        intended = at + spread_seconds * index / max(1, len(sitters))
        body = await driver.request(
            start, "POST", f"/api/v1/sittings/{sitting_id}/attempts", intended, expect=(200, 201), headers=sitter.api
        )
        if body is None:
            return
        started = json.loads(body)
        sitter.attempt_id = started["attempt_id"]
        sitter.slots = [slot["slot"] for section in started["sections"] for slot in section["slots"]]
        await driver.request(
            first, "GET", f"/api/v1/attempts/{sitter.attempt_id}/items/{sitter.slots[0]}", intended, headers=sitter.api
        )

    await asyncio.gather(*(press(n, s) for n, s in enumerate(sitters)))


async def sustained(
    driver: Driver, sitters: Sequence[Sitter], *, seconds: float, think: float, saves: Recorder, pages: Recorder
) -> None:
    """Each candidate saves once per think time (uniform jitter ±50%, so the offered rate is candidates/think),
    half the time after loading the next item's page. Open loop: a late answer delays nothing that follows."""
    began = driver.now() + PHASE_START_DELAY
    ends = began + seconds
    reading = min(1.0, think / 10)  # between the page arriving and the click that saves

    async def sit(sitter: Sitter) -> None:
        rng = random.Random(sitter.candidate.index)
        # Each candidate's saves began long before the phase: ticks drawn from WARM_TICKS earlier think times on,
        # so that the offered rate is candidates/think from the first second. Starting every candidate's first
        # tick within one think time instead offers up to half as much again while the first and second ticks
        # overlap (726 a second for 10,000 candidates, not 500).
        tick = began - WARM_TICKS * think + rng.uniform(0, think)
        while tick < began:
            tick += think * rng.uniform(0.5, 1.5)
        while tick < ends and driver.now() < ends:  # a candidate far behind stops at the end, too
            if rng.random() < NAVIGATE_SHARE:
                sitter.position = (sitter.position + 1) % len(sitter.slots)
                await load_page(driver, pages, sitter, tick)
            await save(driver, saves, sitter, sitter.slots[sitter.position], tick + reading)
            tick += think * rng.uniform(0.5, 1.5)

    await asyncio.gather(*(sit(s) for s in sitters if s.attempt_id))


async def open_pages(driver: Driver, sitters: Sequence[Sitter], rate: float, recorder: Recorder) -> None:
    """Every started candidate whose browser has not loaded an item page yet loads one (an exam page is open before
    it polls, and its session then holds the attempt), at `rate` per second."""
    closed = [s for s in sitters if s.attempt_id and not s.page_open]

    async def send(n: int, intended: float) -> None:
        await load_page(driver, recorder, closed[n], intended)

    if closed:
        await open_loop(rate, len(closed) / rate, send)


async def live_polling(driver: Driver, sitters: Sequence[Sitter], seconds: float, recorder: Recorder) -> None:
    """Every open exam page polls its live channel once per LIVE_POLL_SECONDS, evenly spread (open loop: the
    offered rate is open pages / LIVE_POLL_SECONDS whatever the answers do)."""
    running = [s for s in sitters if s.attempt_id and s.page_open]

    async def send(n: int, intended: float) -> None:
        await driver.request(
            recorder, "GET", running[n % len(running)].live, intended, headers=running[n % len(running)].browser
        )

    if running:
        await open_loop(len(running) / LIVE_POLL_SECONDS, seconds, send)


async def submit_all(driver: Driver, sitters: Sequence[Sitter], rate: float, recorder: Recorder) -> None:
    running = [s for s in sitters if s.attempt_id]

    async def send(n: int, intended: float) -> None:
        sitter = running[n]
        await driver.request(
            recorder, "POST", f"/api/v1/attempts/{sitter.attempt_id}/submit", intended, headers=sitter.api
        )

    if running:
        await open_loop(rate, len(running) / rate, send)


Send = Callable[[Recorder, int, float], Coroutine[Any, Any, Any]]


async def capacity(
    driver: Driver,
    name: str,
    send: Send,
    *,
    step_seconds: float,
    step_requests: int,
    max_rate: int,
    p99_limit_ms: float,
) -> dict[str, Any]:
    """Offer rising constant rates, doubling, and find two figures: the highest rate that kept p99 within the limit
    with no errors (with one more step between it and the next), and the most answers per second the endpoint
    gave at any rate (the sweep goes on past the latency limit until the endpoint no longer keeps up with the
    offered rate). A step lasts `step_seconds` and at least `step_requests` requests, so that its p99 is not just
    its slowest request."""
    steps: list[dict[str, Any]] = []
    warm_up = Recorder(f"{name} warm-up")  # connections, threads and caches; not counted
    await open_loop(WARM_UP_REQUESTS, 1.0, lambda n, at: send(warm_up, n, at))

    async def step(rate: int) -> dict[str, Any]:
        recorder = Recorder(f"{name} at {rate}/s")
        seconds = max(step_seconds, step_requests / rate)
        await driver.phase(recorder, open_loop(rate, seconds, lambda n, at: send(recorder, n, at)))
        figures = {"offered_per_s": rate, **recorder.summary()}
        # answers per second over the time they took, the stragglers after the step included
        figures["ok_per_s"] = round(figures["ok"] / figures["seconds"], 1) if figures["seconds"] else 0.0
        figures["passed"] = figures["errors"] == 0 and figures["p99_ms"] <= p99_limit_ms
        figures["kept_up"] = figures["errors"] == 0 and figures["ok_per_s"] >= KEEPING_UP * rate
        steps.append(figures)
        return figures

    best, first_miss = 0, 0
    for rate in [r for r in SWEEP_RATES if r <= max_rate] or [max_rate]:
        figures = await step(rate)
        if figures["passed"] and not first_miss:
            best = rate
        elif not first_miss:
            first_miss = rate
        if not figures["kept_up"]:
            break
    if best and first_miss:
        between = round(math.sqrt(best * first_miss))
        if (await step(between))["passed"]:
            best = between
    return {
        "rate_per_s": best,
        "p99_limit_ms": p99_limit_ms,
        "peak_ok_per_s": max(s["ok_per_s"] for s in steps),
        "steps": steps,
    }


def app_save_sender(driver: Driver, sitters: Sequence[Sitter]) -> Send:
    running = [s for s in sitters if s.attempt_id]

    async def send(recorder: Recorder, n: int, intended: float) -> None:
        sitter = running[n % len(running)]
        slot = sitter.slots[(n // len(running)) % len(sitter.slots)]
        await save(driver, recorder, sitter, slot, intended)

    return send


def app_page_sender(driver: Driver, sitters: Sequence[Sitter]) -> Send:
    running = [s for s in sitters if s.attempt_id]

    async def send(recorder: Recorder, n: int, intended: float) -> None:
        sitter = running[n % len(running)]
        slot = sitter.slots[(n // len(running)) % len(sitter.slots)]
        await driver.request(recorder, "GET", sitter.item_page(slot), intended, headers=sitter.browser)

    return send


def app_live_sender(driver: Driver, sitters: Sequence[Sitter]) -> Send:
    running = [s for s in sitters if s.attempt_id and s.page_open]

    async def send(recorder: Recorder, n: int, intended: float) -> None:
        sitter = running[n % len(running)]
        await driver.request(recorder, "GET", sitter.live, intended, headers=sitter.browser)

    return send


def baseline_save_sender(driver: Driver, keys: int, slots: int) -> Send:
    seqs: dict[tuple[int, int], int] = {}

    async def send(recorder: Recorder, n: int, intended: float) -> None:
        key, slot = n % keys, (n // keys) % slots + 1
        seq = seqs[key, slot] = seqs.get((key, slot), 0) + 1
        await driver.request(
            recorder, "PUT", f"/save/k{key}/{slot}", intended, json={"response": answer(seq), "seq": seq}
        )

    return send


def baseline_page_sender(driver: Driver) -> Send:
    async def send(recorder: Recorder, _n: int, intended: float) -> None:
        await driver.request(recorder, "GET", "/page", intended)

    return send


def baseline_live_sender(driver: Driver, keys: int) -> Send:
    """The bare one-row read, over the rows the bare save sweep wrote (the same keys as baseline_save_sender)."""

    async def send(recorder: Recorder, n: int, intended: float) -> None:
        await driver.request(recorder, "GET", f"/live/k{n % keys}", intended)

    return send
