"""Contracts shared by every layer of sohoa: pydantic models, settings and the error tree.

Nothing here imports any other sohoa package (see ARCHITECTURE.md, "Four layers").
"""
