"""The items the benchmarks generate: native items of a realistic shape from one seeded random generator, with
pronounceable words that searches can find (the item bank benchmark, and the banks the others seed)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DOMAINS = [f"D{n}" for n in range(1, 9)]
DOMAIN_WEIGHTS = [18, 16, 14, 13, 12, 11, 9, 7]
KINDS = ["single_choice", "multiple_response", "numeric", "short_text", "true_false"]
KIND_WEIGHTS = [45, 20, 12, 10, 13]
COMMON_TAGS = [
    "algebra",
    "geometry",
    "statistics",
    "probability",
    "calculus",
    "reading",
    "grammar",
    "vocabulary",
    "chemistry",
    "physics",
    "biology",
    "history",
    "geography",
    "economics",
    "ethics",
    "safety",
    "regulation",
    "networking",
    "security",
    "databases",
]
RARE_TAGS = 3_000
ENEMY_GROUPS = 2_000
ENGLISH_TEXT = (
    "the of and to in is that for it as with was on be by this are or an at from which not have has but all "
    "can one more when will their there been what who if so out about up into than them some could time only "
    "two most other after first also any new because these may such should each both between under while "
    "following correct value given shown above below table figure answer statement best describes result "
    "process system patient sample measure rate level change increase decrease total average number small large "
    "method data model group control effect cause reason example case type form part point line area volume "
    "energy force mass speed water temperature pressure cell function equation graph angle triangle circle "
    "price market cost demand supply law court contract policy risk report network server request record"
)
SYLLABLES = (
    "ka",
    "lo",
    "me",
    "ti",
    "ra",
    "su",
    "ne",
    "vo",
    "bi",
    "da",
    "pe",
    "ru",
    "mi",
    "sa",
    "to",
    "le",
    "fa",
    "go",
    "hu",
    "ze",
    "ni",
    "po",
    "ca",
    "de",
    "li",
    "mo",
)


def _pseudo_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


@dataclass
class Vocabulary:
    """Words ranked by frequency (Zipf): stems are drawn from it and the text searches pick by rank."""

    words: list[str]
    cumulative: list[float]
    absent: list[str]

    @classmethod
    def build(cls, rng: random.Random, size: int = 5_000) -> Vocabulary:
        english = ENGLISH_TEXT.split()
        taken = set(english)
        words = english + _pseudo_words(rng, size - len(english), taken)
        # words that occur nowhere: a letter the syllables never use
        absent = [w[:3] + "qx" + w[3:] for w in _pseudo_words(rng, 50, taken)]
        total, cumulative = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank
            cumulative.append(total)
        return cls(words, cumulative, absent)

    def sentence(self, rng: random.Random, length: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.cumulative, k=length))


def _text(rng: random.Random, vocab: Vocabulary, chars: int) -> str:
    words = vocab.sentence(rng, max(3, chars // 6))
    return words[:chars].rsplit(" ", 1)[0]


def native_item(rng: random.Random, vocab: Vocabulary, number: int) -> dict[str, Any]:
    """One realistic native item (see itembank/formats/NATIVE.md)."""
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    domain = rng.choices(DOMAINS, DOMAIN_WEIGHTS)[0]
    tags = rng.sample(COMMON_TAGS[: rng.choice((5, 10, 20))], rng.randint(1, 3))
    if rng.random() < 0.3:
        tags.append(f"topic-{rng.randrange(RARE_TAGS):04d}")
    enemies = [f"EG-{rng.randrange(ENEMY_GROUPS):04d}"] if rng.random() < 0.15 else []
    stem_text = _text(rng, vocab, rng.randint(220, 380))
    cut = rng.randrange(len(stem_text) // 3, 2 * len(stem_text) // 3)
    stem = f"<p>{stem_text[:cut]}<strong>{stem_text[cut : cut + 12]}</strong>{stem_text[cut + 12 :]}?</p>"
    item: dict[str, Any] = {
        "id": f"bench-{number:07d}",
        "kind": kind,
        "title": f"{domain} {_text(rng, vocab, 40)}",
        "stem": stem,
        "rationale": f"<p>{_text(rng, vocab, 120)}</p>",
        "metadata": {
            "domain": domain,
            "tags": tags,
            "enemy_groups": enemies,
            "language": "en",
            "expected_seconds": rng.choice((30, 45, 60, 90, 120, 180)),
            "source": "examengine bench",
        },
    }
    if kind in ("single_choice", "multiple_response"):
        count = 4 if kind == "single_choice" else 5
        right = set(rng.sample(range(count), 1 if kind == "single_choice" else rng.randint(2, 3)))
        item["options"] = [
            {"id": "ABCDE"[i], "text": _text(rng, vocab, rng.randint(15, 60)) or "none", "correct": i in right}
            for i in range(count)
        ]
        if kind == "multiple_response":
            item["points"] = 2
    elif kind == "numeric":
        item["answer"] = round(rng.uniform(-1000, 1000), 2)
        item["tolerance"] = rng.choice((0, 0.01, 0.5))
    elif kind == "short_text":
        item["answers"] = [{"text": w} for w in rng.sample(vocab.words[:300], rng.randint(1, 2))]
    else:
        item["answer"] = rng.random() < 0.5
    return item


def native_document(items: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps({"format": "examengine-items", "version": 1, "items": list(items)}).encode()
