"""The analysis of an uploaded response matrix (the formats of `examengine analyze`): shown, never stored."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from examengine.analysis.charts import difficulty_discrimination_svg, option_curves_svg, score_histogram_svg
from examengine.analysis.curves import option_curves
from examengine.analysis.loaders import parse_key, parse_responses, with_key
from examengine.analysis.matrix import MatrixError, MissingRule
from examengine.analysis.stats import Analysis, analyze_matrix
from examengine.errors import DomainError, InvalidInput
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field, upload_bytes
from examengine.web.templating import render

MAX_RESPONSES_BYTES = 5 * 1024 * 1024
MAX_KEY_BYTES = 256 * 1024
CURVES_SHOWN = 50


def _empty_context(values: dict[str, str]) -> dict[str, Any]:
    return {"values": values, "error": None, "result": None}


async def upload_form(request: Request) -> Response:
    return render(
        request, "admin/analysis_upload.html", _empty_context({"missing": "wrong", "missing_codes": "", "cut": ""})
    )


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{name} is not UTF-8 text ({error.reason} at byte {error.start}).", code="not_utf8"
        ) from None


def _cut(raw: str) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InvalidInput("Cut score: give a raw score such as 14, or leave it empty.", code="bad_cut")
    return value


async def _read(form: FormData, values: dict[str, str]) -> Analysis:
    name, data = await upload_bytes(form, "responses", max_bytes=MAX_RESPONSES_BYTES)
    codes = [code.strip() for code in values["missing_codes"].split(",") if code.strip()]
    if values["missing"] not in {rule.value for rule in MissingRule}:
        raise InvalidInput("Missing answers: choose wrong or exclude.", code="bad_missing_rule")
    try:
        matrix = parse_responses(_text(data, name), missing_codes=codes, source=name)
        key_upload = form.get("key")
        if isinstance(key_upload, UploadFile) and key_upload.filename:
            key_name, key_data = await upload_bytes(form, "key", max_bytes=MAX_KEY_BYTES)
            matrix = with_key(matrix, parse_key(_text(key_data, key_name), matrix.item_ids, source=key_name))
        return analyze_matrix(matrix, missing_rule=MissingRule(values["missing"]))
    except MatrixError as error:
        raise InvalidInput(str(error), code="bad_response_file") from None
    except ValueError as error:
        raise InvalidInput(f"{name}: {error}", code="bad_response_file") from None


def _charts(analysis: Analysis, cut: float | None) -> dict[str, Any]:
    curves = []
    if analysis.matrix.key is not None:
        groups = min(5, analysis.matrix.n_examinees)
        for item in analysis.items[:CURVES_SHOWN]:
            drawn = option_curves(analysis, item.item_id, groups=groups)
            curves.append((item, Markup(option_curves_svg(drawn))))
    return {
        "histogram": Markup(score_histogram_svg(analysis.test.distribution, cut_score=cut)),
        "scatter": Markup(difficulty_discrimination_svg(analysis.items)),
        "curves": curves,
    }


async def upload_submit(request: Request) -> Response:
    form = await read_form(request)
    values = {
        "missing": text_field(form, "missing") or "wrong",
        "missing_codes": text_field(form, "missing_codes")[:200],
        "cut": text_field(form, "cut")[:40],
    }
    try:
        cut = _cut(values["cut"])
        analysis = await _read(form, values)
    except DomainError as error:
        context = {**_empty_context(values), "error": error.message}
        return render(request, "admin/analysis_upload.html", context, status_code=status_for(error))
    result = {"analysis": analysis, "report": analysis.to_dict(), "cut": cut, **_charts(analysis, cut)}
    return render(request, "admin/analysis_upload.html", {**_empty_context(values), "result": result})
