"""Forms of the mentor registry: sign-up, self-service, link request."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from lmsa_portal.abuse import HoneypotFormMixin
from lmsa_portal.localized import localized_name_ordering
from mentors.filters import saved_search_query
from mentors.models import (
    MENTEE_LEVEL_FIELDS,
    MODE_FIELDS,
    ContactChoice,
    Language,
    MenteeLevel,
    Mentor,
    MentoringMode,
    MentorshipRequest,
    SavedSearch,
)

# Model fields a physician fills in (booleans for levels and modes come from
# the two multiple-choice questions below).
LISTING_FIELDS = [
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
    "capacity",
    "accepting_mentees",
    "bio",
    "special_requests",
    "consent_to_share",
    "contact_by",
]


class MentorForm(forms.ModelForm):
    """The listing as the physician sees it (sign-up and self-service edit)."""

    extra_layout_fields: tuple[str, ...] = ()

    mentee_levels = forms.MultipleChoiceField(
        label=_("Whom would you like to mentor?"),
        choices=MenteeLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one group of mentees.")},
    )
    modes = forms.MultipleChoiceField(
        label=_("How can you mentor?"),
        choices=MentoringMode.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose virtually, in person, or both.")},
    )

    class Meta:
        model = Mentor
        fields = LISTING_FIELDS
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 4}),
            "special_requests": forms.Textarea(attrs={"rows": 3}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            # National format for US numbers (the field parses and validates).
            "phone": RegionalPhoneNumberWidget(attrs={"autocomplete": "tel"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
            "contact_by": forms.RadioSelect,
        }
        labels = {
            "languages": _("Languages you speak"),
            "capacity": _("Mentees you can take at a time"),
            "special_requests": _("Any special requests?"),
            "consent_to_share": _(
                "I agree that active LMSA members may see my listing and contact me "
                "about mentoring, as I choose below."
            ),
            "accepting_mentees": _("I am accepting new mentees now"),
        }
        help_texts = {
            "capacity": "",
            "email": _("Mentees will write to you here; so will we."),
            "phone": _("Optional. Shown only to active LMSA members."),
            "special_requests": _(
                "For example: premedical students only, Spanish speakers, "
                "first-generation students."
            ),
            "bio": _("A few sentences about your path and what you can help with."),
        }
        error_messages = {
            "languages": {"required": _("Choose at least one language.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # By the names the reader sees (Spanish names in Spanish).
        self.fields["specialty"].queryset = self.fields["specialty"].queryset.order_by(
            localized_name_ordering()
        )
        # The languages most mentors speak first, then the rest alphabetically.
        self.fields["languages"].queryset = Language.objects.order_by(
            Case(
                *[
                    When(code=code, then=Value(position))
                    for position, code in enumerate(["es", "en", "pt"])
                ],
                default=Value(9),
                output_field=IntegerField(),
            ),
            localized_name_ordering(),
        )
        self.fields["consent_to_share"].required = True
        self.fields["consent_to_share"].error_messages["required"] = _(
            "We can list you only with your consent to share your contact details "
            "with active members."
        )
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": 50})
        # Forms sent before the choice existed (and a blank answer) keep the default.
        self.fields["contact_by"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["mentee_levels"] = self.instance.mentee_levels
            self.initial["modes"] = self.instance.modes
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the form tag and token
        self.helper.layout = Layout(
            Fieldset(
                _("About you"),
                Row(
                    Column("first_name", css_class="col-md-6"),
                    Column("last_name", css_class="col-md-6"),
                ),
                "credentials",
                Row(
                    Column("email", css_class="col-md-7"),
                    Column("phone", css_class="col-md-5"),
                ),
            ),
            Fieldset(
                _("Where you practice"),
                Row(
                    Column("specialty", css_class="col-md-6"),
                    Column("subspecialty", css_class="col-md-6"),
                ),
                "institution",
                Row(
                    Column("city", css_class="col-md-6"),
                    Column("state", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Mentoring"),
                Field("languages", wrapper_class="mentor-checkbox-columns"),
                Row(
                    Column("mentee_levels", css_class="col-md-6"),
                    Column("modes", css_class="col-md-6"),
                ),
                Row(
                    Column("capacity", css_class="col-md-6"),
                    Column("accepting_mentees", css_class="col-md-6 pt-md-4"),
                ),
                "bio",
                "special_requests",
            ),
            Fieldset(_("Consent and contact"), "consent_to_share", "contact_by"),
            *self.extra_layout_fields,
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_contact_by(self):
        return self.cleaned_data.get("contact_by") or (
            self.instance.contact_by or ContactChoice.EMAIL_AND_PHONE
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_by") == ContactChoice.PHONE and not cleaned.get(
            "phone"
        ):
            if "phone" not in self.errors:
                self.add_error(
                    "phone",
                    _("Add your phone number, or choose another way to be reached."),
                )
        return cleaned

    def clean_capacity(self):
        return checked_capacity(self.cleaned_data.get("capacity"))

    def listing_fields(self) -> dict:
        """Cleaned values of the model's own fields (no many-to-many)."""
        data = {
            name: self.cleaned_data[name]
            for name in LISTING_FIELDS
            if name != "languages"
        }
        levels = set(self.cleaned_data["mentee_levels"])
        modes = set(self.cleaned_data["modes"])
        for level, field in MENTEE_LEVEL_FIELDS.items():
            data[field] = level in levels
        for mode, field in MODE_FIELDS.items():
            data[field] = mode in modes
        return data


def checked_capacity(capacity: int | None) -> int | None:
    if capacity is not None and not 1 <= capacity <= 50:
        raise forms.ValidationError(_("Enter a number from 1 to 50."))
    return capacity


class MentorLoadForm(forms.ModelForm):
    """The yearly "still mentoring?" page: the load, prefilled, confirmed with
    the same press that keeps the listing."""

    class Meta:
        model = Mentor
        fields = ["capacity", "accepting_mentees"]
        labels = {
            name: MentorForm.Meta.labels[name]
            for name in ("capacity", "accepting_mentees")
        }
        help_texts = {"capacity": "", "accepting_mentees": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": 50})

    def clean_capacity(self):
        return checked_capacity(self.cleaned_data.get("capacity"))


class MentorSignupForm(HoneypotFormMixin, MentorForm):
    """Public sign-up: the listing plus a honeypot."""

    field_order = [*LISTING_FIELDS[:11], "mentee_levels", "modes", *LISTING_FIELDS[11:]]
    extra_layout_fields = ("website",)


class MentorEditForm(MentorForm):
    """Self-service edit through the signed link."""

    field_order = MentorSignupForm.field_order

    def clean_email(self):
        email = super().clean_email()
        taken = (
            Mentor.objects.open()
            .with_email(email)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(
                _("Another listing uses this email address. Write to us to merge them.")
            )
        return email


class PauseForm(forms.Form):
    """Not taking mentees until a date."""

    paused_until = forms.DateField(
        label=_("Not taking mentees until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Your listing is hidden from the directory until this day."),
    )

    def clean_paused_until(self):
        until = self.cleaned_data["paused_until"]
        today = timezone.localdate()
        if until <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if until > today + datetime.timedelta(days=730):
            raise forms.ValidationError(_("Choose a day within the next two years."))
        return until


class RemoveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, remove my listing from the registry"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class RequestLinkForm(HoneypotFormMixin, forms.Form):
    """Ask for a fresh self-service link by email."""

    email = forms.EmailField(
        label=_("The email address of your listing"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class StaffPauseForm(PauseForm):
    """Staff: pause the selected listings."""


class MentorshipRequestForm(forms.ModelForm):
    """A member asks a mentor: who they are (prefilled), hopes, a short message."""

    class Meta:
        model = MentorshipRequest
        fields = ["about_me", "hopes", "message"]
        widgets = {
            "hopes": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        help_texts = {
            "about_me": _(
                "For example: second-year medical student, UCSF, class of 2028."
            ),
            "hopes": _(
                "What you would like help with: applications, research, a specialty…"
            ),
            "message": _(
                "Optional. The mentor answers by email: your address is shared "
                "with them."
            ),
        }


class RequestDeclineForm(forms.Form):
    note = forms.CharField(
        label=_("A kind word for the student (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )


def about_member(user) -> str:
    """ "Medical student, UCSF, class of 2028", from the membership."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return ""
    parts = [membership.get_member_type_display()] if membership.member_type else []
    if membership.institution:
        parts.append(membership.institution)
    if membership.graduation_year:
        parts.append(str(_("class of %(year)s") % {"year": membership.graduation_year}))
    return ", ".join(str(part) for part in parts)


class SavedSearchForm(forms.Form):
    """Name the directory's current filters to keep them (and hear about new
    mentors matching). ``query`` is the directory's query string."""

    name = forms.CharField(
        label=_("Name this search"),
        max_length=80,
        help_text=_("For example: pediatrics in Puerto Rico, in Spanish."),
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.filter_errors: dict = {}

    def clean(self):
        # Errors of the (hidden) filters are the form's own, shown at its top.
        cleaned = super().clean()
        query, self.filter_errors = saved_search_query(
            QueryDict(cleaned.get("query", ""))
        )
        if self.filter_errors:
            raise forms.ValidationError(
                _(
                    "Some filters were not understood, so this search cannot be "
                    "saved. Fix them in the directory first."
                ),
                code="bad_filters",
            )
        if len(query) > SavedSearch._meta.get_field("query").max_length:
            raise forms.ValidationError(
                _("These filters are too long to save: use fewer search words."),
                code="too_long",
            )
        cleaned["query"] = query
        mine = SavedSearch.objects.filter(member=self.member)
        same = mine.filter(query=query).first()
        if same is not None:
            raise forms.ValidationError(
                _("You already saved these filters as “%(name)s”.")
                % {"name": same.name},
                code="duplicate",
            )
        if mine.count() >= settings.MENTOR_MAX_SAVED_SEARCHES:
            raise forms.ValidationError(
                _(
                    "You have %(count)s saved searches, the most you can keep. "
                    "Delete one on your account page first."
                )
                % {"count": settings.MENTOR_MAX_SAVED_SEARCHES},
                code="limit",
            )
        return cleaned
