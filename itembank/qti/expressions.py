"""A safe tree-walking evaluator for QTI response-processing expressions.

Nothing from item content is ever executed: each node name maps to a Python function registered in
`eval`, and an unknown name raises ScoringError naming it. Regular expressions are length-capped and
screened for nested quantifiers before they are compiled, and matched only against length-capped input.

This module is the entry point: importing it registers every operator module.

| module | expressions |
|---|---|
| eval | the registry, `evaluate`, `Context`, argument helpers |
| variables | baseValue, variable, correct, default, null, mapResponse, mapResponsePoint, inside |
| logic | isNull, match, and, or, not, anyN, comparisons, equal, equalRounded, roundTo |
| strings | stringMatch, substring, patternMatch, customOperator (with custom) |
| containers | multiple, ordered, member, contains, delete, index, containerSize, fieldValue, arithmetic |
"""

from __future__ import annotations

from itembank.qti import containers, logic, strings, variables
from itembank.qti.eval import Context, evaluate, operator, supported_expressions
from itembank.qti.strings import MAX_PATTERN_INPUT, MAX_PATTERN_LENGTH, compile_pattern

__all__ = [
    "MAX_PATTERN_INPUT",
    "MAX_PATTERN_LENGTH",
    "Context",
    "compile_pattern",
    "evaluate",
    "operator",
    "supported_expressions",
]
_REGISTERED = (containers, logic, strings, variables)  # imported for their @operator side effects
