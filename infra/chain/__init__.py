"""Tamper evidence of the event store: the chain, the seals, the proofs (docs/security.md)."""
