"""CSV/XLSX import and export of archived sessions (django-import-export).

Columns: title, date (YYYY-MM-DD), video_url, audience, language, topics (names
separated by ";", created when new), specialty (slug), duration (H:MM:SS),
description, summary, status, slug (optional; made from the title and year).
"""

import datetime

from django.utils.text import slugify
from import_export import fields
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from ama.models import Audience, Topic, Video, unique_video_slug
from lmsa_portal.localized import ContentLanguage
from lmsa_portal.spreadsheets import SpreadsheetSafeResource
from residency_hub.models import Specialty


class TopicNamesWidget(ManyToManyWidget):
    """Topics by name, separated by ";"; unknown names become new topics."""

    def __init__(self):
        super().__init__(Topic, separator=";", field="name")

    def clean(self, value, row=None, **kwargs):
        if not value:
            return Topic.objects.none()
        names = [name.strip() for name in str(value).split(self.separator)]
        topics = []
        for name in filter(None, names):
            topic = Topic.objects.filter(name__iexact=name).first()
            if topic is None:
                topic = Topic.objects.create(name=name, slug=unique_topic_slug(name))
            topics.append(topic.pk)
        return Topic.objects.filter(pk__in=topics)


def unique_topic_slug(name: str) -> str:
    base = slugify(name)[:70] or "topic"
    slug, number = base, 2
    while Topic.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


class VideoResource(SpreadsheetSafeResource):
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=TopicNamesWidget()
    )
    specialty = fields.Field(
        attribute="specialty",
        column_name="specialty",
        widget=ForeignKeyWidget(Specialty, field="slug"),
    )

    class Meta:
        model = Video
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "date",
            "video_url",
            "audience",
            "language",
            "topics",
            "specialty",
            "duration",
            "description",
            "summary",
            "status",
        ]
        export_order = fields
        # Runs the model's validation (video link, choices) and reports row errors.
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        # The Facebook list has no slugs; rows get one in before_import_row.
        if "slug" not in (dataset.headers or []):
            dataset.append_col([""] * len(dataset), header="slug")

    def before_import_row(self, row, **kwargs):
        for key in ("audience", "language", "status"):
            if row.get(key):
                row[key] = str(row[key]).strip().lower()
        if not row.get("audience"):
            row["audience"] = Audience.BOTH
        if not row.get("language"):
            row["language"] = ContentLanguage.ENGLISH
        if not row.get("status"):
            row["status"] = Video.Status.DRAFT
        if not row.get("slug") and row.get("title"):
            # Re-importing the same list updates rows instead of duplicating them.
            title = str(row["title"])
            date = _parse_date(row.get("date"))
            existing = Video.objects.filter(title=title, date=date).first()
            row["slug"] = existing.slug if existing else unique_video_slug(title, date)


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None
