"""Seed data: ``--seed demo``, a small believable workspace."""
