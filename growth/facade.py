"""The only module other apps may import from `growth` (enforced by import-linter).

Functions here take ids and plain values and return plain data or `growth` model instances; each documents
its contract.
"""
