from django.conf import settings
from django.db import models


class ExchangeRate(models.Model):
    """1 `base` = `rate` `quote`, valid from `as_of`. The rate used is stored on every converted figure.

    `source` says where it came from: a provider's name ("ecb"), "manual" for a rate staff entered (then
    `entered_by` says who), or "demo". One rate per pair and day."""

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    as_of = models.DateField(db_index=True)
    source = models.CharField(max_length=40, default="manual")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True, help_text="When this row was last written")

    class Meta:
        ordering = ["-as_of", "base", "quote"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "as_of"], name="fx_rate_uniq"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.as_of})"
