"""The packages' layers, read from the import graph: a package imports only its own layer and the ones below.

Layers, lowest first (STYLE.md; issue 18): the core, then the audit trail and accounts, the item bank, exams,
delivery, scoring, human marking, certificates, proctoring with analysis, standard setting and the cross-domain
workflows, the services' context, what both doors share (http), the JSON API, the web pages, and on top the
composition roots that wire everything together. Every import counts, at module level or inside a function (a
function-level import hides a cycle, it does not remove it).

No exceptions: the seven upward imports this test once listed as known (issue 18) are gone, and a new one fails.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset(
        {"clock", "ids", "errors", "shutdown", "csv_export", "group_commit", "caches", "db", "prepared", "settings"}
    ),
    frozenset(
        {"audit", "accounts", "organisation", "mail"}
    ),  # mail: the outbox accounts write to in their own unit of work
    frozenset({"itembank"}),
    frozenset({"exams"}),
    frozenset({"delivery"}),
    frozenset({"scoring"}),
    frozenset({"marking"}),
    frozenset({"certificates"}),
    frozenset({"programs"}),  # credential programs: schemes, eligibility, bookings, credentials, appeals
    frozenset({"proctoring", "analysis", "standards", "workflows"}),  # workflows: the use cases both doors call
    frozenset({"context"}),  # the services every request and job shares
    frozenset({"http"}),  # what both doors share: the request's services and principal, parameters, JSON
    frozenset({"api"}),
    frozenset({"web"}),
    frozenset({"app", "asgi", "scheduler", "cli", "demo", "models", "migrate", "migrations", "backup"}),
    frozenset({"bench"}),  # the top-level benchmarks (not installed): they may use anything, nothing uses them
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def _package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] in ("itembank", "bench"):
        return parts[0]
    if parts[0] == "examengine" and len(parts) > 1:
        return parts[1]
    return None


def import_graph() -> dict[tuple[str, str], list[str]]:
    """(importer package, imported package) -> the files with such an import."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    files = [*ROOT.glob("examengine/**/*.py"), *ROOT.glob("itembank/**/*.py"), *ROOT.glob("bench/**/*.py")]
    for path in files:
        relative = path.relative_to(ROOT)
        if relative.parts[:3] == ("examengine", "migrations", "versions"):
            continue
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        source = _package(module)
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] if node.module != "examengine" else [f"examengine.{a.name}" for a in node.names]
            for name in names:
                target = _package(name)
                if target is not None and target != source:
                    edges[(source, target)].append(str(relative))
    return edges


def test_every_package_has_a_layer() -> None:
    packages = {package for edge in import_graph() for package in edge}
    assert sorted(packages - set(RANK)) == [], "give these packages a layer in LAYERS"


def test_no_package_imports_a_layer_above_its_own() -> None:
    graph = import_graph()
    upward = sorted(edge for edge in graph if RANK.get(edge[1], 0) > RANK.get(edge[0], 0))
    assert upward == [], "imports that go up a layer: " + "; ".join(
        f"{a} -> {b} in {sorted(set(graph[(a, b)]))}" for a, b in upward
    )


def test_packages_of_one_layer_form_no_cycle() -> None:
    """Peers (proctoring, analysis, standard setting; audit and accounts) may use each other one way only."""
    graph = import_graph()
    for layer in LAYERS:
        for a, b in itertools.combinations(sorted(layer), 2):
            assert not ((a, b) in graph and (b, a) in graph), f"{a} and {b} import each other"


def test_the_product_never_imports_the_benchmark() -> None:
    """bench/ is not installed: an import of it from examengine or itembank would fail in production."""
    graph = import_graph()
    assert sorted((a, b) for a, b in graph if b == "bench" and a != "bench") == []
    assert any(a == "bench" for a, _ in graph), "the benchmark's imports are no longer read: update import_graph"
