"""Sign-in, tokens and devices."""
