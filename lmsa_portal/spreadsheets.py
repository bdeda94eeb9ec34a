"""Spreadsheet safety for every CSV/XLSX import and export (django-import-export).

Excel and Google Sheets run a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and, after a tab or carriage return, the same) as a formula; in Sheets such a
formula can send other cells elsewhere. Anyone can type a name on a public form,
so every resource derives from :class:`SpreadsheetSafeResource`:

- export: a text cell that begins with one of those characters gets a leading
  apostrophe, the spreadsheet convention for "this is text" (OWASP's advice). The
  library's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only drops one leading
  ``=``, which leaves ``==1``, ``+``, ``-`` and ``@`` working, so it is not used.
- import: such a cell is refused with a row error in the preview, unless it is
  plainly a number or a phone number (``+1 (555) 010-2030``, ``-3``: no function
  can be called without letters) or it carries the apostrophe an export put
  there, which is dropped. Refusing rather than silently changing the text keeps
  what staff imported exactly what the file said.
"""

import re

from django.utils.translation import gettext as _
from import_export import resources

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Digits, spaces and the punctuation of numbers and phone numbers only.
_NUMBER_OR_PHONE = re.compile(r"[0-9 ().+\-/]+")


def starts_like_formula(value: object) -> bool:
    """True for text a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def escape_for_spreadsheet(value: object) -> object:
    """The value as a spreadsheet cell that can never run: text, not a formula."""
    if starts_like_formula(value):
        return "'" + value
    return value


def read_spreadsheet_text(value: object) -> object:
    """An imported cell, or ValueError when a spreadsheet would run it."""
    if not isinstance(value, str):
        return value
    if value.startswith("'") and starts_like_formula(value[1:]):
        return value[1:]  # text an export marked as text
    if starts_like_formula(value) and not _NUMBER_OR_PHONE.fullmatch(value):
        raise ValueError(
            _(
                "“%(start)s…” begins with “%(char)s”, which spreadsheets run as a "
                "formula. If it is meant as text, put an apostrophe (') before it."
            )
            % {"start": value[:20].strip(), "char": value[:1].strip() or _("a tab")}
        )
    return value


class SpreadsheetSafeResource(resources.ModelResource):
    """A ModelResource whose exports never carry a formula and whose imports
    refuse one (see the module docstring)."""

    def export_field(self, field, instance, **kwargs):
        return escape_for_spreadsheet(super().export_field(field, instance, **kwargs))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute and field.column_name in row:
            row[field.column_name] = read_spreadsheet_text(row[field.column_name])
        return super().import_field(field, instance, row, is_m2m, **kwargs)
