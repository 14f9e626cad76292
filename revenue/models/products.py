from django.db import models

from novacron.core.models import PublicModel


class Product(PublicModel):
    """A priced item a seller offers directly (support plans, sponsorships, training packages).

    Sold through checkout as item type "revenue.product"; other apps sell their own items through hooks.

    Volume pricing (optional): `volume_tiers` is a list of {"min_quantity": N, "unit_amount": X}, sorted by
    min_quantity (2 or more), each cheaper than the one before and than `unit_amount` (the list price, which
    applies from 1). Mode "volume": every unit is priced at the tier the quantity reaches
    (revenue/volume_pricing.py)."""

    seller = models.ForeignKey("revenue.Seller", on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit_amount = models.BigIntegerField(help_text="Price in minor units, before tax")
    currency = models.CharField(max_length=3)
    volume_tiers = models.JSONField(
        default=list, blank=True, help_text='Volume prices: [{"min_quantity": 10, "unit_amount": 1800}, ...]'
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_amount__gte=0), name="product_price_nonneg")
        ]

    def __str__(self) -> str:
        return self.name
