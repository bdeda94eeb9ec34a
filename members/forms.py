"""Sign-up and profile forms."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Membership

GRADUATION_TYPES = {
    Membership.MemberType.PREMED,
    Membership.MemberType.MEDICAL_STUDENT,
    Membership.MemberType.RESIDENT,
}


class MembershipFieldsMixin(forms.Form):
    """The membership questions sign-up asks (member type, school, year, region)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    member_type = forms.ChoiceField(
        label=_("I am a"), choices=[("", "---------")] + Membership.MemberType.choices
    )
    institution = forms.CharField(
        label=_("School or institution"), max_length=200, required=False
    )
    graduation_year = forms.IntegerField(
        label=_("Graduation year"),
        required=False,
        help_text=_(
            "Required for students and residents: the year you graduate or finish."
        ),
    )
    region = forms.ChoiceField(
        label=_("LMSA region"), choices=[("", "---------")] + Membership.Region.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = self.fields["graduation_year"]
        # Marked required (asterisk, aria-required) while the chosen member type
        # needs it: by static/js/portal.js as the visitor picks, and here when a
        # sent form comes back.
        year.widget.attrs["data-required-when"] = "member_type:" + ",".join(
            sorted(GRADUATION_TYPES)
        )
        if self.is_bound and self.data.get(self.add_prefix("member_type")) in (
            GRADUATION_TYPES
        ):
            year.required = True
            year.error_messages["required"] = _(
                "Students and residents: tell us your graduation year."
            )

    def clean_graduation_year(self):
        year = self.cleaned_data.get("graduation_year")
        if year is None:
            return None
        this_year = timezone.localdate().year
        if not this_year - 60 <= year <= this_year + 12:
            raise forms.ValidationError(
                _("Enter a year between %(low)s and %(high)s."),
                params={"low": this_year - 60, "high": this_year + 12},
            )
        return year

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("member_type") in GRADUATION_TYPES
            and not cleaned.get("graduation_year")
            and "graduation_year" not in self.errors
        ):
            self.add_error(
                "graduation_year",
                _("Students and residents: tell us your graduation year."),
            )
        return cleaned


class MembershipSignupForm(MembershipFieldsMixin):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        membership, _created = Membership.objects.get_or_create(user=user)
        membership.member_type = self.cleaned_data["member_type"]
        membership.institution = self.cleaned_data["institution"]
        membership.graduation_year = self.cleaned_data["graduation_year"]
        membership.region = self.cleaned_data["region"]
        membership.save()


class ProfileForm(MembershipFieldsMixin):
    """A member edits their own profile and membership details (not the status)."""

    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), required=False
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times follow your device unless you choose a zone here."),
    )

    def __init__(self, *args, user, **kwargs):
        from lmsa_portal.time_zones import zone_choices
        from members.models import TIME_ZONE_CHOICES, User

        self.user = user
        membership = user.membership
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
            "time_zone": user.time_zone,
            "member_type": membership.member_type,
            "institution": membership.institution,
            "graduation_year": membership.graduation_year,
            "region": membership.region,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["preferred_language"].choices = [
            ("", _("Follow my browser"))
        ] + list(User._meta.get_field("preferred_language").choices)
        # Empty: portal.js shows times in the device's zone (lmsa_portal/middleware.py).
        self.fields["time_zone"].choices = [("", _("Follow my device"))] + zone_choices(
            [key for key, _label in TIME_ZONE_CHOICES]
        )

    def save(self) -> None:
        data = self.cleaned_data
        user = self.user
        user.first_name = data["first_name"]
        user.last_name = data["last_name"]
        user.preferred_language = data["preferred_language"]
        user.time_zone = data["time_zone"]
        user.save(
            update_fields=["first_name", "last_name", "preferred_language", "time_zone"]
        )
        membership = user.membership
        for field in ("member_type", "institution", "graduation_year", "region"):
            setattr(membership, field, data[field])
        membership.save()


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account, membership and data are deleted for good, "
            "and that questions I asked stay visible without my name."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )
