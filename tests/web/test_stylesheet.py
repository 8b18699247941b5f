"""The stylesheets and the markup agree: every class a stylesheet styles is written somewhere (a template, a Python
renderer or a page script), and every class the markup writes is styled or named below as a hook that only
scripts, tests or the structure of the page use.

Later blocks appended to app.css (one per feature, headed by a comment) are held to the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STYLESHEETS = (ROOT / "examengine" / "static" / "app.css", ROOT / "examengine" / "static" / "certificate.css")
# Classes written in the markup that need no style of their own: hooks for scripts and tests, or names that say
# what an element is where its tag and place already style it.
HOOKS = frozenset(
    {
        "ie",  # the interaction's fieldset; its kind class (ie-choice, ...) says which
        "ie-choice",
        "ie-order",
        "ie-match",
        "ie-associate",
        "ie-gap-match",
        "ie-inline",
        "ie-content",
        "chart",  # an analysis chart's SVG: sized by its own viewBox
        "flags",
        "outcome",
        "rules",
        "instructions",
        "who",
        "live",
        "verification",
        "verification-unknown",
        "item-view",
        "submit-form",
        "reason",
        "confirm-signout",
        "pass-fail-changes",
        "scale-explained",
        "score-report",
        "error-page",
        "sitting-actions",
        "error",
        "offline-goto",
        "offline-review",
        "verify-url",
        "text",
        "qr-code",
        "editor-rows",  # the item editor's fieldset of repeated rows: a plain fieldset
        "printed-variable",  # a QTI printedVariable's value inside the item's text
        "sittings",  # the exam's sittings table: styled as every table
    }
)
_CLASS_ATTRIBUTE = re.compile(r"""class=(?:"([^"]*)"|'([^']*)')""")
_NAME = re.compile(r"-?[A-Za-z_][\w-]*")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_LITERAL = re.compile(r"""'([^']*)'|"([^"]*)\"""")


def _sources(*patterns: str) -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for pattern in patterns
        for path in ROOT.glob(pattern)
        if "node_modules" not in path.parts and "tests" not in path.parts
    }


def styled_classes() -> set[str]:
    found: set[str] = set()
    for sheet in STYLESHEETS:
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        css = re.sub(r"\{[^{}]*\}", "{}", css)  # declarations (decimals such as .5rem) out; selectors stay
        found |= set(re.findall(r"\.(-?[A-Za-z_][\w-]*)", css))
    return found


def _classes_in(value: str) -> set[str]:
    """The classes of one class attribute, a Jinja expression's quoted literals included (`' current' if x`);
    a name glued to an expression (`status-{{ s }}`) is left to HOOKS' explicit names."""
    names = set()
    for expression in re.findall(r"\{\{.*?\}\}", value, flags=re.S):  # {% if %} tests hold no class names
        for single, double in _LITERAL.findall(expression):
            names |= {n for n in (single or double).split() if _NAME.fullmatch(n)}
    plain = _JINJA.sub("\x00", value).replace("\x00", " \x00 ")
    names |= {word for word in plain.split() if _NAME.fullmatch(word) and not word.endswith("-")}
    return names


def written_classes() -> set[str]:
    found: set[str] = set()
    for text in _sources("templates/**/*.html").values():
        for double, single in _CLASS_ATTRIBUTE.findall(text):
            found |= _classes_in(double or single)
    for text in _sources("examengine/**/*.py", "itembank/**/*.py").values():
        for double, single in _CLASS_ATTRIBUTE.findall(text):
            found |= {n for n in (double or single).split() if _NAME.fullmatch(n)}
        found |= set(re.findall(r"""kind=["'](ie-[\w-]+)["']""", text))
    for text in _sources("examengine/static/**/*.js").values():
        found |= set(re.findall(r"""classList\.(?:add|remove|toggle)\(\s*["']([\w-]+)["']""", text))
        found |= set(re.findall(r"""className\s*=\s*["']([\w\s-]+)["']""", text))
    return found


# Third-party scripts the app serves itself write classes of their own (Trix's toolbar): app.css may style those.
VENDOR_SCRIPTS = (ROOT / "node_modules" / "trix" / "dist" / "trix.umd.js",)


def test_every_styled_class_is_written_somewhere() -> None:
    vendor = [path.read_text(encoding="utf-8") for path in VENDOR_SCRIPTS if path.exists()]
    everything = "\n".join(
        [
            *_sources(
                "templates/**/*.html", "examengine/**/*.py", "itembank/**/*.py", "examengine/static/**/*.js"
            ).values(),
            *vendor,
        ]
    )
    # A class glued to an expression (`status-{{ s.status.value }}`) writes every class of that prefix.
    glued = set(re.findall(r"(?<![\w-])([A-Za-z][\w-]*-)\{\{", "\n".join(_sources("templates/**/*.html").values())))
    unused = sorted(
        name
        for name in styled_classes()
        if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", everything)
        and not any(name.startswith(prefix) for prefix in glued)
    )
    assert unused == [], f"remove these dead rules, or the markup that needs them is gone: {unused}"


def test_every_written_class_is_styled_or_a_named_hook() -> None:
    unstyled = sorted(written_classes() - styled_classes() - HOOKS)
    assert unstyled == [], f"style these classes in app.css, or name them as hooks here: {unstyled}"


def test_no_hook_is_styled_or_unused() -> None:
    """The hook list stays honest: a hook that got a style, or that nothing writes any more, leaves it."""
    assert sorted(HOOKS & styled_classes()) == []
    assert sorted(HOOKS - written_classes()) == []
