"""Serializers of the Learn API. Attempt serializers never include an item's answer key, correctness or
explanation while the attempt is open (see AttemptItemSerializer)."""

from rest_framework import serializers

from certification.models import (
    Attempt,
    Certificate,
    Certification,
    Course,
    Enrolment,
    Exam,
    Item,
    Lesson,
    Track,
)


class ErrorSerializer(serializers.Serializer):
    """The project's error body (see novacron.core.api.errors)."""

    class _Detail(serializers.Serializer):
        code = serializers.CharField(help_text="Stable, machine-readable, e.g. not_eligible.")
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

        class Meta:
            ref_name = "CertificationErrorDetail"

    error = _Detail()
    request_id = serializers.CharField()

    class Meta:
        ref_name = "CertificationError"


class CertificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    track = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "name", "track", "level", "description", "validity_days"]


class TrackSerializer(serializers.ModelSerializer):
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = Track
        fields = ["slug", "name", "summary", "certifications"]


class CourseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    track = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    certification = serializers.UUIDField(source="certification.public_id", allow_null=True, default=None)
    prerequisites = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    price = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "track",
            "level",
            "certification",
            "prerequisites",
            "default_language",
            "estimated_minutes",
            "price",
        ]

    def get_price(self, course: Course) -> dict | None:
        """null for free courses; otherwise amount in minor units and currency."""
        return None if course.is_free else {"amount": course.price_amount, "currency": course.price_currency}


class LessonSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "title", "position", "estimated_minutes", "is_required", "video_url", "languages"]

    def get_languages(self, lesson: Lesson) -> list[str]:
        return [lesson.module.course.default_language, *[t.language for t in lesson.translations.all()]]


class ModuleSerializer(serializers.Serializer):
    title = serializers.CharField()
    position = serializers.IntegerField()
    due_offset_days = serializers.IntegerField()
    lessons = LessonSummarySerializer(many=True)


class CourseDetailSerializer(CourseSerializer):
    modules = ModuleSerializer(many=True, read_only=True)
    languages = serializers.SerializerMethodField()
    exam = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "languages", "modules", "exam"]

    def get_languages(self, course: Course) -> list[str]:
        """The default language first, then every language some lesson is translated into."""
        from certification.selectors import course_languages

        return course_languages(course)

    def get_exam(self, course: Course) -> str | None:
        """The exam that completes this course (the certification exam), if any."""
        from certification.services.learning import course_exam

        exam = course_exam(course)
        return str(exam.public_id) if exam else None


class LessonContentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    body_html = serializers.CharField(help_text="Sanitised HTML rendered from Markdown.")
    language = serializers.CharField(help_text="The language shown.")
    requested_language = serializers.CharField()
    fallback = serializers.BooleanField(
        help_text="True: no translation in the requested language; default shown."
    )
    video_url = serializers.CharField()
    resources = serializers.ListField(child=serializers.DictField())


class EnrolInputSerializer(serializers.Serializer):
    cohort = serializers.UUIDField(required=False, allow_null=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=10)


class PurchaseInputSerializer(serializers.Serializer):
    payment_method = serializers.CharField(max_length=100, help_text="Card number on the local test gateway.")
    cohort = serializers.UUIDField(required=False, allow_null=True)
    gateway = serializers.CharField(required=False, allow_null=True, max_length=30)


class EnrolmentListSerializer(serializers.ListSerializer):
    """Computes every listed enrolment's progress in one batch (a fixed number of queries, not a set per row)."""

    progress_by_enrolment: dict | None = None

    def to_representation(self, data):
        from certification.selectors import enrolments_progress

        enrolments = list(data.all() if hasattr(data, "all") else data)
        self.progress_by_enrolment = enrolments_progress(enrolments)
        return super().to_representation(enrolments)


class EnrolmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cohort = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        list_serializer_class = EnrolmentListSerializer
        fields = [
            "id",
            "course",
            "status",
            "source",
            "language",
            "cohort",
            "created_at",
            "completed_at",
            "progress",
        ]

    def _progress(self, enrolment: Enrolment):
        from certification.selectors import enrolment_progress

        batch = getattr(self.parent, "progress_by_enrolment", None)
        if batch is not None and enrolment.pk in batch:
            return batch[enrolment.pk]
        return enrolment_progress(enrolment)

    def get_cohort(self, enrolment: Enrolment) -> dict | None:
        if enrolment.cohort is None:
            return None
        return {
            "id": str(enrolment.cohort.public_id),
            "name": enrolment.cohort.name,
            "starts_on": enrolment.cohort.starts_on,
            "ends_on": enrolment.cohort.ends_on,
        }

    def get_progress(self, enrolment: Enrolment) -> dict:
        """Required lessons done/total, percent, the lesson to resume, the next cohort deadline, the exam."""
        p = self._progress(enrolment)
        return {
            "done": p.done,
            "required": p.required,
            "percent": p.percent,
            "completed_lessons": list(p.completed_lessons),
            "resume_lesson": str(p.resume.public_id) if p.resume else None,
            "next_deadline": p.next_deadline,
            "exam": str(p.exam.public_id) if p.exam else None,
            "exam_passed": p.exam_passed,
        }


class PurchaseResultSerializer(serializers.Serializer):
    order_id = serializers.UUIDField()
    state = serializers.CharField()
    total = serializers.IntegerField()
    currency = serializers.CharField()
    failure_message = serializers.CharField(allow_blank=True)
    enrolment = EnrolmentSerializer(allow_null=True)


class ExamSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    certification = serializers.UUIDField(source="certification.public_id")
    item_count = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text='"certification" or "recertification".')
    eligible = serializers.SerializerMethodField()

    class Meta:
        model = Exam
        fields = [
            "id",
            "title",
            "kind",
            "certification",
            "item_count",
            "time_limit_minutes",
            "pass_mark",
            "max_attempts",
            "cooldown_hours",
            "eligible",
        ]

    def get_eligible(self, exam: Exam) -> dict:
        """{"ok": bool, "reason": why not (null when ok)} for the requesting learner."""
        from certification.services.exams import eligibility

        reason = eligibility(user_id=self.context["request"].user.pk, exam=exam)
        return {"ok": reason is None, "reason": reason}


class AttemptItemSerializer(serializers.Serializer):
    """A drawn item as the learner sees it: options in the attempt's shuffled order, their own response. The
    result fields are null until the attempt is submitted; the answer key is never sent."""

    position = serializers.IntegerField()
    kind = serializers.CharField()
    skill = serializers.CharField()
    stem = serializers.CharField()
    options = serializers.ListField(child=serializers.DictField())
    response = serializers.JSONField(allow_null=True)
    is_correct = serializers.BooleanField(allow_null=True)
    points = serializers.IntegerField(allow_null=True)
    explanation = serializers.CharField(allow_null=True)


class AttemptSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    exam = serializers.UUIDField(source="exam.public_id")
    items = serializers.SerializerMethodField()
    seconds_left = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "exam",
            "status",
            "started_at",
            "deadline",
            "seconds_left",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "passed",
            "skill_scores",
            "items",
        ]

    def get_seconds_left(self, attempt: Attempt) -> int:
        from django.utils import timezone

        return max(0, int((attempt.deadline - timezone.now()).total_seconds())) if attempt.is_open else 0

    def get_items(self, attempt: Attempt) -> list[dict]:
        from certification.selectors import attempt_item_rows

        return AttemptItemSerializer(attempt_item_rows(attempt), many=True).data


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text='Position → response, e.g. {"1": "b", "2": ["a", "c"], "3": "2.5", "4": "etcd", "5": ["c", "a", "b"]}.',
    )

    def validate_answers(self, value: dict) -> dict[int, object]:
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as exc:
            raise serializers.ValidationError("Keys are question positions (integers).") from exc


class SubmitInputSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)

    validate_answers = AnswersInputSerializer.validate_answers


class CertificateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    certification = CertificationSerializer()
    verification_url = serializers.SerializerMethodField()
    jwt = serializers.CharField(help_text="The signed VC-JWT (application/vc+jwt).")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "certification",
            "status",
            "recipient_name",
            "issued_at",
            "valid_from",
            "expires_at",
            "revoked_at",
            "verification_url",
            "credential",
            "jwt",
        ]

    def get_verification_url(self, certificate: Certificate) -> str:
        from certification.services.certificates import credential_url

        return credential_url(certificate)


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class VerifyInputSerializer(serializers.Serializer):
    credential = serializers.JSONField(
        required=False, help_text="A VC-JWT string or an EnvelopedVerifiableCredential object."
    )
    certificate_id = serializers.UUIDField(
        required=False, help_text="Or: verify a certificate we issued, by id."
    )

    def validate(self, attrs):
        if not attrs.get("credential") and not attrs.get("certificate_id"):
            raise serializers.ValidationError({"credential": ["Give a credential or a certificate_id."]})
        return attrs


class CheckSerializer(serializers.Serializer):
    name = serializers.ChoiceField(
        choices=["format", "issuer_key", "signature", "schema", "validity", "status"]
    )
    label = serializers.CharField()
    ok = serializers.BooleanField(allow_null=True, help_text="null: not performed.")
    message = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    summary = serializers.CharField()
    checks = CheckSerializer(many=True)
    credential = serializers.JSONField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    certified_total = serializers.IntegerField()
    per_track = serializers.ListField(child=serializers.DictField())
    per_country = serializers.ListField(child=serializers.DictField())
    enrolments = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    attempts = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True)
    revoked = serializers.IntegerField()


class ItemStatsSerializer(serializers.ModelSerializer):
    """Item statistics for authors (no answer key: use the portal or the admin to edit items)."""

    id = serializers.UUIDField(source="public_id")
    track = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="single, multiple, numeric, text or ordering.")

    class Meta:
        model = Item
        fields = [
            "id",
            "track",
            "skill",
            "difficulty",
            "kind",
            "stem",
            "responses",
            "p_value",
            "point_biserial",
            "stats_updated_at",
            "is_active",
        ]
