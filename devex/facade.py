"""The only module other apps may import from `devex` (enforced by import-linter).

Functions here take ids and plain values and return plain data or `devex` model instances; each documents
its contract.
"""
