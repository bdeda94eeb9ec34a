"""CSV/XLSX import and export of subscribers (django-import-export)."""

from import_export import fields, widgets

from listserv.models import Interest, Subscriber
from listserv.services import IMPORT_CONSENT_TEXT
from lmsa_portal.spreadsheets import SpreadsheetSafeResource
from residency_hub.models import Specialty

# What a new address gets for a blank cell (the model's defaults would not pass
# validation for the role).
NEW_ROW_DEFAULTS = {"role": "other", "frequency": "every"}


class SubscriberResource(SpreadsheetSafeResource):
    """CSV columns; status, source and dates are exported but never imported, so
    an import can never mark an address as confirmed. For an address already on
    the list, a blank cell keeps what is there: a staff sheet with a few columns
    filled never wipes the preferences a subscriber chose."""

    specialty = fields.Field(
        attribute="specialty",
        column_name="specialty",
        widget=widgets.ForeignKeyWidget(Specialty, field="name"),
    )
    interests = fields.Field(
        attribute="interests",
        column_name="interests",
        widget=widgets.ManyToManyWidget(Interest, field="code", separator="|"),
    )
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    source = fields.Field(attribute="source", column_name="source", readonly=True)
    created_at = fields.Field(
        attribute="created_at", column_name="created_at", readonly=True
    )
    confirmed_at = fields.Field(
        attribute="confirmed_at", column_name="confirmed_at", readonly=True
    )
    unsubscribed_at = fields.Field(
        attribute="unsubscribed_at", column_name="unsubscribed_at", readonly=True
    )

    class Meta:
        model = Subscriber
        import_id_fields = ["email"]
        fields = [
            "email",
            "name",
            "role",
            "institution",
            "specialty",
            "state",
            "region",
            "interests",
            "frequency",
            "status",
            "source",
            "created_at",
            "confirmed_at",
            "unsubscribed_at",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        row["email"] = (row.get("email") or "").strip().lower()

    def import_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            for column, default in NEW_ROW_DEFAULTS.items():
                if not str(row.get(column) or "").strip():
                    row[column] = default
        super().import_instance(instance, row, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        blank = not str(row.get(field.column_name) or "").strip()
        if instance.pk is not None and blank:
            return None  # keep the subscriber's own value
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.source = Subscriber.Source.IMPORT
            instance.status = Subscriber.Status.UNCONFIRMED
            instance.consent_text = IMPORT_CONSENT_TEXT
