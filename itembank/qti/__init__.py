"""The QTI response-processing interpreter: values, the safe expression evaluator and its operator modules.

`itembank.qti.expressions` is the entry point (importing it registers every operator); `itembank.qti.values`
holds the value types and ScoringError. The QTI file format (reading and writing XML) is `itembank.formats.qti`.
"""
