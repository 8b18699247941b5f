"""What a candidate's form is built from, and the form document stored on the attempt.

Shared by the start of an attempt (assembly at start), the pre-assembly job (assembly before the window opens) and
the review of fixed forms, so a prepared form is exactly the form the start would have built from the same state.
What the candidate met in earlier attempts is read by delivery (delivery.form_history).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from examengine.caches import ProcessCaches
from examengine.exams import assembly
from examengine.exams import service as exams
from examengine.exams.assembly.model import AssembledForm, AssemblyContext
from examengine.exams.definition import ExamDefinition
from examengine.exams.form_document import FormDocument, FormSection, FormSlot
from examengine.exams.forms import blueprint_and_pool
from examengine.exams.pinned import pinned_content
from itembank.rendering import shuffled_order

FORM_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class FormInputs:
    """Everything assembly reads besides the seed."""

    definition: ExamDefinition
    pools: list[exams.RulePool]
    seen_item_ids: frozenset[str] = frozenset()
    exposure: Mapping[str, int] = field(default_factory=dict)
    forms_so_far: int = 0
    fixed_form: int | None = None  # the index of the fixed form (A = 0) this attempt gets; None for LOFT


def fixed_form_seed(exam_id: str, version: int, index: int) -> int:
    """The seed of fixed form A, B, …: derived from the published version, so every candidate on form B sits the
    same items in the same order."""
    return int(hashlib.sha256(f"{exam_id}:{version}:{index}".encode()).hexdigest()[:15], 16)


def new_seed(inputs: FormInputs, exam_id: str, version: int) -> int:
    """A LOFT form's random seed (stored, so the form can be rebuilt), or the fixed form's own seed."""
    if inputs.fixed_form is None:
        return secrets.randbits(62)
    return fixed_form_seed(exam_id, version, inputs.fixed_form)


def fixed_form_index(definition: ExamDefinition, forms_so_far: int, taken: Iterable[int]) -> int:
    """Forms are given in rotation through the sitting; a retake gets a form this candidate has not sat, while
    one is left."""
    rotation = forms_so_far % definition.forms
    if definition.retake_policy.require_different_form:
        taken_forms = set(taken)
        for step in range(definition.forms):
            index = (rotation + step) % definition.forms
            if index not in taken_forms:
                return index
    return rotation


def assemble_form(inputs: FormInputs, seed: int, caches: ProcessCaches | None = None) -> AssembledForm:
    """The candidate's form: a pure function of the published version, its pinned pools, the seed and (for LOFT)
    the seen items and the sitting's exposure at the moment the form is assigned. `caches` keeps the version's
    assembly inputs for the next start."""
    blueprint, pool = blueprint_and_pool(inputs.definition, inputs.pools, caches)
    if inputs.fixed_form is not None:
        context = AssemblyContext(seed)  # a fixed form is the same for everyone who gets it
    else:
        context = AssemblyContext(seed, inputs.seen_item_ids, inputs.exposure, inputs.forms_so_far)
    return assembly.assemble(blueprint, pool, context)


def _option_orders(session: Session, item_id: str, version: int, seed: int, slot: int) -> dict[str, list[str]]:
    content = pinned_content(session, item_id, version)
    rng = random.Random(f"{seed}:{slot}")
    return {
        i.response_identifier: shuffled_order(i, rng)
        for i in content.interactions
        if i.choices and i.shuffle and i.kind in ("choice", "order", "inlineChoice", "hottext")
    }


def form_document(*, session: Session, inputs: FormInputs, form: AssembledForm, seed: int) -> FormDocument:
    """The form as stored on the attempt (or the prepared form): sections, slots with option orders, the assembly
    report. Only reads, so a burst of starts holds the write lock only for the inserts."""
    definition = inputs.definition
    sections, slots, number = [], {}, 0
    for index, section in enumerate(form.sections):
        numbers = []
        for slot in section.slots:
            number += 1
            numbers.append(number)
            orders = (
                _option_orders(session, slot.item_id, slot.version, seed, number)
                if definition.sections[index].shuffle_options
                else {}
            )
            slots[number] = FormSlot(slot.item_id, slot.version, index, orders)
        sections.append(FormSection(section.title, definition.sections[index].time_limit_minutes, tuple(numbers)))
    report = form.report
    assembly = {
        "repeats_forced": list(report.repeats_forced),
        "exposure_cap_relaxed": report.exposure_cap_relaxed,
        "mean_difficulty": report.mean_difficulty,
        "within_tolerance": report.within_tolerance,
        "notes": list(report.notes),
    }
    fixed = inputs.fixed_form
    return FormDocument(
        tuple(sections),
        slots,
        assembly,
        form_index=fixed,
        form_name=None if fixed is None else f"Form {FORM_NAMES[fixed]}",
    )
