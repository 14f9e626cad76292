"""Seed the tax rate table: EU standard VAT rates (with the recent changes dated), UK VAT, US state sales tax on
digital goods (state base rates, where digital products are taxable; collected only in REVENUE_US_NEXUS_STATES)
and a few other countries' VAT/GST on digital services. Later changes are new rows (admin, API or
`manage.py tax_rate_set`), never edits of these."""

from decimal import Decimal

from django.db import migrations

D = "2020-01-01"  # in force before the platform's first sale

RATES = [
    # EU member states: VAT on electronically supplied services, standard rate
    ("AT", "vat", "0.20", D), ("BE", "vat", "0.21", D), ("BG", "vat", "0.20", D), ("HR", "vat", "0.25", D),
    ("CY", "vat", "0.19", D), ("CZ", "vat", "0.21", D), ("DK", "vat", "0.25", D), ("EE", "vat", "0.20", D),
    ("EE", "vat", "0.22", "2024-01-01"), ("EE", "vat", "0.24", "2025-07-01"), ("FI", "vat", "0.24", D),
    ("FI", "vat", "0.255", "2024-09-01"), ("FR", "vat", "0.20", D), ("DE", "vat", "0.19", D),
    ("GR", "vat", "0.24", D), ("HU", "vat", "0.27", D), ("IE", "vat", "0.23", D), ("IT", "vat", "0.22", D),
    ("LV", "vat", "0.21", D), ("LT", "vat", "0.21", D), ("LU", "vat", "0.17", D), ("LU", "vat", "0.16", "2023-01-01"),
    ("LU", "vat", "0.17", "2024-01-01"), ("MT", "vat", "0.18", D), ("NL", "vat", "0.21", D), ("PL", "vat", "0.23", D),
    ("PT", "vat", "0.23", D), ("RO", "vat", "0.19", D), ("RO", "vat", "0.21", "2025-08-01"), ("SK", "vat", "0.20", D),
    ("SK", "vat", "0.23", "2025-01-01"), ("SI", "vat", "0.22", D), ("ES", "vat", "0.21", D), ("SE", "vat", "0.25", D),
    # United Kingdom
    ("GB", "vat", "0.20", D),
    # Other countries taxing foreign digital services
    ("NO", "vat", "0.25", D), ("CH", "vat", "0.081", "2024-01-01"), ("IS", "vat", "0.24", D),
    ("AU", "gst", "0.10", D), ("NZ", "gst", "0.15", D), ("JP", "vat", "0.10", D), ("SG", "gst", "0.09", "2024-01-01"),
    ("ZA", "vat", "0.15", D), ("IN", "gst", "0.18", D),
    # US states taxing digital goods / SaaS (state base rate; local rates are not included)
    ("US-AL", "sales_tax", "0.04", D), ("US-AZ", "sales_tax", "0.056", D), ("US-AR", "sales_tax", "0.065", D),
    ("US-CT", "sales_tax", "0.0635", D), ("US-DC", "sales_tax", "0.06", D), ("US-HI", "sales_tax", "0.04", D),
    ("US-ID", "sales_tax", "0.06", D), ("US-IN", "sales_tax", "0.07", D), ("US-IA", "sales_tax", "0.06", D),
    ("US-KY", "sales_tax", "0.06", D), ("US-LA", "sales_tax", "0.0445", D), ("US-ME", "sales_tax", "0.055", D),
    ("US-MN", "sales_tax", "0.06875", D), ("US-MS", "sales_tax", "0.07", D), ("US-NE", "sales_tax", "0.055", D),
    ("US-NJ", "sales_tax", "0.06625", D), ("US-NM", "sales_tax", "0.04875", D), ("US-NY", "sales_tax", "0.04", D),
    ("US-NC", "sales_tax", "0.0475", D), ("US-OH", "sales_tax", "0.0575", D), ("US-PA", "sales_tax", "0.06", D),
    ("US-RI", "sales_tax", "0.07", D), ("US-SD", "sales_tax", "0.042", D), ("US-TN", "sales_tax", "0.07", D),
    ("US-TX", "sales_tax", "0.0625", D), ("US-UT", "sales_tax", "0.061", D), ("US-VT", "sales_tax", "0.06", D),
    ("US-WA", "sales_tax", "0.065", D), ("US-WV", "sales_tax", "0.06", D), ("US-WI", "sales_tax", "0.05", D),
    ("US-WY", "sales_tax", "0.04", D),
]  # fmt: skip


def seed(apps, schema_editor):
    TaxRate = apps.get_model("revenue", "TaxRate")
    for jurisdiction, kind, rate, valid_from in RATES:
        TaxRate.objects.get_or_create(
            jurisdiction=jurisdiction,
            valid_from=valid_from,
            defaults={"country": jurisdiction[:2], "kind": kind, "rate": Decimal(rate), "note": "seeded"},
        )


def unseed(apps, schema_editor):
    apps.get_model("revenue", "TaxRate").objects.filter(note="seeded").delete()


class Migration(migrations.Migration):
    dependencies = [("revenue", "0007_billing_tax_invoices")]

    operations = [migrations.RunPython(seed, unseed)]
