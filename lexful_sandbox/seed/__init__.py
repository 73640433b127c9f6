"""Seed data: the demo account (``--seed demo``) and bulk assets (``--seed-scale N``)."""
