"""A small exam program with scored attempts, built through the real services, for the analysis tests.

The bank: s1, s2, s3 single choice with options A, B, C (key A, domain D1, 1 point each) and m1, a multiple
response item worth 2 points (A +1, B -1, C +1; domain D2).

FIXED_ANSWERS: five candidates on a fixed form of s1, s2, s3 (c3 leaves s3 blank). Their scores:

    candidate  s1 s2 s3  total
    c1          A  A  A   3
    c2          A  A  B   2
    c3          A  B  -   1
    c4          B  C  A   1
    c5          C  B  B   0
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.exams import service as exams
from itembank import importing, workflow
from itembank.models import ItemStatus
from tests.scoring.conftest import Program

OPTIONS = [{"id": "A", "text": "a", "correct": True}, {"id": "B", "text": "b"}, {"id": "C", "text": "c"}]
ANALYSIS_BANK: list[dict[str, Any]] = [
    *(
        {
            "id": name,
            "kind": "single_choice",
            "stem": f"<p>{name}</p>",
            "options": OPTIONS,
            "metadata": {"domain": "D1"},
        }
        for name in ("s1", "s2", "s3")
    ),
    {
        "id": "m1",
        "kind": "multiple_response",
        "stem": "<p>m1</p>",
        "points": 2,
        "options": [
            {"id": "A", "text": "a", "weight": 1},
            {"id": "B", "text": "b", "weight": -1},
            {"id": "C", "text": "c", "weight": 1},
        ],
        "metadata": {"domain": "D2"},
    },
]
FIXED_ANSWERS: list[dict[str, Any]] = [
    {"s1": "A", "s2": "A", "s3": "A"},
    {"s1": "A", "s2": "A", "s3": "B"},
    {"s1": "A", "s2": "B"},
    {"s1": "B", "s2": "C", "s3": "A"},
    {"s1": "C", "s2": "B", "s3": "B"},
]


def build_program(services: Services, make_user: Callable[..., UserView], candidates: int = 5) -> Program:
    admin = make_user("admin@example.org", "admin")
    author = make_user("author@example.org", "author")
    people = [make_user(f"c{n + 1}@example.org", "candidate", name=f"Candidate {n + 1}") for n in range(candidates)]
    upload = importing.read_upload("bank.json", json.dumps({"items": ANALYSIS_BANK}).encode())
    report = services.db.call(importing.import_items, result=upload, actor_id=author.id)
    items = {spec["id"]: ref.item_id for spec, ref in zip(ANALYSIS_BANK, report.imported, strict=True)}
    for item_id in items.values():
        for to, actor in ((ItemStatus.REVIEW, author), (ItemStatus.APPROVED, admin)):
            services.db.call(workflow.transition, item_id=item_id, version=1, to=to, actor_id=actor.id)
    return Program(services, admin, people, items)


def _exam(program: Program, assembly: str, section: dict[str, Any]) -> tuple[str, str]:
    body = {
        "code": f"ANALYSIS-{next(program.codes)}",
        "title": "Analysis",
        "time_limit_minutes": 60,
        "assembly": assembly,
        "sections": [{"title": "All", **section}],
        "cut_score": {"type": "percent", "value": 70},
        "retake_policy": {"max_attempts": 50},
        "result_release": "immediate",
    }
    exam_id = program.call(
        exams.create_exam, definition=exams.parse_definition(body), actor_id=program.admin.id
    ).exam_id
    program.call(exams.publish, exam_id=exam_id, actor_id=program.admin.id)
    return exam_id, program.sitting(exam_id)


def fixed_exam(program: Program, *names: str) -> tuple[str, str]:
    """A published fixed-form exam of the named items (cut 70%) and an open sitting for every candidate."""
    items = [{"item_id": program.items[n], "version": 1} for n in names or ("s1", "s2", "s3")]
    return _exam(program, "fixed", {"items": items})


def loft_exam(program: Program, count: int) -> tuple[str, str]:
    """A published LOFT exam drawing `count` of the three D1 items per form."""
    return _exam(program, "loft", {"draw": [{"domain": "D1", "count": count}]})


def take_fixed(program: Program, sitting_id: str) -> list[str]:
    """The five FIXED_ANSWERS attempts, submitted and scored; their ids in candidate order."""
    return [
        program.take(sitting_id, who, answers) for who, answers in zip(program.candidates, FIXED_ANSWERS, strict=False)
    ]
