"""Persistence: object stores and the results warehouse, behind small protocols."""
