"""The planning service as callers outside this package use it (the demo loader, the
compliance tests): each verb lives in the module of its concept (candidates.py, plans.py,
assignment.py, settings.py) and is only named here."""

from api.planning.assignment import assign_visit, cancel_visit
from api.planning.candidates import list_candidates
from api.planning.plans import create_plan, get_plan, list_plans, optimise_plan, publish_plan
from api.planning.settings import get_priority_settings, update_priority_settings

__all__ = [
    "assign_visit",
    "cancel_visit",
    "create_plan",
    "get_plan",
    "get_priority_settings",
    "list_candidates",
    "list_plans",
    "optimise_plan",
    "publish_plan",
    "update_priority_settings",
]
