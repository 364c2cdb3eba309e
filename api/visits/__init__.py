"""Visits and borrowers: what the console and the phone read (service, repository) and what
an officer records at a visit (writes, applied when the phone's outbox is pushed)."""
