"""Vehicle routing for field officers' visit days (PyVRP solver, travel models, API, CLI)."""
