from django.db import models


class ExchangeRate(models.Model):
    """1 `base` = `rate` `quote`, valid from `as_of`. The rate used is stored on every converted figure."""

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    as_of = models.DateField(db_index=True)
    source = models.CharField(max_length=40, default="manual")

    class Meta:
        ordering = ["-as_of", "base", "quote"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "as_of"], name="fx_rate_uniq"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.as_of})"
