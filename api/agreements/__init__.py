"""Promises to pay and instalment agreements: schedule maths and limits, lifecycle, tamper
evidence, printable copies, tracking against imported payments, the manager's decisions."""
