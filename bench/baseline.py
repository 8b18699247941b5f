"""The ceilings the load benchmark compares the engine with: bare Starlette endpoints on the same machine, served
by uvicorn with the same settings as the engine.

- `PUT /save/{key}/{slot}` `{response, seq}`: the same single-row upsert as a save (guarded by seq), on the same
  engine set-up (`examengine.db.Database`: WAL and synchronous=FULL on SQLite, BEGIN IMMEDIATE), committed off
  the event loop before the 200, and nothing else: no authentication, no attempt check, no event row.
- `GET /page`: a Jinja2 page of `BENCH_PAGE_BYTES` bytes (the size of the engine's item page), rendered per request.
- `GET /live/{key}`: one Core read of one row by its primary key, answered as a small JSON body with no-store: the
  least a poll of the exam page's live channel can do (no authentication, no attempt, no clock).

    DATABASE_URL=... BENCH_PAGE_BYTES=9000 uvicorn bench.baseline:app
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy import JSON, BigInteger, Column, Connection, Integer, MetaData, String, Table, bindparam, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from examengine.clock import utcnow
from examengine.db import Database, UTCDateTime, dialect_insert

# Its own metadata: the table lives only in the benchmark's scratch database, never in the migrations.
baseline_metadata = MetaData()
baseline_slot = Table(
    "bench_baseline_slot",
    baseline_metadata,
    Column("key", String(32), primary_key=True),
    Column("slot", Integer, primary_key=True, autoincrement=False),
    Column("response", JSON, nullable=True),
    Column("seq", BigInteger, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
)

PAGE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<form method="post">{% for paragraph in paragraphs %}
<p><label><input type="radio" name="answer" value="{{ loop.index }}"> {{ paragraph }}</label></p>{% endfor %}
<button type="submit">Save and next</button></form></main></body></html>
"""
)


def page_context(size: int) -> dict[str, Any]:
    """Paragraphs that make the rendered page about `size` bytes long."""
    paragraph = "The quick brown fox checks the fire exit before the drill begins. " * 2
    per_paragraph = len(paragraph) + 70  # the label and input around it
    return {"title": "Question 1 of 20", "paragraphs": [paragraph] * max(1, (size - 300) // per_paragraph)}


def upsert(*, session: Session, key: str, slot: int, response: Any, seq: int, now: datetime) -> int:
    statement = dialect_insert(session, baseline_slot).values(
        key=key, slot=slot, response=response, seq=seq, saved_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key", "slot"],
            set_={"response": statement.excluded.response, "seq": statement.excluded.seq, "saved_at": now},
            where=baseline_slot.c.seq < statement.excluded.seq,
        )
    )
    return seq


ROW_BY_KEY = select(baseline_slot.c.seq, baseline_slot.c.saved_at).where(
    baseline_slot.c.key == bindparam("b_key"), baseline_slot.c.slot == 1
)


def read_row(*, connection: Connection, key: str) -> dict[str, Any]:
    row = connection.execute(ROW_BY_KEY, {"b_key": key}).one_or_none()
    return {"seq": None, "saved_at": None} if row is None else {"seq": row.seq, "saved_at": row.saved_at.isoformat()}


def create_app(database_url: str, page_bytes: int) -> Starlette:
    db = Database(database_url)
    baseline_metadata.create_all(db.engine)
    context = page_context(page_bytes)

    async def save(request: Request) -> Response:
        body = json.loads(await request.body())
        seq = await db.run(
            upsert,
            key=request.path_params["key"][:32],
            slot=int(request.path_params["slot"]),
            response=body["response"],
            seq=int(body["seq"]),
            now=utcnow(),
        )
        return JSONResponse({"saved_seq": seq})

    async def page(_request: Request) -> Response:
        return HTMLResponse(PAGE.render(context))

    async def live(request: Request) -> Response:
        body = await db.read_core(read_row, key=request.path_params["key"][:32])
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/save/{key}/{slot:int}", save, methods=["PUT"]),
            Route("/page", page),
            Route("/live/{key}", live),
            Route("/healthz", health),
        ]
    )


def drop_table(database_url: str) -> None:
    db = Database(database_url)
    baseline_metadata.drop_all(db.engine)
    db.dispose()


def __getattr__(name: str) -> Starlette:
    # uvicorn imports `app`: built on first access so that importing the module (tests, the driver) costs nothing.
    if name == "app":
        return create_app(os.environ["DATABASE_URL"], int(os.environ.get("BENCH_PAGE_BYTES", "8000")))
    raise AttributeError(name)
