"""The day as it happens: every route, every visit's status, alerts."""
