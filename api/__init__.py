"""fieldvisit API."""
