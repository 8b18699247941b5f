"""A safe tree-walking evaluator for QTI response-processing expressions.

Nothing from item content is ever executed: each node name maps to a Python function registered in
`qti_eval`, and an unknown name raises ScoringError naming it. Regular expressions are length-capped and
screened for nested quantifiers before they are compiled, and matched only against length-capped input.

This module is the entry point: importing it registers every operator module.

| module | expressions |
|---|---|
| qti_eval | the registry, `evaluate`, `Context`, argument helpers |
| qti_variables | baseValue, variable, correct, default, null, mapResponse, mapResponsePoint, inside |
| qti_logic | isNull, match, and, or, not, anyN, comparisons, equal, equalRounded, roundTo |
| qti_strings | stringMatch, substring, patternMatch, customOperator (with qti_custom) |
| qti_containers | multiple, ordered, member, contains, delete, index, containerSize, fieldValue, arithmetic |
"""

from __future__ import annotations

from itembank import qti_containers, qti_logic, qti_strings, qti_variables
from itembank.qti_eval import Context, evaluate, operator, supported_expressions
from itembank.qti_strings import MAX_PATTERN_INPUT, MAX_PATTERN_LENGTH, compile_pattern

__all__ = [
    "MAX_PATTERN_INPUT",
    "MAX_PATTERN_LENGTH",
    "Context",
    "compile_pattern",
    "evaluate",
    "operator",
    "supported_expressions",
]
_REGISTERED = (qti_containers, qti_logic, qti_strings, qti_variables)  # imported for their @operator side effects
