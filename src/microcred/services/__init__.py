"""Use cases: plain functions taking their inputs and a unit-of-work factory; adapters call these."""
