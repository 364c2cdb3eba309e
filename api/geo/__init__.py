"""Where borrowers live: geocoding providers, the geocode cache, learned locations,
preferred times and safety flags, and the manager's borrower endpoints."""
