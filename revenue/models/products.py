from django.db import models

from novacron.core.models import PublicModel


class Product(PublicModel):
    """A priced item a seller offers directly (support plans, sponsorships, training packages).

    Sold through checkout as item type "revenue.product"; other apps sell their own items through hooks."""

    seller = models.ForeignKey("revenue.Seller", on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit_amount = models.BigIntegerField(help_text="Price in minor units, before tax")
    currency = models.CharField(max_length=3)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_amount__gte=0), name="product_price_nonneg")
        ]

    def __str__(self) -> str:
        return self.name
