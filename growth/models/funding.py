"""Event funding: an organiser asks for a budget, staff approve, revenue pays it out as a platform grant."""

import uuid

from django.conf import settings
from django.db import models

from growth.models.chapters import Chapter
from growth.models.events import Event


class FundingRequest(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        REJECTED = "rejected", "Rejected"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="funding_requests")
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    currency = models.CharField(max_length=3)
    budget = models.JSONField(help_text='[{"label": "Venue", "amount": 20000}, ...] in minor units')
    amount = models.PositiveIntegerField(help_text="Sum of the budget lines, minor units")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    seller_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="revenue seller paid")
    journal_entry = models.CharField(max_length=64, blank=True, help_text="revenue journal entry public id")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="growth_funding_positive")
        ]

    def __str__(self) -> str:
        return self.title
