"""Compliance policy: lawful hours, staffing, frequency, device data lifetime."""
