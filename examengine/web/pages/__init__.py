"""One thin module per role's pages."""
