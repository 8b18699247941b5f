"""The one cleaner for author HTML, and `CleanHtml`, the only type templates render author markup through.

Author markup is untrusted wherever it comes from (an import, the editor, the API): it is cleaned when a version
is stored (`clean_content`) and again when it is shown (`clean_html`, through `rendering.candidate_view` for
candidates and the delivery API, and the `author_html` template filter for rationale, rubrics and guidance).

The policy is an explicit allow-list. Kept: text formatting, lists, tables, links (http, https, mailto and
relative), images, audio and video, MathML, and the attributes `class`, `lang`, `dir`, `title`, `role`,
`aria-label`, `aria-hidden` plus a few per element (`src`, `alt`, `colspan`...). Dropped: every element not
listed (forms, inputs, buttons, `<label>`, `<base>`, `<meta>`, `<link>`, frames, objects, embeds, scripts,
styles, templates and SVG, the last seven with their content), every attribute not listed (`on*`, `hx-*`,
`data-*`, `id`, `name`, `form`, `formaction`, `style`...) and every URL with another scheme (`javascript:`,
`vbscript:`, `data:` - images come from the media store, so no `data:` URL is taken, not even on `<img>`).
The one exception is the three placeholders item content itself uses (`data-interaction`, `data-gap`,
`data-hottext`), kept on `<div>` and `<span>` only and only when they hold a plain identifier: htmx reads none
of them (it reads `hx-*` and `data-hx-*`), and the renderer replaces them with its own controls.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import nh3
from markupsafe import Markup

from itembank.content import Choice, Feedback, Interaction, ItemContent, Rubric

PLACEHOLDERS = frozenset({"data-interaction", "data-gap", "data-hottext"})

MATHML_TAGS = frozenset(
    {
        "math",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "mrow",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "mfenced",
        "menclose",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "semantics",
        "annotation",
    }
)
TEXT_TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "div",
        "span",
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "small",
        "big",
        "sub",
        "sup",
        "mark",
        "code",
        "kbd",
        "samp",
        "var",
        "pre",
        "blockquote",
        "q",
        "cite",
        "abbr",
        "acronym",
        "dfn",
        "del",
        "ins",
        "bdi",
        "bdo",
        "ruby",
        "rb",
        "rt",
        "rtc",
        "rp",
        "time",
        "wbr",
        "strike",
        "tt",
        "center",
        "address",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "col",
        "colgroup",
        "figure",
        "figcaption",
        "a",
        "img",
        "audio",
        "video",
        "source",
        "track",
    ]
)
ALLOWED_TAGS: frozenset[str] = TEXT_TAGS | MATHML_TAGS
# Dropped together with everything inside them (the other unlisted elements keep their text).
DROPPED_WITH_CONTENT = frozenset(
    [
        "script",
        "style",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "noscript",
        "noembed",
        "noframes",
        "xmp",
        "textarea",
        "select",
        "title",
    ]
)
GLOBAL_ATTRIBUTES = frozenset({"class", "lang", "dir", "title", "role", "aria-label", "aria-hidden"})
ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(attributes)
    for tag, attributes in {
        "a": {"href", "hreflang"},
        "img": {"src", "alt", "width", "height", "align"},
        "audio": {"src", "controls", "preload", "loop"},
        "video": {"src", "controls", "preload", "loop", "width", "height", "poster"},
        "source": {"src", "type"},
        "track": {"src", "kind", "srclang", "label", "default"},
        "blockquote": {"cite"},
        "q": {"cite"},
        "del": {"cite", "datetime"},
        "ins": {"cite", "datetime"},
        "time": {"datetime"},
        "abbr": set(),
        "ol": {"start", "type", "reversed"},
        "ul": {"type"},
        "li": {"value"},
        "table": {"summary"},
        "th": {"colspan", "rowspan", "scope", "abbr"},
        "td": {"colspan", "rowspan"},
        "col": {"span"},
        "colgroup": {"span"},
        "math": {"display", "xmlns", "alttext"},
        "mo": {"stretchy", "fence", "separator", "lspace", "rspace"},
        "mfrac": {"linethickness"},
        "mstyle": {"mathvariant", "displaystyle", "scriptlevel"},
        "mi": {"mathvariant"},
        "mn": {"mathvariant"},
        "mtext": {"mathvariant"},
        "mfenced": {"open", "close", "separators"},
        "menclose": {"notation"},
        "mspace": {"width", "height", "depth"},
        "annotation": {"encoding"},
        "mtd": {"columnspan", "rowspan", "columnalign"},
        "mtable": {"columnalign", "rowalign"},
        "div": set(PLACEHOLDERS),
        "span": set(PLACEHOLDERS),
    }.items()
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})
# What browsers skip inside a URL's scheme ("java\tscript:"): controls and whitespace.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
_IDENTIFIER = re.compile(r"[\w.\-]{1,200}")
# Text holding none of these characters is returned unchanged by the cleaner: most option texts, the hot path.
_NEEDS_CLEANING = re.compile(r"[<>&\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xa0\r]")
CACHED_MARKUPS = 20_000


class CleanHtml(Markup):
    """Author markup that went through `clean_html`: the only author markup a template may render unescaped."""

    __slots__ = ()


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in PLACEHOLDERS and not _IDENTIFIER.fullmatch(value):
        return None
    if attribute in URL_ATTRIBUTES and not _safe_url(value):
        return None
    return value


def _safe_url(value: str) -> bool:
    """A relative URL or one of the allowed schemes (the cleaner checks href and src itself, not cite or poster)."""
    bare = _IGNORED_IN_URLS.sub("", value).lower()
    head = re.split(r"[/?#]", bare, maxsplit=1)[0]
    return ":" not in head or head.split(":", 1)[0] in URL_SCHEMES


@functools.lru_cache(maxsize=CACHED_MARKUPS)
def _clean(markup: str) -> str:
    if _NEEDS_CLEANING.search(markup) is None:
        return markup
    cleaned = _clean_once(markup)
    # A parse can leave a tree the next parse reads differently (`<a><applet><a>x` keeps one link inside another,
    # which a browser splits): clean again until the stored form cleans to itself.
    for _ in range(3):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def _clean_once(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"*": set(GLOBAL_ATTRIBUTES), **{tag: set(names) for tag, names in ELEMENT_ATTRIBUTES.items()}},
        attribute_filter=_attribute,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def clean_html(markup: str) -> CleanHtml:
    """`markup` cleaned by the allow-list above (pure and cached: item versions never change)."""
    return CleanHtml(_clean(str(markup)))


def clean_markup(markup: str) -> str:
    """`clean_html` as a plain string, for the content model's fields."""
    return _clean(str(markup))


_Part = TypeVar("_Part", Choice, Feedback, Rubric)


def _with_clean_html(part: _Part) -> _Part:
    return part.model_copy(update={"html": clean_markup(part.html)})


def _interaction(interaction: Interaction) -> Interaction:
    return interaction.model_copy(
        update={
            "prompt": clean_markup(interaction.prompt),
            "content": clean_markup(interaction.content),
            "choices": tuple(_with_clean_html(c) for c in interaction.choices),
            "targets": tuple(_with_clean_html(c) for c in interaction.targets),
        }
    )


def _clean_fields(entry: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {
        key: clean_markup(value) if key in names and isinstance(value, str) else value for key, value in entry.items()
    }


def clean_native(native: Mapping[str, Any]) -> dict[str, Any]:
    """A native item (itembank/formats/NATIVE.md) with its HTML fields cleaned; accepted short-text answers are
    compared with what candidates type, so they are not HTML and are kept as written."""
    cleaned = _clean_fields(native, ("stem", "rationale", "rubric"))
    cleaned["options"] = [_clean_fields(o, ("text", "feedback")) for o in native.get("options", [])]
    cleaned["pairs"] = [_clean_fields(p, ("left", "right")) for p in native.get("pairs", [])]
    cleaned["distractors"] = [clean_markup(d) for d in native.get("distractors", [])]
    cleaned["gaps"] = [
        {**g, "options": [_clean_fields(o, ("text",)) for o in g.get("options", [])]} for g in native.get("gaps", [])
    ]
    return {key: value for key, value in cleaned.items() if key in native}


def clean_content(content: ItemContent) -> ItemContent:
    """`content` with every HTML field cleaned: what any version is stored as, whichever way it arrived (the
    native form it was compiled from too, which the editors show again)."""
    return content.model_copy(
        update={
            "native": None if content.native is None else clean_native(content.native),
            "stem": clean_markup(content.stem),
            "rationale": clean_markup(content.rationale),
            "interactions": tuple(_interaction(i) for i in content.interactions),
            "feedback": tuple(_with_clean_html(f) for f in content.feedback),
            "rubrics": tuple(_with_clean_html(r) for r in content.rubrics),
        }
    )
