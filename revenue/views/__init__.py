"""The revenue portal under /revenue/ (see revenue/urls.py): buyers, sellers and finance staff pages.

Thin: parse a form, call a selector or a service, render. Domain errors from services come back as form errors
(nothing is half-written: each service owns its transaction)."""
