"""The doors hold no business rules: the handler modules of the HTML pages (examengine/web/pages) and of the JSON API
(examengine/api) parse, call one service function and render. Who may do what to which object is decided in the
services (which take the acting principal) and, for the coarse role gate, in the URL table's access rules
(examengine/web/access.py, web/routes.py); database queries are written in the services.

Read from the source (AST), so that a new handler that checks a role or builds a query fails here:
- a role check: `Role.X`, `... in principal.roles`, `principal.has_any(...)`;
- a query: anything imported from sqlalchemy, anything but `Session` (the unit of work's type) from sqlmodel, and a
  method called on a session (`session.get`, `session.execute`, `.scalars`, ...) or `.execute`/`.exec`/`.scalars`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOORS = ("examengine/web/pages", "examengine/api")
QUERY_METHODS = frozenset({"execute", "exec", "scalars", "scalar"})

# (module, finding) -> why it must stay in the door. Empty: add an entry only with its reason.
ALLOWED: dict[tuple[str, str], str] = {}


def handler_modules() -> list[Path]:
    return sorted(path for door in DOORS for path in (ROOT / door).glob("*.py"))


def findings(source: str) -> list[str]:
    """What in this module is a role check or a query, as `line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
            found.append(f"{line}: role check Role.{node.attr}")
        elif isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            if any(isinstance(c, ast.Attribute) and c.attr == "roles" for c in node.comparators):
                found.append(f"{line}: role check `in ....roles`")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if node.func.attr == "has_any":
                found.append(f"{line}: role check .has_any()")
            elif node.func.attr in QUERY_METHODS or (isinstance(target, ast.Name) and target.id == "session"):
                found.append(f"{line}: query .{node.func.attr}()")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "sqlalchemy":
                found.append(f"{line}: query construction imported from {node.module}")
            elif node.module.split(".")[0] == "sqlmodel":
                found += [
                    f"{line}: query construction {a.name} from sqlmodel" for a in node.names if a.name != "Session"
                ]
        elif isinstance(node, ast.Import):
            found += [f"{line}: imports {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
    return found


def test_the_doors_have_handler_modules() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in handler_modules()}
    assert {"examengine/web/pages/candidate.py", "examengine/api/delivery.py"} <= names


def test_no_handler_checks_a_role_or_queries_the_database() -> None:
    offending = []
    for path in handler_modules():
        module = path.relative_to(ROOT).as_posix()
        for finding in findings(path.read_text(encoding="utf-8")):
            if (module, finding.split(": ", 1)[1]) not in ALLOWED:
                offending.append(f"{module}:{finding}")
    assert offending == [], "move these into the services (or the access table):\n" + "\n".join(offending)


def test_the_reader_finds_each_kind_of_rule() -> None:
    """The checks above can fail: each pattern of a rule written in a handler is found."""
    source = """
from sqlalchemy import select
from sqlmodel import Session, col
import sqlalchemy.orm

def handler(who, session: Session):
    if Role.ADMIN not in who.roles or who.has_any(ADMINS):
        session.get(User, who.user_id)
    rows = db.execute(select(User))
"""
    kinds = [finding.split(": ", 1)[1] for finding in findings(source)]
    assert sorted(kinds) == sorted(
        [
            "query construction imported from sqlalchemy",
            "query construction col from sqlmodel",
            "imports sqlalchemy.orm",
            "role check Role.ADMIN",
            "role check `in ....roles`",
            "role check .has_any()",
            "query .get()",
            "query .execute()",
        ]
    )
    assert findings("def handler(*, session: Session) -> None:\n    service.run(session=session)\n") == []


def test_allowed_entries_still_happen() -> None:
    """An allowance for something no longer in the doors goes, so that it cannot come back unnoticed."""
    present = {
        (path.relative_to(ROOT).as_posix(), finding.split(": ", 1)[1])
        for path in handler_modules()
        for finding in findings(path.read_text(encoding="utf-8"))
    }
    assert sorted(set(ALLOWED) - present) == []
