"""No template marks anything safe by itself: author markup is shown only as `CleanHtml` (the `author_html`
filter, or a value the cleaner built), and the app's own markup (charts, QR codes, the item renderer's
controls) is `Markup` built in Python. A `|safe` in a template fails this test, and so does a value printed
unescaped inside `{% autoescape false %}`."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import nodes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _unsafe_uses(source: str) -> list[str]:
    tree = jinja2.Environment().parse(source)
    found = ["|safe" for f in tree.find_all(nodes.Filter) if f.name == "safe"]
    for modifier in tree.find_all(nodes.ScopedEvalContextModifier):
        for option in modifier.options:
            if option.key == "autoescape" and not (isinstance(option.value, nodes.Const) and option.value.value):
                # a value printed there unescaped (tests/web/test_templates.py refuses the block itself)
                found += [f"unescaped {{{{ {_name(e)} }}}} under autoescape false" for e in _printed(modifier)]
    return found


def _printed(block: nodes.Node) -> list[nodes.Expr]:
    printed = [e for out in block.find_all(nodes.Output) for e in out.nodes if not isinstance(e, nodes.TemplateData)]
    return [e for e in printed if not (isinstance(e, nodes.Filter) and e.name in {"e", "escape"})]


def _name(expression: nodes.Expr) -> str:
    return type(expression).__name__


def test_no_template_uses_safe() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    offenders = {
        (str(path.relative_to(TEMPLATES)), use)
        for path in templates
        for use in _unsafe_uses(path.read_text(encoding="utf-8"))
    }
    assert offenders == set(), "render author markup with |author_html, never |safe"


def test_the_check_sees_safe_in_every_spelling() -> None:
    for source in (
        "{{ x|safe }}",
        "{{ x | safe }}",
        "{{ (x ~ y)|safe }}",
        "{% autoescape false %}{{ x }}{% endautoescape %}",
    ):
        assert _unsafe_uses(source), source
    assert _unsafe_uses("{{ x|author_html }}") == []
