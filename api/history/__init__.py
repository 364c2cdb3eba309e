"""The borrower file: one timeline of everything that happened with a borrower."""
