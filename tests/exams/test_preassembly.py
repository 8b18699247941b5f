"""Pre-assembly: the job prepares forms for the right sittings, starts take them without assembling, fall back when
they are stale, two runs at once prepare each form once, and the exposure counters always equal the join."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from examengine import cli, migrate
from examengine.delivery import exposure, preassembly, prepared_forms
from examengine.delivery import start as start_module
from examengine.exams import service as exams_service
from examengine.exams.form_document import FormDocument
from examengine.exams.form_inputs import FormInputs, assemble_form
from examengine.exams.models import Sitting
from examengine.scoring import retake
from tests.conftest import TEST_ARGON2
from tests.exams.conftest import CAP, DRAWN, Loft


def ids_on(form: FormDocument) -> list[str]:
    return form.item_ids


@pytest.mark.parametrize(
    ("opens_in", "due"),
    [
        (timedelta(minutes=-1), True),  # open: late enrolments still get a form before they start
        (timedelta(minutes=30), True),
        (timedelta(minutes=60), True),  # exactly the lead time
        (timedelta(minutes=60, seconds=1), False),
        (timedelta(hours=-2), False),  # closes exactly now
        (timedelta(days=-1), False),
    ],
)
def test_the_job_prepares_forms_for_the_right_sittings_only(loft: Loft, opens_in: timedelta, due: bool) -> None:
    exam_id = loft.exam()
    sitting_id = loft.sitting(exam_id, opens_in=timedelta(0), who=loft.candidates[:3])
    opens_at = loft.call(lambda *, session: _sitting(session, sitting_id).opens_at, write=False)
    report = preassembly.prepare_due(
        loft.services.db, now=opens_at - opens_in, lead_minutes=60, eligible=retake.eligibility
    )
    prepared = loft.prepared(sitting_id)
    assert len(prepared) == (3 if due else 0)
    assert [s.sitting_id for s in report.sittings] == ([sitting_id] if due else [])
    if due:
        assert {p.number for p in prepared.values()} == {1}
        assert report.sittings[0].prepared_now == 3 and report.sittings[0].enrolled == 3


def test_start_takes_the_prepared_form_without_assembling(loft: Loft, monkeypatch: pytest.MonkeyPatch) -> None:
    sitting_id = loft.sitting(loft.exam())
    loft.prepare()
    prepared = loft.prepared(sitting_id)
    assert len(prepared) == len(loft.candidates)
    counted = loft.counters(sitting_id)
    assert counted == loft.recount(sitting_id) and sum(counted.values()) == DRAWN * len(loft.candidates)

    def no_assembly(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the start assembled or read the pools")

    for module, name in ((start_module, "assemble_form"), (start_module, "form_document")):
        monkeypatch.setattr(module, name, no_assembly)
    monkeypatch.setattr(exams_service, "pinned_pools", no_assembly)
    first = loft.candidates[0]
    attempt = loft.attempt(loft.start(sitting_id, first))
    assert attempt.seed == prepared[first.id].seed
    assert attempt.form.slots == prepared[first.id].form.slots
    assert (attempt.form.assembly or {})["prepared_at"]
    assert loft.started_prepared(attempt.id)
    assert first.id not in loft.prepared(sitting_id)
    assert loft.counters(sitting_id) == counted == loft.recount(sitting_id)  # counted once, when prepared


def test_a_prepared_form_reproduces_from_its_stored_seed(loft: Loft) -> None:
    """Forms are prepared one after another, each on the exposure of those before it: rebuilding them in that order
    from the stored seeds gives the same items, so the cap and enemy rules hold for them exactly as at start."""
    exam_id = loft.exam()
    sitting_id = loft.sitting(exam_id)
    loft.prepare()
    prepared = sorted(loft.prepared(sitting_id).values(), key=lambda p: p.user_id)

    def rebuild(*, session: Any) -> list[list[str]]:
        definition = exams_service.get_version(session=session, exam_id=exam_id).definition
        pools = exams_service.pinned_pools(session=session, exam_id=exam_id, version=1)
        exposure_so_far: Counter[str] = Counter()
        forms = []
        for number, form in enumerate(prepared):
            built = assemble_form(FormInputs(definition, pools, frozenset(), exposure_so_far, number), form.seed)
            forms.append([slot.item_id for section in built.sections for slot in section.slots])
            exposure_so_far.update(forms[-1])
        return forms

    assert loft.call(rebuild, write=False) == [ids_on(p.form) for p in prepared]
    enemies = {loft.items["q0"], loft.items["q1"]}
    assert all(len(enemies & set(ids_on(p.form))) <= 1 for p in prepared)
    assert max(loft.counters(sitting_id).values()) <= CAP * len(prepared)


def test_a_retake_after_the_job_ran_gets_a_fresh_form(loft: Loft) -> None:
    exam_id = loft.exam()
    first_sitting = loft.sitting(exam_id, who=loft.candidates[:1])
    second_sitting = loft.sitting(exam_id)
    loft.prepare()  # both sittings: the candidate's form in the second one was prepared for attempt 1
    cand = loft.candidates[0]
    stale = loft.prepared(second_sitting)[cand.id]
    assert stale.number == 1
    first = loft.attempt(loft.start(first_sitting, cand))
    loft.submit(first.id, cand)
    retake = loft.attempt(loft.start(second_sitting, cand))
    assert retake.number == 2 and not loft.started_prepared(retake.id)
    assert retake.seed != stale.seed
    assert not set(ids_on(first.form)) & set(ids_on(retake.form))  # seen items avoided: the pool allows it
    assert cand.id not in loft.prepared(second_sitting)
    for sitting_id in (first_sitting, second_sitting):
        assert loft.counters(sitting_id) == loft.recount(sitting_id)


def test_the_next_run_discards_forms_overtaken_or_of_closed_sittings(loft: Loft) -> None:
    exam_id = loft.exam()
    first_sitting = loft.sitting(exam_id, who=loft.candidates[:1])
    second_sitting = loft.sitting(exam_id, who=loft.candidates[:2])
    loft.prepare()
    cand = loft.candidates[0]
    loft.submit(loft.start(first_sitting, cand), cand)
    report = loft.prepare(before=timedelta(0))
    assert report.discarded == 1  # the second sitting's form of attempt 1, which the candidate made elsewhere
    assert report.sittings[1].prepared_now == 1 and loft.prepared(second_sitting)[cand.id].number == 2
    assert loft.counters(second_sitting) == loft.recount(second_sitting)
    closing = loft.prepare(before=timedelta(hours=-3))  # the job three hours from now: both sittings closed
    assert closing.discarded == 2 and closing.sittings == ()
    assert loft.prepared(second_sitting) == {} and loft.counters(second_sitting) == {}


def test_fallback_when_nothing_was_prepared(loft: Loft) -> None:
    sitting_id = loft.sitting(loft.exam())
    attempt = loft.attempt(loft.start(sitting_id, loft.candidates[0]))
    assert not loft.started_prepared(attempt.id)
    assert loft.counters(sitting_id) == loft.recount(sitting_id) == Counter(ids_on(attempt.form))


def test_warming_loads_the_pools_of_due_sittings_so_a_start_that_assembles_reads_none(
    loft: Loft, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At start-up and every minute a server loads the pools of sittings open or opening soon: a Start that
    assembles (nothing was prepared) then takes them from memory, not from a possibly large bank."""
    sitting_id = loft.sitting(loft.exam())
    loft.sitting(loft.exam(), opens_in=timedelta(days=2))  # not due: its pool is left alone
    loaded: list[tuple[str, int]] = []
    real_load = exams_service._load_pinned_pools

    def counting_load(session: Any, exam_id: str, version: int) -> Any:
        loaded.append((exam_id, version))
        return real_load(session, exam_id, version)

    loft.services.caches.clear()
    monkeypatch.setattr(exams_service, "_load_pinned_pools", counting_load)
    now = datetime.now(UTC)
    assert loft.call(preassembly.warm_pools, now=now, lead=timedelta(minutes=60), write=False) == 1
    assert len(loaded) == 1
    attempt = loft.attempt(loft.start(sitting_id, loft.candidates[0]))
    assert not loft.started_prepared(attempt.id) and len(loaded) == 1  # assembled from the warm pool


@pytest.mark.parametrize("runs", [2, 6])
def test_runs_at_once_prepare_each_form_once_and_a_later_one_adds_nothing(loft: Loft, runs: int) -> None:
    sitting_id = loft.sitting(loft.exam())
    reports: list[Any] = []
    runners = [threading.Thread(target=lambda: reports.append(loft.prepare())) for _ in range(runs)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert len(reports) == runs and all(not r.sittings[0].problem for r in reports)
    assert sum(r.sittings[0].prepared_now for r in reports) == len(loft.candidates), reports
    assert len(loft.prepared(sitting_id)) == len(loft.candidates)
    assert loft.counters(sitting_id) == loft.recount(sitting_id)
    assert sum(loft.counters(sitting_id).values()) == DRAWN * len(loft.candidates)
    again = loft.prepare()
    assert again.sittings[0].prepared_now == 0 and again.discarded == 0


def test_a_batch_whose_candidates_were_prepared_meanwhile_stores_and_counts_nothing(loft: Loft) -> None:
    """Another run stored these candidates' forms after this batch read them as formless: the insert-or-nothing
    stores nothing and counts nothing (PostgreSQL reports no rowcount for an INSERT, so it must not be trusted)."""
    sitting_id = loft.sitting(loft.exam())
    now = datetime.now(UTC) - timedelta(minutes=30)
    wanted = loft.call(preassembly.pending, sitting_id=sitting_id, now=now, eligible=retake.eligibility, write=False)
    batch = loft.call(preassembly.build_batch, sitting_id=sitting_id, candidates=wanted, now=now, write=False)
    assert loft.call(preassembly.store_batch, batch=batch, now=now) == len(loft.candidates)
    counted = loft.counters(sitting_id)
    late = preassembly.Batch(batch.sitting_id, batch.exam_id, batch.exam_version, len(loft.candidates), batch.drafts)
    assert loft.call(preassembly.store_batch, batch=late, now=now) == 0
    assert loft.counters(sitting_id) == counted == loft.recount(sitting_id)
    assert len(loft.prepared(sitting_id)) == len(loft.candidates)


def test_counters_equal_the_join_after_prepared_and_on_the_fly_starts(loft: Loft) -> None:
    exam_id = loft.exam()
    elsewhere = loft.sitting(exam_id, who=loft.candidates[:1])
    sitting_id = loft.sitting(exam_id)
    loft.prepare()
    for cand in loft.candidates[1:3]:  # prepared forms thrown away: these two assemble at start
        assert loft.call(prepared_forms.discard, sitting_id=sitting_id, user_id=cand.id)
    loft.submit(loft.start(elsewhere, loft.candidates[0]), loft.candidates[0])  # its prepared form is now stale

    loft.start_at_once(sitting_id, loft.candidates)
    started = {c.id: loft.running(sitting_id, c.id) for c in loft.candidates}
    assert sorted(loft.started_prepared(attempt.id) for attempt in started.values()) == [False] * 3 + [True] * 5
    for cand in loft.candidates[:2]:  # two retakes in the same sitting, assembled at start
        loft.submit(started[cand.id].id, cand)
        loft.start(sitting_id, cand)
    assert loft.prepared(sitting_id) == {}
    join = loft.call(lambda *, session: exposure.attempt_counts(session, sitting_id), write=False)
    assert loft.counters(sitting_id) == dict(join) == loft.recount(sitting_id)
    assert sum(join.values()) == DRAWN * (len(loft.candidates) + 2)


def test_fixed_forms_are_prepared_in_rotation_and_a_retake_gets_another(loft: Loft) -> None:
    exam_id = loft.exam(assembly="fixed", forms=2, max_exposure=None)
    sitting_id = loft.sitting(exam_id, who=loft.candidates[:4])
    loft.prepare()
    prepared = sorted(loft.prepared(sitting_id).values(), key=lambda p: p.user_id)
    assert [p.form.form_name for p in prepared] == ["Form A", "Form B", "Form A", "Form B"]
    assert ids_on(prepared[0].form) == ids_on(prepared[2].form) != ids_on(prepared[1].form)
    cand = next(c for c in loft.candidates if c.id == prepared[0].user_id)
    first = loft.attempt(loft.start(sitting_id, cand))
    assert first.form.form_name == "Form A" and loft.started_prepared(first.id)
    loft.submit(first.id, cand)
    retake = loft.attempt(loft.start(sitting_id, cand))
    assert retake.form.form_name == "Form B" and not loft.started_prepared(retake.id)


def test_the_command_prepares_a_sitting_now(
    loft: Loft, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", loft.services.settings.database_url)
    monkeypatch.setenv("EXAMENGINE_ARGON2_MEMORY_KIB", str(TEST_ARGON2.memory_kib))
    monkeypatch.setenv("EXAMENGINE_ARGON2_TIME_COST", str(TEST_ARGON2.time_cost))
    later = loft.sitting(loft.exam(), opens_in=timedelta(days=2))  # beyond the lead time: named, so prepared
    assert cli.main(["preassemble"]) == 0
    assert "No sitting opens within 60 minutes." in capsys.readouterr().out
    assert cli.main(["preassemble", "--sitting", later]) == 0
    assert f"Sitting {later}: 8 forms prepared now; forms prepared: 8 of 8 enrolled." in capsys.readouterr().out
    assert cli.main(["preassemble", "--sitting", "nosuch"]) == 2
    assert "No such sitting." in capsys.readouterr().err


def test_the_upgrade_backfills_the_counters_of_sittings_under_way(loft: Loft) -> None:
    sitting_id = loft.sitting(loft.exam())
    for cand in loft.candidates[:5]:
        loft.start(sitting_id, cand)
    engine = loft.services.db.engine
    with engine.begin() as connection:  # back to the schema 0013 starts from
        connection.execute(text("DROP TABLE prepared_form"))
        connection.execute(text("DROP TABLE exposure_count"))
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0012'"))
    migrate.upgrade(engine, "0013")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    join = loft.call(lambda *, session: exposure.attempt_counts(session, sitting_id), write=False)
    assert loft.counters(sitting_id) == dict(join) and sum(join.values()) == 5 * DRAWN


def test_starts_replacing_stale_forms_at_once_keep_the_counters(loft: Loft) -> None:
    exam_id = loft.exam()
    elsewhere, sitting_id = loft.sitting(exam_id), loft.sitting(exam_id)
    loft.prepare()
    for cand in loft.candidates:  # every form prepared in the second sitting is now for an attempt already made
        loft.submit(loft.start(elsewhere, cand), cand)
    loft.start_at_once(sitting_id, loft.candidates)
    started = [loft.running(sitting_id, c.id) for c in loft.candidates]
    assert [loft.started_prepared(a.id) for a in started] == [False] * len(loft.candidates)
    assert all(a.number == 2 for a in started) and loft.prepared(sitting_id) == {}
    join = loft.call(lambda *, session: exposure.attempt_counts(session, sitting_id), write=False)
    assert loft.counters(sitting_id) == dict(join) == loft.recount(sitting_id)


def _sitting(session: Session, sitting_id: str) -> Sitting:
    found = session.get(Sitting, sitting_id)
    assert found is not None
    return found
