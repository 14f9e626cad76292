"""Money: ledger, checkout, payment gateways, tax, invoices, subscriptions, payouts."""
