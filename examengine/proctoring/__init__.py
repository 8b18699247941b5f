"""Proctoring: the live view of a sitting and the proctor's notes and incident reports."""
