"""API serializers: `...In` parse input, the others render output."""

from typing import Any

from rest_framework import serializers

from marketplace.models import (
    AbuseReport,
    App,
    AppVersion,
    Badge,
    Category,
    CertificationRequest,
    CheckResult,
    Installation,
    Plan,
    Publisher,
    Review,
    ReviewComment,
    Screenshot,
)
from marketplace.models.catalog import LANGUAGES
from marketplace.models.certification import BadgeKind
from marketplace.selectors.catalog import SORTS
from novacron.core.money import Money


def money_dict(amount: int, currency: str) -> dict[str, Any]:
    return Money(int(amount), currency).to_dict()


class MoneySerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units")
    currency = serializers.CharField()
    formatted = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    error = serializers.DictField(help_text='{"code", "message", "fields"}')
    request_id = serializers.CharField()


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "description"]


class PublisherSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True, help_text='"user" or "organization"')

    class Meta:
        model = Publisher
        fields = [
            "public_id",
            "slug",
            "display_name",
            "kind",
            "organization",
            "website",
            "support_email",
            "created_at",
        ]

    def get_organization(self, obj: Publisher) -> str | None:
        return str(obj.organization.public_id) if obj.organization_id else None


class PublisherIn(serializers.Serializer):
    display_name = serializers.CharField(max_length=120)
    organization = serializers.CharField(
        required=False, allow_blank=True, help_text="Organisation slug or public id"
    )
    agreement_version = serializers.CharField(help_text="The current developer agreement version you accept")
    website = serializers.URLField(required=False, allow_blank=True)
    support_email = serializers.EmailField(required=False, allow_blank=True)


class PlanSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()
    your_price = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "public_id",
            "name",
            "model",
            "interval",
            "amount",
            "unit_amount",
            "monthly_cap",
            "currency",
            "trial_days",
            "is_active",
            "price",
            "your_price",
        ]

    def get_price(self, obj: Plan) -> MoneySerializer:
        return money_dict(obj.unit_amount if obj.model == Plan.Model.USAGE else obj.amount, obj.currency)

    def get_your_price(self, obj: Plan) -> dict[str, Any] | None:
        prices = self.context.get("customer_prices") or {}
        price = prices.get(obj.pk)
        if price is None:
            return None
        return {
            **money_dict(price.amount, price.currency),
            "grandfathered": price.grandfathered,
            "until": price.until.isoformat() if price.until else None,
        }


class PlanIn(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    model = serializers.ChoiceField(choices=Plan.Model.choices)
    interval = serializers.ChoiceField(choices=Plan.Interval.choices, required=False, allow_blank=True)
    amount = serializers.IntegerField(min_value=0, required=False, default=0)
    unit_amount = serializers.IntegerField(min_value=0, required=False, default=0)
    monthly_cap = serializers.IntegerField(min_value=0, required=False, default=0)
    currency = serializers.CharField(max_length=3, required=False, default="USD")
    trial_days = serializers.IntegerField(min_value=0, max_value=90, required=False, default=0)


class PriceChangeIn(serializers.Serializer):
    amount = serializers.IntegerField(
        min_value=1, help_text="New price in minor units (per unit for usage plans)"
    )


class ScreenshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Screenshot
        fields = ["id", "image", "caption", "width", "height", "position"]


class ScreenshotIn(serializers.Serializer):
    image = serializers.FileField()
    caption = serializers.CharField(max_length=140, required=False, allow_blank=True)


class LogoIn(serializers.Serializer):
    logo = serializers.FileField()


class BadgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = ["badge", "granted_at", "expires_at"]

    badge = serializers.ChoiceField(source="kind", choices=BadgeKind.choices, read_only=True)


class AppListSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    publisher = serializers.CharField(source="publisher.display_name", read_only=True)
    badges = serializers.SerializerMethodField()
    rank = serializers.FloatField(read_only=True, required=False, allow_null=True, default=None)

    class Meta:
        model = App
        fields = [
            "public_id",
            "slug",
            "name",
            "tagline",
            "category",
            "vertical",
            "publisher",
            "logo",
            "rating_average",
            "rating_count",
            "install_count",
            "published_at",
            "badges",
            "rank",
        ]

    def get_badges(self, obj: App) -> list[str]:
        return (self.context.get("badges") or {}).get(obj.pk, [])


class VersionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppVersion
        fields = ["public_id", "version", "state", "changelog", "published_at"]


class AppDetailSerializer(AppListSerializer):
    description_html = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    languages = serializers.SerializerMethodField()
    screenshots = ScreenshotSerializer(many=True, read_only=True)
    plans = serializers.SerializerMethodField()
    current_version = serializers.SerializerMethodField()
    publisher_slug = serializers.CharField(source="publisher.slug", read_only=True)

    class Meta(AppListSerializer.Meta):
        fields = [
            *AppListSerializer.Meta.fields,
            "description",
            "description_html",
            "tags",
            "languages",
            "documentation_url",
            "support_url",
            "privacy_policy_url",
            "terms_url",
            "rating_distribution",
            "screenshots",
            "plans",
            "current_version",
            "publisher_slug",
            "is_listed",
        ]

    def get_description_html(self, obj: App) -> str:
        from novacron.core.portal import render_markdown

        return render_markdown(obj.description)

    def get_languages(self, obj: App) -> list[str]:
        return [language.code for language in obj.languages.all()]

    def get_plans(self, obj: App) -> list[dict[str, Any]]:
        return PlanSerializer(
            [p for p in obj.plans.all() if p.is_active], many=True, context=self.context
        ).data

    def get_current_version(self, obj: App) -> dict[str, Any] | None:
        version = next((v for v in obj.versions.all() if v.state == AppVersion.State.PUBLISHED), None)
        return VersionBriefSerializer(version).data if version else None


class AppIn(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    tagline = serializers.CharField(max_length=140)
    description = serializers.CharField(help_text="Markdown")
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    vertical = serializers.CharField(required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=list(LANGUAGES)), required=False)
    documentation_url = serializers.URLField(required=False, allow_blank=True)
    support_url = serializers.URLField(required=False, allow_blank=True)
    privacy_policy_url = serializers.URLField(required=False, allow_blank=True)
    terms_url = serializers.URLField(required=False, allow_blank=True)


class AppUpdateIn(AppIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields.pop("slug")


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = ["check_name", "status", "message", "details", "run", "started_at", "finished_at"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.email", read_only=True)

    class Meta:
        model = ReviewComment
        fields = ["id", "author", "from_reviewer", "body", "created_at"]


class CommentIn(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class VersionSerializer(serializers.ModelSerializer):
    app = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    checks = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    reviewer = serializers.CharField(source="reviewer.email", read_only=True, default=None)
    has_source_bundle = serializers.SerializerMethodField()

    class Meta:
        model = AppVersion
        fields = [
            "public_id",
            "app",
            "version",
            "state",
            "changelog",
            "manifest",
            "has_source_bundle",
            "submission",
            "submitted_at",
            "checks_completed_at",
            "queued_at",
            "reviewer",
            "assigned_at",
            "checklist",
            "decided_at",
            "decision_reason",
            "published_at",
            "checks",
            "sla",
            "created_at",
        ]

    def get_checks(self, obj: AppVersion) -> list[dict[str, Any]]:
        from marketplace.services.checks import checks_latest

        return CheckResultSerializer(checks_latest(obj), many=True).data

    def get_has_source_bundle(self, obj: AppVersion) -> bool:
        return bool(obj.source_bundle)

    def get_sla(self, obj: AppVersion) -> dict[str, Any] | None:
        from marketplace.selectors.console import version_sla

        sla = version_sla(obj)
        if sla is None:
            return None
        return {
            "label": sla.label,
            "due_at": sla.due_at.isoformat(),
            "breached": sla.breached,
            "remaining_seconds": int(sla.remaining.total_seconds()),
        }


class VersionIn(serializers.Serializer):
    version = serializers.CharField(max_length=40)
    changelog = serializers.CharField(required=False, allow_blank=True, default="")
    manifest = serializers.JSONField(required=False, help_text="See /marketplace/schemas/manifest-v1.json")
    source_bundle = serializers.FileField(
        required=False, help_text="Zip of the app's source (scanned by bandit)"
    )


class VersionUpdateIn(serializers.Serializer):
    changelog = serializers.CharField(required=False, allow_blank=True)
    manifest = serializers.JSONField(required=False)
    source_bundle = serializers.FileField(required=False)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssignIn(serializers.Serializer):
    reviewer = serializers.EmailField(required=False, help_text="Assign to this reviewer (default: yourself)")


class ChecklistIn(serializers.Serializer):
    answers = serializers.DictField(child=serializers.BooleanField())


class InstallationSerializer(serializers.ModelSerializer):
    app = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    plan = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    organization = serializers.SerializerMethodField()
    seats_assigned = serializers.SerializerMethodField()

    class Meta:
        model = Installation
        fields = [
            "public_id",
            "app",
            "plan",
            "plan_name",
            "version",
            "organization",
            "status",
            "granted_scopes",
            "seats",
            "seats_assigned",
            "trial_ends_at",
            "current_period_end",
            "price_amount",
            "price_currency",
            "subscription_id",
            "created_at",
            "ended_at",
        ]

    def get_organization(self, obj: Installation) -> str | None:
        return obj.organization.slug if obj.organization_id else None

    def get_seats_assigned(self, obj: Installation) -> int:
        annotated = getattr(obj, "seats_assigned_count", None)  # lists annotate it (selectors.console)
        return obj.seat_assignments.count() if annotated is None else annotated


class InstallIn(serializers.Serializer):
    plan = serializers.UUIDField()
    organization = serializers.CharField(
        required=False, allow_blank=True, help_text="Organisation slug or id"
    )
    trial = serializers.BooleanField(required=False, default=False, help_text="Start the plan's free trial")


class PurchaseIn(serializers.Serializer):
    plan = serializers.UUIDField()
    organization = serializers.CharField(required=False, allow_blank=True)
    seats = serializers.IntegerField(min_value=1, max_value=10000, required=False, default=1)
    payment_method = serializers.CharField(
        help_text="Card number (local test gateway) or a Stripe PaymentMethod id"
    )
    gateway = serializers.CharField(required=False, allow_blank=True)
    billing_country = serializers.CharField(required=False, allow_blank=True, max_length=2)


class PurchaseSerializer(serializers.Serializer):
    order_id = serializers.UUIDField()
    state = serializers.CharField()
    total = MoneySerializer()
    next_action = serializers.DictField()
    failure_message = serializers.CharField(allow_blank=True)
    installation = InstallationSerializer(allow_null=True)


class SubscriptionOut(serializers.Serializer):
    subscription_id = serializers.UUIDField()
    state = serializers.CharField(
        help_text="active (installed), incomplete (the first payment awaits 3-D Secure: confirm it through "
        "/api/v1/revenue/subscriptions/{id}/), canceled (declined) or trialing"
    )
    seats = serializers.IntegerField()
    unit_amount = MoneySerializer(help_text="The seat price of the next period")
    current_period_end = serializers.DateTimeField()
    cancel_at_period_end = serializers.BooleanField()
    installation = InstallationSerializer(allow_null=True)


class SeatIn(serializers.Serializer):
    user = serializers.EmailField(help_text="The member's email")


class EntitlementSerializer(serializers.Serializer):
    app = serializers.CharField()
    licensed = serializers.BooleanField()
    status = serializers.CharField(help_text='"active", "trial", "expired" or "none"')
    plan = serializers.CharField(allow_null=True)
    plan_model = serializers.CharField(allow_null=True)
    seats = serializers.IntegerField()
    seats_assigned = serializers.IntegerField()
    user_has_seat = serializers.BooleanField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())


class UsageIn(serializers.Serializer):
    installation = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1)
    idempotency_key = serializers.CharField(max_length=100)
    occurred_at = serializers.DateTimeField(required=False)


class UsageSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(help_text="False when the idempotency key was already used")
    month_units = serializers.IntegerField()
    month_amount = MoneySerializer()
    monthly_cap = MoneySerializer()


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_short_name", read_only=True)

    class Meta:
        model = Review
        fields = [
            "public_id",
            "author",
            "rating",
            "title",
            "body",
            "helpful_count",
            "reply_body",
            "replied_at",
            "created_at",
            "updated_at",
        ]


class ReviewIn(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=5000)


class ReplyIn(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class ReportIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=AbuseReport.Reason.choices)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AbuseReportSerializer(serializers.ModelSerializer):
    review = ReviewSerializer(read_only=True)
    app = serializers.CharField(source="review.app.slug", read_only=True)
    reporter = serializers.CharField(source="reporter.email", read_only=True)

    class Meta:
        model = AbuseReport
        fields = [
            "public_id",
            "app",
            "review",
            "reporter",
            "reason",
            "details",
            "status",
            "resolved_at",
            "resolution_note",
            "created_at",
        ]


class ResolveIn(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="True hides the review; False dismisses the report")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CertificationRequestSerializer(serializers.ModelSerializer):
    app = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    badge = serializers.ChoiceField(source="kind", choices=BadgeKind.choices, read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta:
        model = CertificationRequest
        fields = [
            "public_id",
            "app",
            "badge",
            "questionnaire",
            "support_response_hours",
            "uptime_slo",
            "state",
            "decided_at",
            "decision_note",
            "created_at",
            "problems",
        ]

    def get_problems(self, obj: CertificationRequest) -> list[str]:
        from marketplace.services.certification import certification_problems

        return certification_problems(obj) if obj.state == CertificationRequest.State.PENDING else []


class CertificationRequestIn(serializers.Serializer):
    badge = serializers.ChoiceField(choices=BadgeKind.choices)
    questionnaire = serializers.DictField(child=serializers.BooleanField())
    support_response_hours = serializers.IntegerField(min_value=1, max_value=720)
    uptime_slo = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=100)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    options = FacetOptionSerializer(many=True)


class CatalogSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    sort = serializers.ChoiceField(choices=list(SORTS))
    results = AppListSerializer(many=True)
    facets = FacetSerializer(many=True)


class ApiKeySerializer(serializers.Serializer):
    api_key = serializers.CharField(help_text="Shown once: store it as a secret of your app's server")
    prefix = serializers.CharField()
