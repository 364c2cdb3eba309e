"""Visit planning: priority, candidates, plans and their routes.

routes.py      HTTP (managers only)            schemas.py   request, response, plan summary
candidates.py  who to visit, best first        plans.py     create / optimise / publish / read
assignment.py  teams, assign, cancel           settings.py  the branch's planning settings
workday.py     the day planned, apply_routes   repository.py  branch-scoped statements
priority.py, schedule.py, planner.py           pure: scoring, windows and clock, solver use
"""
