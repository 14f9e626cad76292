"""The only module other apps may import from `revenue` (enforced by import-linter).

Functions here take ids and plain values and return plain data or `revenue` model instances; each documents
its contract.
"""
