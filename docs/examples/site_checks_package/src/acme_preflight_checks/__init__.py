"""ACME's own snow-preflight checks: each module here is a check module, found by the entry point."""
