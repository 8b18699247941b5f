"""Markup helpers for `itembank.html`: a placeholder rewriter and a plain-text reader over cleaned markup.

Item content goes through the one cleaner (`itembank.cleaning`) again here: no `id`, no `<label>`, no `data-*`
but the three placeholders (`data-interaction`, `data-gap`, `data-hottext`), which the rewriter replaces or drops,
so the page's own ids stay unique, no label captures the form controls and htmx finds nothing to act on.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from html.parser import HTMLParser

from itembank.cleaning import CACHED_MARKUPS, clean_markup

VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})
# Closing tags that end a run of text, so "<p>a</p><p>b</p>" reads as "a b" and not "ab".
_BREAKS = frozenset({"br", "p", "div", "li", "td", "th", "tr", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"})


# What a hook returns for a start tag: None keeps the element; (opening, closing, drop_inner) replaces its tags.
Replacement = tuple[str, str, bool]
Hook = Callable[[str, dict[str, str]], Replacement | None]


class _Rewriter(HTMLParser):
    """Re-serialises cleaned markup, letting a hook replace placeholder elements; every data-* is dropped."""

    def __init__(self, hook: Hook) -> None:
        super().__init__(convert_charrefs=True)
        self.hook = hook
        self.out: list[str] = []
        self.stack: list[tuple[str, str]] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            self.dropping += tag not in VOID
            return
        replaced = self.hook(tag, {k: v or "" for k, v in attrs})
        if replaced is None:
            kept = "".join(
                f" {k}" if v is None else f' {k}="{html.escape(v)}"' for k, v in attrs if not k.startswith("data-")
            )
            replaced = (f"<{tag}{kept}>", "" if tag in VOID else f"</{tag}>", False)
        opening, closing, drop = replaced
        self.out.append(opening)
        if tag in VOID:
            self.out.append(closing)
            return
        self.stack.append((tag, closing))
        self.dropping = int(drop)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.dropping:
            self.dropping -= 1
            if self.dropping:
                return
        while self.stack:
            name, closing = self.stack.pop()
            self.out.append(closing)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.stack:
            self.out.append(self.stack.pop()[1])
        return "".join(self.out)


def _keep(tag: str, attrs: dict[str, str]) -> Replacement | None:
    return None


def rewrite(markup: str, hook: Hook = _keep) -> str:
    """Clean `markup`, then serialise it again with placeholder elements replaced by `hook`."""
    if hook is _keep:
        return _rewritten(markup)
    return _rewrite(markup, hook)


@functools.lru_cache(maxsize=CACHED_MARKUPS)
def _rewritten(markup: str) -> str:
    """Option and label markup, which keeps its placeholders: the same on every page."""
    return _rewrite(markup, _keep)


_CUT = "\ue000"  # a private-use character: where a placeholder was (content that holds one is not split)


@functools.lru_cache(maxsize=CACHED_MARKUPS)
def placeholder_split(markup: str, attribute: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """`markup` cleaned and serialised once, cut where its elements carrying `attribute` were (each dropped with
    what it held, as a hook replacing them does): (the markup around them, each one's attribute value in document
    order). Joining the parts with what a hook would have put in their place gives `rewrite(markup, hook)` exactly,
    without parsing the markup again. None when the markup itself holds the cut character."""
    if _CUT in markup:
        return None
    values: list[str] = []

    def cut(tag: str, attrs: dict[str, str]) -> Replacement | None:
        if attribute not in attrs:
            return None
        values.append(attrs[attribute])
        return (_CUT, "", True)

    parts = _rewrite(markup, cut).split(_CUT)
    return (tuple(parts), tuple(values)) if len(parts) == len(values) + 1 else None


def _rewrite(markup: str, hook: Hook) -> str:
    rewriter = _Rewriter(hook)
    rewriter.feed(clean_markup(markup))
    return rewriter.result()


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # inside <math>: [alttext, annotation text, presentation text]; an annotation (often LaTeX, "12^2")
        # reads better than the presentation's bare text ("122" for 12 squared)
        self.math: list[str] | None = None
        self.in_annotation = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.parts.append(f" {values.get('alt') or ''} ")
        elif tag == "math" and self.math is None:
            self.math = [values.get("alttext") or "", "", ""]
        elif tag == "annotation":
            self.in_annotation = True
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "annotation":
            self.in_annotation = False
        elif tag == "math" and self.math is not None:
            self.parts.append(f" {next((t for t in self.math if t.strip()), '')} ")
            self.math = None
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.math is None:
            self.parts.append(data)
        else:
            self.math[1 if self.in_annotation else 2] += data


def plain_text(markup: str) -> str:
    """What cleaned `markup` reads as in one line: for `<option>` elements and aria-labels, which hold no tags."""
    reader = _TextReader()
    reader.feed(clean_markup(markup))
    reader.close()
    return " ".join("".join(reader.parts).split())
