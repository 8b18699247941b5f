"""Every internal link in a template goes through the URL table (`url('name', ...)`, examengine/web/templating.py),
static assets included, and no template switches autoescaping off: a literal "/admin/..." breaks silently when a
route moves, and an `{% autoescape false %}` block is safe only as long as every value in it is escaped by hand."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from jinja2 import nodes
from starlette.routing import NoMatchFound, Route

from examengine.app import create_app
from examengine.settings import Settings

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# attributes that hold an address the browser or htmx follows
_URL_ATTRIBUTE = re.compile(
    r"""\s(?P<attr>href|src|action|formaction|poster|hx-(?:get|post|put|patch|delete)|data-[\w-]*url)\s*=\s*["']?/""",
    re.IGNORECASE,
)


def literal_urls(source: str) -> list[str]:
    """The attributes whose value starts with '/' in the template's literal text, inside a tag (not in a text's
    example such as <code>&lt;img src="/media/…"&gt;</code>)."""
    tree = jinja2.Environment().parse(source)
    # expressions become a placeholder, so `href="{{ url(...) }}"` does not start with "/"
    text = "".join(
        node.data if isinstance(node, nodes.TemplateData) else "\x00"
        for output in tree.find_all(nodes.Output)
        for node in output.nodes
    )
    found = []
    for match in _URL_ATTRIBUTE.finditer(text):
        before = text[: match.start()]
        if before.rfind("<") > before.rfind(">"):  # inside a tag
            found.append(match.group(0).strip())
    return found


def autoescape_off(source: str) -> list[str]:
    tree = jinja2.Environment().parse(source)
    return [
        f"autoescape {option.value}"
        for modifier in tree.find_all(nodes.ScopedEvalContextModifier)
        for option in modifier.options
        if option.key == "autoescape" and not (isinstance(option.value, nodes.Const) and option.value.value is True)
    ]


def _templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert len(found) > 40
    return found


def test_no_template_writes_an_internal_url_by_hand() -> None:
    offenders = {
        (str(path.relative_to(TEMPLATES)), use) for path in _templates() for use in literal_urls(path.read_text())
    }
    assert offenders == set(), "write internal links as {{ url('route.name', ...) }}"


def test_no_template_switches_autoescaping_off() -> None:
    offenders = {
        (str(path.relative_to(TEMPLATES)), use) for path in _templates() for use in autoescape_off(path.read_text())
    }
    assert offenders == set()


def test_the_url_check_sees_every_spelling() -> None:
    for source in (
        '<a href="/admin">x</a>',
        "<a class='x' href='/admin/{{ id }}'>x</a>",
        '<form method="post" action="/logout">',
        '<button formaction="/author/items/{{ i }}/preview">',
        '<div hx-get="/proctor/sittings/{{ s }}">',
        '<div hx-post="/x">',
        '<form data-save-url="/candidate/attempts/{{ a }}/items/1/save">',
        '<script src="/static/app/exam.js"></script>',
        '<link rel="stylesheet" href="/static/app/app.css">',
        '<a{% if x %} class="y"{% endif %} href="/candidate">',
        "<a href=/admin>x</a>",
    ):
        assert literal_urls(source), source
    for source in (
        "<a href=\"{{ url('home') }}\">x</a>",
        '<a href="https://example.org/">x</a>',
        '<a href="#main">x</a>',
        "<a href=\"{{ url('admin.audit') }}?format=csv\">x</a>",
        '<p>for example <code>&lt;img src="/media/…"&gt;</code></p>',
        '{# <a href="/admin"> #}',
    ):
        assert literal_urls(source) == [], source


def test_the_autoescape_check_sees_every_spelling() -> None:
    for source in (
        "{% autoescape false %}{{ x|e }}{% endautoescape %}",
        "{% autoescape False %}{% endautoescape %}",
        "{% autoescape flag %}{% endautoescape %}",
    ):
        assert autoescape_off(source), source
    assert autoescape_off("{% autoescape true %}{{ x }}{% endautoescape %}") == []


def test_url_gives_starlette_s_path_for_every_route_under_the_root_path(settings: Settings) -> None:
    app = create_app(settings)
    url = app.state.jinja.globals["url"]
    for root in ("", "/exams"):
        context = app.state.jinja.from_string("").new_context({"request": SimpleNamespace(scope={"root_path": root})})
        for route in app.routes:
            if isinstance(route, Route):
                params = {key: "7" for key in route.param_convertors}
                assert url(context, route.name, **params) == root + app.url_path_for(route.name, **params)
        assert url(context, "static.app", path="exam.js") == root + "/static/app/exam.js"
        with pytest.raises(NoMatchFound):
            url(context, "candidate.item", attempt_id="a")  # a parameter missing


def test_forms_take_the_csrf_field_from_the_macro() -> None:
    by_hand = {
        str(path.relative_to(TEMPLATES))
        for path in _templates()
        if path.name != "_macros.html" and 'name="csrf_token"' in path.read_text()
    }
    assert by_hand == set(), "write {{ csrf_field(csrf_token) }} (templates/_macros.html)"
    assert sum("csrf_field(csrf_token)" in path.read_text() for path in _templates()) > 25
