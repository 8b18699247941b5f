"""The definition's own normalising: what a blueprint says is read one way only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from examengine.exams.definition import ExamDefinition


def definition(release_at: str) -> ExamDefinition:
    return ExamDefinition.model_validate(
        {
            "code": "REL-1",
            "title": "Release times",
            "sections": [{"title": "Only", "draw": [{"domain": "D1", "count": 1}]}],
            "result_release": "on_date",
            "release_at": release_at,
        }
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2030-01-01T09:00:00", datetime(2030, 1, 1, 9, 0, tzinfo=UTC)),  # no zone: read as UTC
        ("2030-01-01T09:00:00Z", datetime(2030, 1, 1, 9, 0, tzinfo=UTC)),
        ("2030-01-01T11:00:00+02:00", datetime(2030, 1, 1, 9, 0, tzinfo=UTC)),
    ],
)
def test_release_time_is_always_a_moment_in_utc(written: str, meant: datetime) -> None:
    release_at = definition(written).release_at
    assert release_at == meant
    assert release_at is not None and release_at.utcoffset() == timedelta(0)
    assert release_at > datetime(2029, 12, 31, tzinfo=timezone(timedelta(hours=5)))  # comparable with aware times
