"""The marketplace portal, mounted at /marketplace/ (see marketplace/urls.py)."""
