"""Delivery: attempts, the server-side clock and time ledger, autosave, navigation and submission."""
