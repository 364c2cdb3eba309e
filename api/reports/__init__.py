"""Effectiveness reports: the KPIs of domain.md."""
