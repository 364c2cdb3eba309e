"""Imports from core banking: overdue loans (with their borrowers) and payments."""
