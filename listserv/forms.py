"""Public sign-up and preferences forms, and the staff mailing form."""

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from listserv.models import (
    Interest,
    Mailing,
    Role,
    Subscriber,
    Suppression,
    subscriber_state_choices,
)
from listserv.services import CONSENT_TEXT
from lmsa_portal.abuse import HoneypotFormMixin
from members.models import Membership

_SIGNUP_MODEL_FIELDS = fields_for_model(
    Subscriber,
    fields=["name", "email", "role", "institution", "specialty", "state", "region"],
    widgets={
        "name": forms.TextInput(attrs={"autocomplete": "name"}),
        "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
    },
)


class SignupForm(HoneypotFormMixin, forms.Form):
    """Join the list; the consent wording shown here is stored with the sign-up.

    A plain form (fields taken from the model): a ModelForm would validate the
    unique address and tell the page whether someone is already on the list.
    """

    name = _SIGNUP_MODEL_FIELDS["name"]
    email = _SIGNUP_MODEL_FIELDS["email"]
    role = _SIGNUP_MODEL_FIELDS["role"]
    institution = _SIGNUP_MODEL_FIELDS["institution"]
    specialty = _SIGNUP_MODEL_FIELDS["specialty"]
    state = _SIGNUP_MODEL_FIELDS["state"]
    region = _SIGNUP_MODEL_FIELDS["region"]
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Interest.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Which opportunities would you like to hear about?"),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].required = True
        # People pick their role; "Other" is not preselected.
        self.fields["role"].choices = [("", "---------"), *Role.choices]
        self.fields["role"].initial = None
        self.fields["specialty"].empty_label = _("No specialty / not sure")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class PreferencesForm(forms.ModelForm):
    """What a subscriber may change from the signed link in every email."""

    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Interest.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Subscriber
        fields = [
            "name",
            "role",
            "institution",
            "specialty",
            "state",
            "region",
            "interests",
            "frequency",
        ]
        widgets = {"frequency": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].empty_label = _("No specialty / not sure")


class MailingAdminForm(forms.ModelForm):
    """The staff compose form: audience lists as checkboxes."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: every role."),
    )
    states = forms.MultipleChoiceField(
        label=_("States"),
        choices=subscriber_state_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Empty: every state. Hold Ctrl (Cmd on a Mac) to pick several."),
    )

    regions = forms.MultipleChoiceField(
        label=_("LMSA regions"),
        choices=Membership.Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: every region."),
    )

    class Meta:
        model = Mailing
        fields = [
            "subject",
            "body_markdown",
            "reply_to",
            "roles",
            "specialties",
            "states",
            "regions",
            "interests",
            "archive",
        ]
        widgets = {
            "interests": forms.CheckboxSelectMultiple,
            "specialties": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "archive" in self.fields:
            # Left out of a post: the default (members only), never an error.
            self.fields["archive"].required = False
        if "reply_to" in self.fields:
            self.fields["reply_to"].widget.attrs["placeholder"] = (
                settings.LISTSERV_REPLY_TO
            )

    def clean_archive(self):
        return self.cleaned_data.get("archive") or Mailing.Archive.MEMBERS


class SendForm(forms.Form):
    """The staff "Send…" confirmation: now, or at a later time."""

    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_(
            "Empty: send now. A later time: sending starts then, to the subscribers "
            "who match the audience at that moment."
        ),
    )

    def clean_send_at(self):
        # A mistyped date in the past would otherwise send to everyone now.
        send_at = self.cleaned_data.get("send_at")
        if send_at is not None and send_at <= timezone.now():
            raise forms.ValidationError(
                _("This time has passed. Leave the field empty to send now.")
            )
        return send_at


class SuppressionAdminForm(forms.ModelForm):
    """Staff adding an address by hand: one already in force is refused with a plain
    message (the database allows one active suppression per address)."""

    class Meta:
        model = Suppression
        fields = ["email", "reason", "detail"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if (
            self.instance._state.adding
            and Suppression.objects.active().with_email(email).exists()
        ):
            raise forms.ValidationError(
                _(
                    "This address is already suppressed. Lift the existing entry "
                    "first if you want to record it again."
                )
            )
        return email
