"""Officer safety: SOS and overdue check-out alerts, and who is out on a visit right now."""
