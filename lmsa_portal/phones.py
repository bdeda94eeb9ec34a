"""Phone numbers (django-phonenumber-field): parsed with libphonenumber, stored as
E.164, shown the way a reader in the United States dials them.

A number without a country code is read as a US one (PHONENUMBER_DEFAULT_REGION).
"""

import phonenumbers
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from phonenumber_field import modelfields
from phonenumber_field.phonenumber import PhoneNumber, to_python

# The country calling code of the United States, its territories and the rest of
# the North American Numbering Plan: dialled alike from anywhere in the country.
NORTH_AMERICA = 1

PHONE_ERROR = _(
    "Enter a phone number such as (787) 555-0100, or +52 55 1234 5678 with the "
    "country code for a number outside the United States."
)


class PhoneNumberField(modelfields.PhoneNumberField):
    """phonenumber-field's model field, with the portal's error message, and a
    number with an extension (which E.164 has no room for) stored as typed, so
    saving a row never drops the extension."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": PHONE_ERROR})
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        prepared = super().get_prep_value(value)
        number = to_python(value, region=self.region)
        if isinstance(number, PhoneNumber) and number.is_valid() and number.extension:
            return number.raw_input or prepared
        return prepared

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("error_messages") == {"invalid": PHONE_ERROR}:
            del kwargs["error_messages"]  # set by __init__
        return name, path, args, kwargs


def phone_display(number) -> str:
    """National format for North American numbers, international for the rest;
    text that is not a valid number (older rows) as it was typed."""
    if isinstance(number, PhoneNumber) and number.is_valid():
        if number.country_code == NORTH_AMERICA:
            return number.as_national
        return number.as_international
    return str(number or "")


def phone_link(number) -> str:
    """A tel: link for a valid number ("" otherwise)."""
    if isinstance(number, PhoneNumber) and number.is_valid():
        return number.as_rfc3966
    return ""


class PhoneWidget(widgets.Widget):
    """Spreadsheet cell of a phone number: written the way it is shown (national
    format for US numbers), read back by the model field like typed text."""

    def render(self, value, obj=None, **kwargs):
        return phone_display(value)


def normalized_phone(text: str, region: str) -> str:
    """E.164 for text that is a valid number without an extension; anything else
    (not a number, or one with an extension) unchanged."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number) or number.extension:
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_stored_phones(app_label: str, *model_names: str):
    """A data migration step: store each valid phone number of these models as
    E.164 (numbers without a country code are US ones). Nothing is blanked or
    lost: text that is not a valid number stays as typed (the next edit of the row
    asks for a valid number), and so does a number with an extension. Edit history
    keeps what was recorded at the time."""

    def normalize(apps, schema_editor):
        for name in model_names:
            model = apps.get_model(app_label, name)
            changed = []
            for row in model.objects.exclude(phone="").only("pk", "phone").iterator():
                normalized = normalized_phone(row.phone, "US")
                if normalized != row.phone:
                    row.phone = normalized
                    changed.append(row)
            model.objects.bulk_update(changed, ["phone"], batch_size=500)

    return normalize
