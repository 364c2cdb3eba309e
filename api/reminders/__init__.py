"""Instalment reminders: what falls due in the next days, and the SMS that says so."""
