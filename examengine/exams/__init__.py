"""Exams: blueprints, published versions with pinned items, form assembly, and sittings."""
