"""The only module other apps may import from `marketplace` (enforced by import-linter).

Functions here take ids and plain values and return plain data or `marketplace` model instances; each documents
its contract.
"""
