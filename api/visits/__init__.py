"""Visits, borrowers and reference data as the console and phone read them."""
