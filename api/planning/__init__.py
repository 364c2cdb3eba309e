"""Visit planning: priority, candidates, plans and their routes."""
