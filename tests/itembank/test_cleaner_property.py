"""The one cleaner, fed markup built from every element of the HTML spec (and SVG/MathML foreign content) and every
attribute of HTML and htmx with hostile values: nothing active survives. The output is checked by parsing it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itembank.cleaning import ALLOWED_TAGS, PLACEHOLDERS, URL_SCHEMES, clean_content, clean_html
from itembank.content import Choice, Feedback, Interaction, ItemContent, Rubric


def _words(text: str) -> list[str]:
    return text.split()


HTML_ELEMENTS = _words(
    "a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink "
    "blockquote body br button canvas caption center cite code col colgroup data datalist dd del details dfn "
    "dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 "
    "h6 head header hgroup hr html i iframe image img input ins isindex kbd keygen label legend li link "
    "listing main map mark marquee math menu menuitem meta meter multicol nav nextid nobr noembed noframes "
    "noscript object ol optgroup option output p param picture plaintext portal pre progress q rb rp rt rtc "
    "ruby s samp script search section select slot small source spacer span strike strong style sub summary "
    "sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xmp"
)
FOREIGN_ELEMENTS = _words(
    "svg g path circle foreignObject use animate set animateTransform script style image a desc title math mi "
    "mo mn ms mtext mglyph malignmark annotation annotation-xml semantics maction"
)
HTML_ATTRIBUTES = _words(
    "accept accept-charset accesskey action allow alt as async autocapitalize autocomplete autofocus autoplay "
    "background bgcolor border charset checked cite class code codebase color cols colspan content "
    "contenteditable controls coords crossorigin data datetime decoding default defer dir dirname disabled "
    "download draggable enctype enterkeyhint for form formaction formenctype formmethod formnovalidate "
    "formtarget headers height hidden high href hreflang http-equiv icon id importance inert inputmode "
    "integrity is ismap itemprop itemscope itemtype keytype kind label lang list loading loop low manifest "
    "max maxlength media method min minlength multiple muted name nonce novalidate open optimum pattern ping "
    "placeholder popover popovertarget popovertargetaction poster preload radiogroup readonly referrerpolicy "
    "rel required reversed role rows rowspan sandbox scope selected shape size sizes slot span spellcheck src "
    "srcdoc srclang srcset start step style summary tabindex target title translate type usemap value width "
    "wrap xmlns xlink:href xml:base formtarget shadowrootmode aria-label aria-hidden aria-describedby "
    "aria-labelledby aria-controls aria-owns"
)
EVENT_ATTRIBUTES = _words(
    "onabort onafterprint onanimationend onbeforeprint onbeforeunload onbegin onblur oncanplay onchange "
    "onclick oncontextmenu oncopy oncut ondblclick ondrag ondrop onend onerror onfocus onfocusin onhashchange "
    "oninput oninvalid onkeydown onkeyup onload onmessage onmousedown onmouseenter onmouseover onmouseup "
    "onpageshow onpaste onpointerdown onpopstate onrepeat onreset onresize onscroll onscrollend onsearch "
    "onselect onshow onstart onsubmit ontoggle ontransitionend onunload onwheel onbeforetoggle "
    "oncontentvisibilityautostatechange"
)
HTMX_ATTRIBUTES = _words(
    "hx-get hx-post hx-put hx-patch hx-delete hx-trigger hx-target hx-swap hx-swap-oob hx-select "
    "hx-select-oob hx-vals hx-vars hx-headers hx-include hx-params hx-push-url hx-replace-url hx-boost "
    "hx-confirm hx-prompt hx-disable hx-disabled-elt hx-disinherit hx-inherit hx-encoding hx-ext hx-history "
    "hx-history-elt hx-indicator hx-preserve hx-request hx-sync hx-validate hx-on hx-on:click "
    "hx-on::before-request hx-on--after-request hx-on:htmx:config-request hx-sse hx-ws sse-connect sse-swap "
    "ws-connect ws-send"
)
HTMX_ATTRIBUTES += [f"data-{name}" for name in HTMX_ATTRIBUTES]
OTHER_ATTRIBUTES = _words("data-x data-id data-action data-url data-bind x-data x-on:click @click :href v-on:click")
ATTRIBUTES = HTML_ATTRIBUTES + EVENT_ATTRIBUTES + HTMX_ATTRIBUTES + OTHER_ATTRIBUTES + sorted(PLACEHOLDERS)
SCHEMES = ["javascript:", "vbscript:", "data:text/html,", "data:image/svg+xml,", "data:image/png;base64,"]
HOSTILE_VALUES = [
    *[f"{scheme}alert(1)" for scheme in SCHEMES],
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript&colon;alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "vbscript&#58;msgbox(1)",
    "data&colon;text/html,<script>alert(1)</script>",
    "//evil.example/x.js",
    "/api/v1/users",
    "load",
    '{"role": "admin"}',
    "expression(alert(1))",
    'x" onmouseover="alert(1)',
    "'><script>alert(1)</script>",
    "RESPONSE",
    "https://example.org/a.png",
]
URL_ATTRIBUTES = {"href", "src", "poster", "cite", "action", "formaction", "data", "background", "xlink:href"}
FORBIDDEN = {
    "script", "style", "form", "input", "button", "select", "textarea", "option", "label", "base", "meta", "link",
    "iframe", "frame", "frameset", "object", "embed", "applet", "param", "template", "svg", "foreignobject", "use",
    "animate", "set", "image", "annotation-xml", "maction", "mglyph", "portal", "dialog", "slot", "noscript",
}  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_UNQUOTABLE = re.compile(r"[\s>\"']")


def _attribute_strategy() -> st.SearchStrategy[str]:
    def render(name: str, case: str, value: str, quote: str) -> str:
        shown = getattr(name, case)()
        if quote == "":
            return f" {shown}={_UNQUOTABLE.sub('', value)}"
        return f" {shown}={quote}{value.replace(quote, '&quot;' if quote == chr(34) else '&#39;')}{quote}"

    return st.builds(
        render,
        st.sampled_from(ATTRIBUTES),
        st.sampled_from(["lower", "upper", "title"]),
        st.sampled_from(HOSTILE_VALUES),
        st.sampled_from(['"', "'", ""]),
    )


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tag = st.sampled_from(HTML_ELEMENTS + FOREIGN_ELEMENTS)
    attrs = st.lists(_attribute_strategy(), max_size=4).map("".join)
    return st.builds(
        lambda t, a, c, close: f"<{t}{a}>{c}</{t}>" if close else f"<{t}{a}>{c}", tag, attrs, children, st.booleans()
    )


_TEXT = st.sampled_from(["x", "Why", "&lt;b&gt;", "<!-- c -->", "<![CDATA[x]]>", "]]>", "<", "&", "\u2028"])
FRAGMENTS = st.recursive(
    _TEXT, lambda inner: st.lists(st.one_of(_TEXT, _element(inner)), max_size=4).map("".join), max_leaves=12
)


class _Check(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS or tag in FORBIDDEN:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name in PLACEHOLDERS:
                if tag not in ("div", "span") or not re.fullmatch(r"[\w.\-]{1,200}", value or ""):
                    self.problems.append(f"placeholder {name}={value!r} on <{tag}>")
                continue
            if name.startswith(("on", "hx-", "data-", "sse-", "ws-", "x-", "@", ":", "v-")) or ":" in name:
                self.problems.append(f"attribute {name}")
            if name in {"id", "name", "style", "form", "formaction", "action", "srcdoc", "nonce", "is", "slot"}:
                self.problems.append(f"attribute {name}")
            if name in URL_ATTRIBUTES and value is not None:
                bare = _CONTROL.sub("", html.unescape(value)).lower()
                scheme = bare.split(":", 1)[0] if ":" in bare.split("/", 1)[0] else ""
                if scheme and scheme not in URL_SCHEMES:
                    self.problems.append(f"url {name}={value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data}")


def active(markup: str) -> list[str]:
    checker = _Check()
    checker.feed(markup)
    checker.close()
    return checker.problems


@settings(max_examples=400, deadline=None)
@given(FRAGMENTS)
def test_nothing_active_survives_the_cleaner(fragment: str) -> None:
    cleaned = str(clean_html(fragment))
    assert active(cleaned) == [], (fragment, cleaned)
    assert str(clean_html(cleaned)) == cleaned, "cleaning is idempotent: the stored form cleans to itself"


@pytest.mark.parametrize("fragment", ["<a><applet><a>x", "<a href=/a><object><a href=/b>y</a></object></a>"])
def test_a_link_nested_in_a_link_through_a_dropped_element_settles_in_one_cleaning(fragment: str) -> None:
    """Found by the property above: one pass kept a link inside another, which the next parse (a browser's too)
    splits, so the stored form did not clean to itself."""
    cleaned = str(clean_html(fragment))
    assert str(clean_html(cleaned)) == cleaned and active(cleaned) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(FRAGMENTS, min_size=8, max_size=8))
def test_clean_content_cleans_every_html_field(parts: list[str]) -> None:
    stem, prompt, content, choice, target, feedback, rubric, rationale = parts
    item = ItemContent(
        identifier="p",
        stem=stem,
        rationale=rationale,
        interactions=(
            Interaction(
                kind="match",
                response_identifier="R",
                prompt=prompt,
                content=content,
                choices=(Choice(identifier="A", html=choice),),
                targets=(Choice(identifier="B", html=target),),
            ),
        ),
        feedback=(Feedback(kind="modal", outcome_identifier="F", identifier="A", html=feedback),),
        rubrics=(Rubric(html=rubric),),
    )
    cleaned = clean_content(item)
    interaction = cleaned.interactions[0]
    for markup in (
        cleaned.stem,
        cleaned.rationale,
        interaction.prompt,
        interaction.content,
        interaction.choices[0].html,
        interaction.targets[0].html,
        cleaned.feedback[0].html,
        cleaned.rubrics[0].html,
    ):
        assert active(markup) == [], markup


def test_every_listed_name_is_tried() -> None:
    # the strategies above sample from these lists; a typo that emptied one would make the property vacuous
    assert len(HTML_ELEMENTS) > 130 and len(HTMX_ATTRIBUTES) > 80 and len(EVENT_ATTRIBUTES) > 50
    for tag in HTML_ELEMENTS + FOREIGN_ELEMENTS:
        for value in ("javascript:alert(1)", "data:text/html,x", "RESPONSE"):
            markup = f"<{tag}{''.join(f' {a}={value!r}' for a in ATTRIBUTES)}>x</{tag}>"
            assert active(str(clean_html(markup))) == [], markup


def test_what_items_need_is_kept() -> None:
    markup = (
        '<p lang="fr" dir="rtl" class="k" title="t"><b>b</b><em>e</em><sub>2</sub><sup>3</sup></p>'
        '<ul><li>a</li></ul><ol start="2"><li>b</li></ol><table><caption>c</caption><tbody><tr><th scope="col" '
        'colspan="2">h</th></tr><tr><td rowspan="1">d</td></tr></tbody></table><img src="/media/abc" alt="A cat" '
        'width="10"><audio controls="" src="/media/def"></audio><video controls=""><source src="/media/ghi" '
        'type="video/mp4"></video><a href="https://example.org/x">x</a><span aria-label="l">s</span>'
        '<math display="block"><mfrac><mi>a</mi><mn>2</mn></mfrac></math>'
        '<div data-interaction="RESPONSE"></div><span data-gap="G1"></span><span data-hottext="H1">h</span>'
    )
    assert str(clean_html(markup)) == markup.replace(
        '<a href="https://example.org/x">', '<a href="https://example.org/x" rel="noopener noreferrer">'
    )
