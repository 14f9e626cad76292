"""Marketplace models: publishers, listings and versions, pricing, installs, reviews, QA and certification."""

from marketplace.models.catalog import App, AppLanguage, Category, Screenshot, Tag, Vertical
from marketplace.models.certification import Badge, BadgeKind, CertificationRequest
from marketplace.models.installs import Installation, Purchase, SeatAssignment, UsageRecord
from marketplace.models.pricing import Plan, PriceChange
from marketplace.models.publishers import AgreementAcceptance, DeveloperAgreement, Publisher
from marketplace.models.qa import CheckResult, ReviewComment
from marketplace.models.reviews import AbuseReport, HelpfulVote, Review
from marketplace.models.versions import AppVersion

__all__ = [
    "AbuseReport",
    "AgreementAcceptance",
    "App",
    "AppLanguage",
    "AppVersion",
    "Badge",
    "BadgeKind",
    "Category",
    "CertificationRequest",
    "CheckResult",
    "DeveloperAgreement",
    "HelpfulVote",
    "Installation",
    "Plan",
    "PriceChange",
    "Publisher",
    "Purchase",
    "Review",
    "ReviewComment",
    "Screenshot",
    "SeatAssignment",
    "Tag",
    "UsageRecord",
    "Vertical",
]
