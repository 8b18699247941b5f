"""Reading a QTI itemBody (already normalised to 2.x names) into sanitised HTML plus interactions.

Interactions become placeholders in the HTML; feedback and scorer rubrics are taken out of the stem (they may
give the answer away) and kept separately. Anything the engine cannot deliver is reported by name.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from itembank.cleaning import clean_markup
from itembank.content import Choice, Feedback, Interaction, OutcomeDeclaration, Rubric
from itembank.formats.qti_printed import printed_text
from itembank.formats.qti_xml import bool_attr, children, int_attr

INLINE_INTERACTIONS = {"inlineChoiceInteraction", "textEntryInteraction"}
INTERACTION_KINDS = {
    "choiceInteraction": "choice",
    "orderInteraction": "order",
    "matchInteraction": "match",
    "associateInteraction": "associate",
    "gapMatchInteraction": "gapMatch",
    "inlineChoiceInteraction": "inlineChoice",
    "textEntryInteraction": "textEntry",
    "extendedTextInteraction": "extendedText",
    "hottextInteraction": "hottext",
}
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr", "mspace"}
_TEMPLATE_ELEMENTS = {"printedVariable", "templateInline", "templateBlock"}
_URL_ATTRIBUTES = {"src", "href", "data", "poster"}
_FORMATS = {"plain", "preFormatted", "xhtml"}


@dataclass
class BodyReader:
    """Converts body XML to HTML; collects interactions, feedback, rubrics and problems (message strings)."""

    resolve_url: Callable[[str], str] = lambda url: url
    interactions: list[Interaction] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    rubrics: list[Rubric] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # the item's outcome declarations, which a printedVariable may print (set before the body is read)
    outcomes: dict[str, OutcomeDeclaration] = field(default_factory=dict)

    def stem(self, body: Element) -> str:
        return clean_markup(self._inner(body))

    def _inner(self, element: Element, gaps: bool = False, hottexts: bool = False) -> str:
        parts = [html.escape(element.text or "", quote=False)]
        for child in element:
            parts.append(self._element(child, gaps, hottexts))
            parts.append(html.escape(child.tail or "", quote=False))
        return "".join(parts)

    def _element(self, element: Element, gaps: bool, hottexts: bool) -> str:
        name = element.tag
        if name in INTERACTION_KINDS:
            interaction = self._interaction(element, INTERACTION_KINDS[name])
            self.interactions.append(interaction)
            tag = "span" if name in INLINE_INTERACTIONS else "div"
            return f'<{tag} data-interaction="{html.escape(interaction.response_identifier)}"></{tag}>'
        if name.endswith("Interaction"):
            self.problems.append(
                f"the {name} is not supported (supported: choice, order, match, associate, gapMatch, inlineChoice, "
                "textEntry, extendedText, hottext): rewrite the item with a supported interaction"
            )
            return ""
        if gaps and name == "gap":
            return f'<span data-gap="{html.escape(element.get("identifier", ""))}"></span>'
        if hottexts and name == "hottext":
            inner = self._inner(element)
            return f'<span data-hottext="{html.escape(element.get("identifier", ""))}">{inner}</span>'
        if name in ("feedbackBlock", "feedbackInline"):
            self.feedback.append(
                _feedback(element, "block" if name == "feedbackBlock" else "inline", self._inner(element))
            )
            return ""
        if name == "rubricBlock":
            self.rubrics.append(
                Rubric(view=tuple(element.get("view", "").split()), html=clean_markup(self._inner(element)))
            )
            return ""
        if name == "printedVariable" and element.get("identifier", "") in self.outcomes:
            printed = printed_text(self.outcomes[element.get("identifier", "")], element.attrib)
            return f'<span class="printed-variable">{html.escape(printed, quote=False)}</span>'
        if name in _TEMPLATE_ELEMENTS:
            self.problems.append(
                f"{name} {element.get('identifier', '')!r} needs template processing (only outcomes can be printed "
                "without it), which is not supported: print an outcome, or remove the template variables"
            )
            return ""
        if name == "object":
            return self._object(element)
        if name in ("include", "stylesheet", "assessmentStimulusRef"):
            self.problems.append(f"<{name}> is not supported: inline the referenced content into the item")
            return ""
        attrs = "".join(f' {k}="{html.escape(self._url(k, v))}"' for k, v in element.attrib.items())
        if name in _VOID:
            return f"<{name}{attrs}>"
        return f"<{name}{attrs}>{self._inner(element, gaps, hottexts)}</{name}>"

    def _url(self, attribute: str, value: str) -> str:
        return self.resolve_url(value) if attribute in _URL_ATTRIBUTES else value

    def _object(self, element: Element) -> str:
        media_type = element.get("type", "")
        source = html.escape(self.resolve_url(element.get("data", "")))
        if media_type.startswith("image/"):
            return f'<img src="{source}" alt="{html.escape(element.text or "")}">'
        if media_type.startswith(("audio/", "video/")):
            tag = media_type.split("/", 1)[0]
            return f'<{tag} controls src="{source}"></{tag}>'
        self.warnings.append(f"an <object> of type {media_type!r} was dropped: only images, audio and video are kept")
        return ""

    def html_of(self, element: Element | None) -> str:
        return "" if element is None else clean_markup(self._inner(element))

    def _interaction(self, element: Element, kind: str) -> Interaction:
        prompt = next(iter(children(element, "prompt")), None)
        common: dict[str, object] = {
            "kind": kind,
            "response_identifier": element.get("responseIdentifier", ""),
            "prompt": self.html_of(prompt),
            "shuffle": bool_attr(element, "shuffle"),
            "max_choices": int_attr(element, "maxChoices"),
            "min_choices": int_attr(element, "minChoices"),
            "max_associations": int_attr(element, "maxAssociations"),
            "min_associations": int_attr(element, "minAssociations"),
        }
        if kind in ("choice", "order"):
            common["choices"] = self._choices(element, "simpleChoice")
        elif kind == "associate":
            common["choices"] = self._choices(element, "simpleAssociableChoice")
        elif kind == "match":
            sets = children(element, "simpleMatchSet")
            if len(sets) != 2:
                self.problems.append("a matchInteraction needs exactly two simpleMatchSet elements")
            else:
                common["choices"] = self._choices(sets[0], "simpleAssociableChoice")
                common["targets"] = self._choices(sets[1], "simpleAssociableChoice")
        elif kind == "inlineChoice":
            common["choices"] = self._choices(element, "inlineChoice")
        elif kind == "gapMatch":
            common["choices"] = self._choices(element, "gapText")
            if children(element, "gapImg"):
                self.problems.append("gapImg choices in a gapMatchInteraction are not supported: use gapText")
            content = [c for c in element if c.tag not in ("prompt", "gapText", "gapImg")]
            common["content"] = clean_markup(
                "".join(self._element(c, True, False) + html.escape(c.tail or "") for c in content)
            )
            common["targets"] = tuple(Choice(identifier=g.get("identifier", "")) for g in element.iter("gap"))
        elif kind == "hottext":
            content = [c for c in element if c.tag != "prompt"]
            common["content"] = clean_markup(
                "".join(self._element(c, False, True) + html.escape(c.tail or "") for c in content)
            )
            common["choices"] = tuple(
                Choice(identifier=h.get("identifier", ""), html=self.html_of(h)) for h in element.iter("hottext")
            )
        elif kind in ("textEntry", "extendedText"):
            common.update(
                expected_length=int_attr(element, "expectedLength"),
                expected_lines=int_attr(element, "expectedLines"),
                pattern_mask=element.get("patternMask"),
                placeholder=element.get("placeholderText"),
                format=element.get("format") if kind == "extendedText" and element.get("format") in _FORMATS else None,
                base=int_attr(element, "base"),
                max_strings=int_attr(element, "maxStrings"),
                min_strings=int_attr(element, "minStrings"),
            )
        return Interaction.model_validate(common)

    def _choices(self, element: Element, name: str) -> tuple[Choice, ...]:
        return tuple(
            Choice(
                identifier=c.get("identifier", ""),
                html=self.html_of(c),
                fixed=bool_attr(c, "fixed"),
                match_max=int_attr(c, "matchMax"),
                match_min=int_attr(c, "matchMin"),
            )
            for c in children(element, name)
        )


def _feedback(element: Element, kind: str, inner: str) -> Feedback:
    show_hide = element.get("showHide", "show")
    return Feedback.model_validate(
        {
            "kind": kind,
            "outcome_identifier": element.get("outcomeIdentifier", ""),
            "identifier": element.get("identifier", ""),
            "show_hide": show_hide if show_hide in ("show", "hide") else "show",
            "title": element.get("title"),
            "html": clean_markup(inner),
        }
    )


def modal_feedback(element: Element, reader: BodyReader) -> Feedback:
    return _feedback(element, "modal", reader._inner(element))
