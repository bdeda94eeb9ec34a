"""CSV/XLSX import and export of the roster and memberships (django-import-export)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from lmsa_portal.spreadsheets import SpreadsheetSafeResource
from members.models import Membership, RosterEntry


class ChoiceWidget(widgets.CharWidget):
    """Accept a choice's code or its English label ("Medical student")."""

    def __init__(self, choices, **kwargs):
        self.by_label = {str(label).lower(): code for code, label in choices}
        self.codes = {code for code, _label in choices}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = (super().clean(value, row, **kwargs) or "").strip()
        if not value:
            return ""
        if value in self.codes:
            return value
        code = self.by_label.get(value.lower()) or value.lower().replace(" ", "_")
        if code not in self.codes:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(sorted(self.codes))}
            )
        return code


class StrictDateWidget(widgets.DateWidget):
    """Dates as YYYY-MM-DD or MM/DD/YYYY; anything else is a reported row error."""

    def __init__(self):
        super().__init__(format="%Y-%m-%d")
        self.formats = ("%Y-%m-%d", "%m/%d/%Y")


class RosterEntryResource(SpreadsheetSafeResource):
    email = fields.Field(attribute="email", column_name="email")
    member_type = fields.Field(
        attribute="member_type",
        column_name="member_type",
        widget=ChoiceWidget(Membership.MemberType.choices),
    )
    region = fields.Field(
        attribute="region",
        column_name="region",
        widget=ChoiceWidget(Membership.Region.choices),
    )
    expires_on = fields.Field(
        attribute="expires_on", column_name="expires_on", widget=StrictDateWidget()
    )

    class Meta:
        model = RosterEntry
        import_id_fields = ["email"]
        fields = [
            "email",
            "first_name",
            "last_name",
            "member_type",
            "institution",
            "region",
            "expires_on",
        ]
        export_order = fields
        # full_clean() on every row: bad emails are reported, not imported.
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        # One transaction: a file with any bad row imports nothing.
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        # A file with no header row (or no "email" column) cannot be read row by
        # row: report it once and import nothing (import-export would otherwise
        # go on to zip rows with missing headers: a 500, found by
        # tests/security/test_admin_fuzz.py).
        if not dataset.headers or "email" not in dataset.headers:
            dataset.wipe()
            raise ValidationError(
                _(
                    "The file needs a header row with an “email” column (the "
                    "columns are listed on this page)."
                )
            )
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        if row.get("email"):
            row["email"] = str(row["email"]).strip().lower()
        if not row.get("email"):
            raise ValidationError(_("Every row needs an email address."))


class MembershipResource(SpreadsheetSafeResource):
    email = fields.Field(attribute="user__email", column_name="email")
    first_name = fields.Field(attribute="user__first_name", column_name="first_name")
    last_name = fields.Field(attribute="user__last_name", column_name="last_name")
    email_verified = fields.Field(column_name="email_verified")

    class Meta:
        model = Membership
        fields = [
            "email",
            "first_name",
            "last_name",
            "member_type",
            "institution",
            "graduation_year",
            "region",
            "status",
            "expires_on",
            "email_verified",
            "created_at",
            "decided_at",
        ]
        export_order = fields

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("user")
            .prefetch_related("user__emailaddress_set")
        )

    def dehydrate_email_verified(self, membership: Membership) -> bool:
        return any(
            address.verified and address.email.lower() == membership.user.email.lower()
            for address in membership.user.emailaddress_set.all()
        )
