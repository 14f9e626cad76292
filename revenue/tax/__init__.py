"""Tax rules (place of supply, reverse charge, US nexus) and the VIES client; rates live in TaxRate rows."""
