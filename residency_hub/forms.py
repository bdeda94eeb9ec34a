"""The public program submission form, the coordinators' forms and the event admin
forms (the directory's filters are in filters.py)."""

import datetime
import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.db import models
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from lmsa_portal.abuse import HoneypotFormMixin
from residency_hub.models import (
    Event,
    Program,
    ProgramSubmission,
    SubmittedContact,
    SubmittedEvent,
)
from residency_hub.services import CONTACT_FIELDS, EVENT_FIELDS

WALL_CLOCK_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as written, with no zone; the form applies the zone chosen
    next to it (the organiser's), not the viewer's."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
    )

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        for fmt in WALL_CLOCK_FORMATS:
            try:
                return datetime.datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def in_zone(naive: datetime.datetime, zone_name: str) -> datetime.datetime | None:
    """``naive`` read as a wall-clock time in ``zone_name``; None when that time does
    not exist there (skipped by a daylight-saving change)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        return None
    return aware


def clean_wall_clock_range(
    form: forms.Form, *, start: str, end: str, zone: str
) -> None:
    """Turn the form's wall-clock start and end into aware times in the chosen zone,
    with messages next to the fields when they do not make sense."""
    data = form.cleaned_data
    zone_name = data.get(zone)
    if not zone_name:
        # The zone has its own error; wall-clock times without it mean nothing
        # and must not reach later checks as naive datetimes.
        data.pop(start, None)
        data.pop(end, None)
        return
    for field in (start, end):
        if data.get(field) is None:
            continue
        aware = in_zone(data[field], zone_name)
        if aware is None:
            form.add_error(
                field,
                _(
                    "This time does not exist in %(zone)s: the clocks change then. "
                    "Please pick another time."
                )
                % {"zone": zone_name},
            )
            data.pop(field, None)
        else:
            data[field] = aware
    if data.get(start) and data.get(end) and data[end] <= data[start]:
        form.add_error(end, _("The event must end after it starts."))


def https_formfield(db_field, **kwargs):
    """Model form fields; a link typed without a scheme is taken as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ProgramSubmissionForm(HoneypotFormMixin, forms.ModelForm):
    """Public form: a program coordinator sends in (or updates) an entry. Its
    events and advisor contacts come in the formsets below."""

    consent = forms.BooleanField(
        label=_(
            "I am authorised to share this information, and the advisor contact "
            "agreed to be shown to LMSA members."
        ),
        required=True,
    )

    class Meta:
        model = ProgramSubmission
        formfield_callback = https_formfield
        fields = [
            "submitter_name",
            "submitter_email",
            "submitter_role",
            "name",
            "institution",
            "specialty",
            "city",
            "state",
            "program_website",
            "program_size",
            "diversity_mission",
            "dei_initiatives",
            "applicant_tips",
            "pipeline_opportunities",
            "special_tracks",
        ]
        widgets = {
            field: forms.Textarea(attrs={"rows": 4})
            for field in [
                "diversity_mission",
                "dei_initiatives",
                "applicant_tips",
                "pipeline_opportunities",
                "special_tracks",
            ]
        }
        help_texts = {
            "diversity_mission": _("Markdown is allowed: **bold**, lists, links."),
            "submitter_email": _("We email you the outcome of the review."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].empty_label = _("Choose a specialty")
        # The template renders these fieldsets, then the events and contacts,
        # then consent, honeypot and the button.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the form tag and token
        self.helper.layout = Layout(
            Fieldset(
                _("About you"), "submitter_name", "submitter_email", "submitter_role"
            ),
            Fieldset(
                _("The program"),
                "name",
                "institution",
                "specialty",
                "city",
                "state",
                "program_website",
                "program_size",
                "diversity_mission",
                "dei_initiatives",
                "applicant_tips",
                "pipeline_opportunities",
                "special_tracks",
            ),
        )


def clean_event_times(form, *, listed_start=None) -> None:
    """An event's start and end in its own time zone, the end after the start, and
    a start in the future (unless it is the listed event's own, unchanged)."""
    clean_wall_clock_range(form, start="starts_at", end="ends_at", zone="time_zone")
    starts_at = form.cleaned_data.get("starts_at")
    if starts_at and starts_at < timezone.now() and starts_at != listed_start:
        form.add_error("starts_at", _("The event must be in the future."))


class SubmittedEventForm(forms.ModelForm):
    """One event row of the public form; times are wall-clock times in the row's
    time zone."""

    starts_at = WallClockDateTimeField(
        label=_("Starts at"),
        help_text=_("In the event time zone below."),
        error_messages={"required": _("Needed when you add an event.")},
    )
    ends_at = WallClockDateTimeField(
        label=_("Ends at"),
        error_messages={"required": _("Needed when you add an event.")},
    )

    class Meta:
        model = SubmittedEvent
        formfield_callback = https_formfield
        fields = EVENT_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "title": {"required": _("Needed when you add an event.")},
        }

    def clean(self):
        data = super().clean()
        clean_event_times(self)
        return data


class SubmittedContactForm(forms.ModelForm):
    """One advisor contact row of the public form."""

    class Meta:
        model = SubmittedContact
        fields = CONTACT_FIELDS
        error_messages = {
            "name": {"required": _("Please give the contact's name.")},
        }


class SubmissionRowsFormSet(forms.BaseInlineFormSet):
    """Rows of the public form: untouched rows are ignored, rows keep the order
    they were typed in, and a post without the formset's management fields (an
    old or scripted client) counts as no rows rather than as tampering."""

    @cached_property
    def management_form(self):
        if self.is_bound and self.add_prefix(TOTAL_FORM_COUNT) not in self.data:
            form = ManagementForm(
                {
                    self.add_prefix(TOTAL_FORM_COUNT): 0,
                    self.add_prefix(INITIAL_FORM_COUNT): 0,
                },
                auto_id=self.auto_id,
                prefix=self.prefix,
                renderer=self.renderer,
            )
            form.full_clean()
            return form
        return super().management_form

    def save_new(self, form, commit=True):
        form.instance.position = self.forms.index(form)
        return super().save_new(form, commit=commit)


def _submission_rows(form, model, *, extra):
    return forms.inlineformset_factory(
        ProgramSubmission,
        model,
        form=form,
        formset=SubmissionRowsFormSet,
        extra=extra,
        max_num=model.MAX_PER_SUBMISSION,
        absolute_max=model.MAX_PER_SUBMISSION,
        validate_max=True,
        can_delete=False,
    )


SubmittedEventFormSet = _submission_rows(SubmittedEventForm, SubmittedEvent, extra=3)
SubmittedContactFormSet = _submission_rows(
    SubmittedContactForm, SubmittedContact, extra=2
)


class OrganiserZoneFormMixin:
    """Times entered and shown as wall-clock times in the zone chosen on the form
    (the organiser's), whatever the staff member's own time zone is."""

    zone_fields = ("starts_at", "ends_at", "time_zone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start, end, zone_field = self.zone_fields
        instance = self.instance
        zone_name = getattr(instance, zone_field, "")
        if instance.pk and zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for field in (start, end):
                value = getattr(instance, field)
                if value is not None:
                    self.initial[field] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        data = super().clean()
        start, end, zone_field = self.zone_fields
        clean_wall_clock_range(self, start=start, end=end, zone=zone_field)
        return data


class EventAdminForm(OrganiserZoneFormMixin, forms.ModelForm):
    """Staff enter times as the organiser gave them, in the organiser's zone."""

    starts_at = WallClockDateTimeField(
        label=_("Starts at"), help_text=_("In the organiser's time zone.")
    )
    ends_at = WallClockDateTimeField(
        label=_("Ends at"), help_text=_("In the organiser's time zone.")
    )

    class Meta:
        model = Event
        fields = [
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
        formfield_callback = https_formfield


class EventInlineForm(EventAdminForm):
    """On a program's page an event may leave its specialty to the program's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].required = False
        self.fields["specialty"].help_text = _("Empty: the program's specialty.")


class ProgramSubmissionAdminForm(forms.ModelForm):
    """Staff read and correct a submission; its events and contacts are inlines."""

    class Meta:
        model = ProgramSubmission
        fields = ["program", *ProgramSubmissionForm.Meta.fields, "decision_note"]
        formfield_callback = https_formfield


class SubmittedEventAdminForm(OrganiserZoneFormMixin, forms.ModelForm):
    """Staff read and correct a submitted event in its organiser's zone."""

    starts_at = WallClockDateTimeField(
        label=_("Starts at"), help_text=_("In the organiser's time zone.")
    )
    ends_at = WallClockDateTimeField(
        label=_("Ends at"), help_text=_("In the organiser's time zone.")
    )

    class Meta:
        model = SubmittedEvent
        fields = EVENT_FIELDS
        formfield_callback = https_formfield


# --- A coordinator's edit through their signed link ----------------------------


class CoordinatorProgramForm(forms.ModelForm):
    """The program's fields, prefilled with the live entry."""

    class Meta:
        model = ProgramSubmission
        formfield_callback = https_formfield
        # The submission form's program fields (the coordinator is known).
        fields = [
            name
            for name in ProgramSubmissionForm.Meta.fields
            if not name.startswith("submitter_")
        ]
        widgets = ProgramSubmissionForm.Meta.widgets
        help_texts = {
            "diversity_mission": _("Markdown is allowed: **bold**, lists, links."),
        }

    @staticmethod
    def initial_for(program: Program) -> dict:
        from residency_hub.services import EDITABLE_FIELDS

        initial = {
            name: getattr(program, field) for name, field in EDITABLE_FIELDS.items()
        }
        initial["specialty"] = program.specialty_id
        return initial


class LiveRowFormMixin:
    """A row that may stand for a listed contact or event (``live_id``)."""

    def __init__(self, *args, live_rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.live_rows = live_rows or {}

    def clean_live_id(self):
        value = self.cleaned_data.get("live_id")
        if value is not None and value not in self.live_rows:
            # Gone since the page was opened (the event ended, staff removed the
            # contact) or never ours. The row comes back as a new one, so sending
            # again adds it, and what was typed stays.
            self.data = self.data.copy()
            self.data[self.add_prefix("live_id")] = ""
            # On the row, not the hidden field, so the coordinator sees it.
            self.add_error(
                None,
                _(
                    "This row is no longer listed for your program (an event that "
                    "ended, or a contact staff removed). Send again to add it as "
                    "new, or clear it."
                ),
            )
            return None
        return value


class CoordinatorContactForm(LiveRowFormMixin, forms.ModelForm):
    """A listed advisor contact (change it or tick remove) or a new one."""

    live_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    remove = forms.BooleanField(label=_("Remove this contact"), required=False)

    class Meta:
        model = SubmittedContact
        fields = CONTACT_FIELDS
        error_messages = {
            "name": {"required": _("Please give the contact's name.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data and self.data.get(self.add_prefix("remove")):
            self.fields["name"].required = False


class CoordinatorEventForm(LiveRowFormMixin, SubmittedEventForm):
    """A listed upcoming event (edit it or tick cancel) or a new one."""

    live_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    cancel = forms.BooleanField(label=_("Cancel this event"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data and self.data.get(self.add_prefix("cancel")):
            for field in ("title", "starts_at", "ends_at"):
                self.fields[field].required = False

    def clean(self):
        data = forms.ModelForm.clean(self)
        if data.get("cancel"):
            # Nothing else of a cancelled row is read.
            for key in [key for key in self._errors if key != "live_id"]:
                del self._errors[key]
            return data
        # A listed event keeps its time without the "in the future" check.
        live = self.live_rows.get(data.get("live_id"))
        clean_event_times(self, listed_start=live.starts_at if live else None)
        return data

    def _post_clean(self):
        if not self.cleaned_data.get("cancel"):
            super()._post_clean()


class CoordinatorRowsFormSet(forms.BaseFormSet):
    """Rows of the edit page; each form knows which live rows it may name."""

    def __init__(self, *args, live_rows=None, **kwargs):
        self.live_rows = live_rows or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "live_rows": self.live_rows}

    def clean(self):
        super().clean()
        # Each listed row once: a second row naming it (a doubled or tampered
        # form) would remove or change it twice.
        seen = set()
        for form in self.forms:
            live_id = getattr(form, "cleaned_data", {}).get("live_id")
            if live_id is None:
                continue
            if live_id in seen:
                raise forms.ValidationError(
                    _("The same row appears twice. Reload the page and try again.")
                )
            seen.add(live_id)


CoordinatorContactFormSet = forms.formset_factory(
    CoordinatorContactForm, formset=CoordinatorRowsFormSet, extra=1, max_num=20
)
CoordinatorEventFormSet = forms.formset_factory(
    CoordinatorEventForm, formset=CoordinatorRowsFormSet, extra=1, max_num=30
)


def contact_initial(contacts) -> list[dict]:
    return [
        {
            "live_id": contact.pk,
            "name": contact.name,
            "role": contact.role,
            "email": contact.email,
            "phone": contact.phone,
        }
        for contact in contacts
    ]


def event_initial(events) -> list[dict]:
    rows = []
    for event in events:
        zone = zoneinfo.ZoneInfo(event.time_zone)
        rows.append(
            {
                "live_id": event.pk,
                "title": event.title,
                "description": event.description,
                "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
                "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None),
                "time_zone": event.time_zone,
                "link": event.link,
            }
        )
    return rows


class CoordinatorRequestLinkForm(HoneypotFormMixin, forms.Form):
    """Ask for a fresh edit link by email."""

    email = forms.EmailField(
        label=_("Your email address as a program coordinator"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
