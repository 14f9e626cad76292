"""The only module other apps may import from `certification` (enforced by import-linter).

Functions here take ids and plain values and return plain data or `certification` model instances; each documents
its contract.
"""
