"""Exhibitors and sponsors: tiers, booths, staff, and leads captured by scanning a consenting attendee's badge."""

import uuid

from django.conf import settings
from django.db import models

from growth.models.conferences import Conference
from growth.models.tickets import Ticket


class SponsorTier(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="sponsor_tiers")
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(default=0, help_text="0 = top tier")
    price = models.PositiveIntegerField(help_text="Minor units")
    currency = models.CharField(max_length=3, default="USD")
    benefits = models.TextField(blank=True)

    class Meta:
        ordering = ["rank", "pk"]

    def __str__(self) -> str:
        return self.name


class Sponsor(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="sponsors")
    tier = models.ForeignKey(SponsorTier, on_delete=models.PROTECT, related_name="sponsors")
    name = models.CharField(max_length=120)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    booth = models.CharField(max_length=30, blank=True, help_text="Booth number on the floor plan")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["tier__rank", "name"]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="leads")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="leads")
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    captured_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-captured_at"]
        constraints = [models.UniqueConstraint(fields=["sponsor", "ticket"], name="growth_lead_unique")]

    def __str__(self) -> str:
        return f"{self.sponsor_id}: {self.ticket_id}"
