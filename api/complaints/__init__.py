"""Borrowers' complaints about collection conduct."""
