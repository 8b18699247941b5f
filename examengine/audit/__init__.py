"""The tamper-evident audit trail: per-attempt event chains and one global chain of privileged actions."""
