from django.db import models


class GatewayEvent(models.Model):
    """A webhook event, stored in the same transaction as its effects; the unique key de-duplicates replays."""

    gateway = models.CharField(max_length=30)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_uniq")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.type} {self.event_id}"
