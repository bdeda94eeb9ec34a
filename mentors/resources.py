"""CSV/XLSX import and export of mentors (django-import-export).

Column headers follow the registry spreadsheet LMSA kept before the portal,
including its "Any Special Requests?" column. Rows are matched on the email
address of an open listing, so re-importing a sheet updates instead of
duplicating. A bad row is reported with its line number in the dry-run preview.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, widgets

from lmsa_portal.locations import us_state_choices
from lmsa_portal.phones import PhoneWidget
from lmsa_portal.spreadsheets import SpreadsheetSafeResource
from mentors.models import (
    MENTEE_LEVEL_FIELDS,
    MODE_FIELDS,
    Language,
    MenteeLevel,
    Mentor,
    MentoringMode,
    MentorshipRequest,
)
from residency_hub.models import Specialty

YES = {"1", "true", "yes", "y", "x", "si", "sí"}
NO = {"0", "false", "no", "n", ""}

# Words people type in the spreadsheet for each choice (lower case).
LEVEL_WORDS = {
    MenteeLevel.PREMED: ["premed", "pre-med", "premedical", "undergrad"],
    MenteeLevel.MEDICAL_STUDENT: ["medical student", "med student", "medical students"],
    MenteeLevel.RESIDENT: ["resident", "residents"],
}
MODE_WORDS = {
    MentoringMode.VIRTUAL: ["virtual", "virtually", "online", "remote"],
    MentoringMode.IN_PERSON: ["in person", "in-person", "in_person"],
}


class SpecialtyWidget(widgets.ForeignKeyWidget):
    """A specialty by name or slug, case-insensitive."""

    def __init__(self):
        super().__init__(Specialty, field="name")

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if not value:
            raise ValueError(_("Specialty is required."))
        specialty = Specialty.objects.filter(
            Q(name__iexact=value) | Q(slug__iexact=value)
        ).first()
        if specialty is None:
            raise ValueError(_("Unknown specialty “%(value)s”.") % {"value": value})
        return specialty


class StateWidget(widgets.Widget):
    """A state or territory by code ("PR") or name ("Puerto Rico")."""

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        for code, label in us_state_choices():
            if value.upper() == code or value.lower() == str(label).lower():
                return code
        raise ValueError(
            _("Unknown state or territory “%(value)s”.") % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class LanguagesWidget(widgets.ManyToManyWidget):
    """Languages by name or code, separated by commas; unknown names are errors."""

    def __init__(self):
        super().__init__(Language, field="name", separator=",")

    def clean(self, value, row=None, **kwargs):
        names = [part.strip() for part in (value or "").replace(";", ",").split(",")]
        languages = []
        for name in filter(None, names):
            language = Language.objects.filter(
                Q(name__iexact=name) | Q(code__iexact=name)
            ).first()
            if language is None:
                raise ValueError(_("Unknown language “%(value)s”.") % {"value": name})
            languages.append(language)
        return languages

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(language.name for language in value.all())


class YesNoWidget(widgets.Widget):
    """Yes/No (also 1/0, true/false, x, sí); an empty cell keeps the default."""

    def __init__(self, default: bool):
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text == "":
            return self.default
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("Expected Yes or No, got “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class ChoiceSetField(fields.Field):
    """One column listing several choices, stored as one boolean per choice."""

    def __init__(
        self, *, attribute: str, column_name: str, field_map: dict, words: dict
    ):
        super().__init__(attribute=attribute, column_name=column_name)
        self.field_map = field_map
        self.words = words

    def clean(self, row, **kwargs):
        text = str(row.get(self.column_name) or "").lower()
        parts = [part.strip() for part in text.replace(";", ",").split(",")]
        chosen = set()
        for part in filter(None, parts):
            matches = [
                choice
                for choice, words in self.words.items()
                if part == str(choice.label).lower() or part in words
            ]
            if not matches:
                raise ValueError(
                    _("Unknown value “%(value)s” in “%(column)s”.")
                    % {"value": part, "column": self.column_name}
                )
            chosen.update(matches)
        return chosen

    def save(self, instance, row, is_m2m=False, **kwargs):
        chosen = self.clean(row)
        for choice, attribute in self.field_map.items():
            setattr(instance, attribute, choice in chosen)

    def get_value(self, instance):
        return ", ".join(
            str(choice.label)
            for choice, attribute in self.field_map.items()
            if getattr(instance, attribute)
        )

    def export(self, instance, **kwargs):
        return self.get_value(instance)


class ConfirmedOnWidget(widgets.Widget):
    """A date (2025-03-01) or date and time; stored as an aware datetime."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            moment = value
        elif isinstance(value, datetime.date):
            moment = datetime.datetime.combine(value, datetime.time(12))
        else:
            text = str(value).strip()
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    _("Expected a date like 2025-03-01, got “%(value)s”.")
                    % {"value": text}
                ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return timezone.localtime(value).date().isoformat()


class MentorResource(SpreadsheetSafeResource):
    first_name = fields.Field("first_name", "First Name")
    last_name = fields.Field("last_name", "Last Name")
    credentials = fields.Field("credentials", "Credentials")
    email = fields.Field("email", "Email")
    phone = fields.Field("phone", "Phone", widget=PhoneWidget())
    specialty = fields.Field("specialty", "Specialty", widget=SpecialtyWidget())
    subspecialty = fields.Field("subspecialty", "Subspecialty")
    institution = fields.Field("institution", "Institution")
    city = fields.Field("city", "City")
    state = fields.Field("state", "State", widget=StateWidget())
    languages = fields.Field("languages", "Languages", widget=LanguagesWidget())
    mentee_levels = ChoiceSetField(
        attribute="mentee_levels",
        column_name="Mentee Levels",
        field_map=MENTEE_LEVEL_FIELDS,
        words=LEVEL_WORDS,
    )
    modes = ChoiceSetField(
        attribute="modes",
        column_name="Virtual or In Person",
        field_map=MODE_FIELDS,
        words=MODE_WORDS,
    )
    capacity = fields.Field(
        "capacity", "Mentees at a Time", widget=widgets.IntegerWidget()
    )
    accepting_mentees = fields.Field(
        "accepting_mentees", "Accepting New Mentees", widget=YesNoWidget(default=True)
    )
    bio = fields.Field("bio", "Bio")
    special_requests = fields.Field("special_requests", "Any Special Requests?")
    # A blank cell is no consent: the listing shows no contact details until the
    # physician saves it through their own link (which asks for consent).
    consent_to_share = fields.Field(
        "consent_to_share",
        "Consent to Share Contact",
        widget=YesNoWidget(default=False),
    )
    status = fields.Field("status", "Status")
    confirmed_at = fields.Field(
        "confirmed_at", "Confirmed On", widget=ConfirmedOnWidget()
    )

    # Export only: how the registry works for members (never imported).
    request_total = fields.Field(column_name="Requests", readonly=True)
    requests_accepted = fields.Field(column_name="Requests Accepted", readonly=True)
    connections = fields.Field(column_name="Connections Made", readonly=True)

    class Meta:
        model = Mentor
        fields = [
            "first_name",
            "last_name",
            "credentials",
            "email",
            "phone",
            "specialty",
            "subspecialty",
            "institution",
            "city",
            "state",
            "languages",
            "mentee_levels",
            "modes",
            "capacity",
            "accepting_mentees",
            "bio",
            "special_requests",
            "consent_to_share",
            "status",
            "confirmed_at",
            "request_total",
            "requests_accepted",
            "connections",
        ]
        import_id_fields = ["email"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Mentor.objects.select_related("specialty").prefetch_related("languages")

    def get_instance(self, instance_loader, row):
        """Match the open listing with this email (declined/removed ones stay)."""
        email = str(row.get("Email") or "").strip()
        if not email:
            return None
        return Mentor.objects.open().with_email(email).first()

    def import_instance(self, instance, row, **kwargs):
        """Also check the languages up front, so an unknown one is reported with
        the row's other problems instead of failing the import later."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors.update(error.error_dict)
        languages = self.fields["languages"]
        if languages.column_name in row:
            try:
                languages.clean(row)
            except ValueError as error:
                errors["languages"] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def before_import_row(self, row, **kwargs):
        for column in ("Phone", "Subspecialty", "Bio", "Any Special Requests?"):
            if row.get(column) is None:
                row[column] = ""
        status = str(row.get("Status") or "").strip().lower()
        # Rows of the existing spreadsheet are live listings unless it says otherwise.
        labels = {str(label).lower(): value for value, label in Mentor.Status.choices}
        row["Status"] = labels.get(status, status) or Mentor.Status.APPROVED
        if row.get("Mentees at a Time") in (None, ""):
            row["Mentees at a Time"] = 2

    def before_save_instance(self, instance, row, **kwargs):
        now = timezone.now()
        if instance.consent_to_share and instance.consented_at is None:
            instance.consented_at = now
        if instance.status == Mentor.Status.APPROVED:
            if instance.confirmed_at is None:
                instance.confirmed_at = now
            if instance.decided_at is None:
                instance.decided_at = now
        instance._change_reason = "Imported from spreadsheet"

    def dehydrate_status(self, mentor):
        return mentor.status

    def filter_export(self, queryset, **kwargs):
        """Each listing's request counts, in the export's one query."""
        Status, Outcome = MentorshipRequest.Status, MentorshipRequest.Outcome
        return queryset.annotate(
            request_total=Count("requests", distinct=True),
            requests_accepted=Count(
                "requests",
                filter=Q(requests__status=Status.ACCEPTED),
                distinct=True,
            ),
            connections=Count(
                "requests",
                filter=Q(requests__outcome=Outcome.CONNECTED),
                distinct=True,
            ),
        )

    def dehydrate_request_total(self, mentor):
        return mentor.request_total

    def dehydrate_requests_accepted(self, mentor):
        return mentor.requests_accepted

    def dehydrate_connections(self, mentor):
        return mentor.connections
