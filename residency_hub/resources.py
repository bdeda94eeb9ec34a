"""CSV/XLSX import and export of programs and events (django-import-export)."""

import uuid

from import_export import fields
from import_export.widgets import ForeignKeyWidget

from lmsa_portal.spreadsheets import SpreadsheetSafeResource
from residency_hub.models import Event, Program, Specialty


class ProgramResource(SpreadsheetSafeResource):
    """Programs as CSV rows; the slug identifies a program, specialties by slug."""

    specialty = fields.Field(
        column_name="specialty",
        attribute="specialty",
        widget=ForeignKeyWidget(Specialty, field="slug"),
    )

    class Meta:
        model = Program
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "institution",
            "specialty",
            "city",
            "state",
            "website",
            "program_size",
            "language",
            "diversity_mission",
            "dei_initiatives",
            "applicant_tips",
            "pipeline_opportunities",
            "special_tracks",
            "last_verified_on",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True


class EventResource(SpreadsheetSafeResource):
    """Events as CSV rows; the uid identifies an event (new rows get one)."""

    specialty = fields.Field(
        column_name="specialty",
        attribute="specialty",
        widget=ForeignKeyWidget(Specialty, field="slug"),
    )
    program = fields.Field(
        column_name="program",
        attribute="program",
        widget=ForeignKeyWidget(Program, field="slug"),
    )

    class Meta:
        model = Event
        import_id_fields = ["uid"]
        fields = [
            "uid",
            "specialty",
            "program",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "time_zone",
            "link",
            "host",
            "status",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        if not (row.get("uid") or "").strip():
            row["uid"] = str(uuid.uuid4())
