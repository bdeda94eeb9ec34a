"""Validators shared by every app's forms and models."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Text that ends up in an email header (a subject, a name beside an address): a
# line break there would start a new header, and Django refuses to send it
# (BadHeaderError), so the form says so while the text can still be mended.
validate_one_line = RegexValidator(
    r"[\r\n\x00]",
    inverse_match=True,
    message=_("Keep this on one line: line breaks cannot go into an email."),
    code="line_break",
)
