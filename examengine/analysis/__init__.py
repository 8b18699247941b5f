"""Classical test theory item analysis, reliability, standard setting and their reports: pure functions, no I/O
beyond reading the files they are given."""
