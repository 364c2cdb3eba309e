"""The branch's follow-up calls (回访) to a sample of visited borrowers."""
