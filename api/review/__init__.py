"""The manager's review list: flagged and rejected phone entries, change requests."""
