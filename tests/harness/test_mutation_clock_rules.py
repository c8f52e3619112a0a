"""Tests added to kill the surviving mutants of `make mutation` (see docs/testing-mutation.md)."""
