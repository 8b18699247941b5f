"""Scoring: results per attempt and per slot, scaled scores and the pass decision, retake rules, result release."""
