"""Roster import in admin, and activation with no staff step in both orders."""

import datetime
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.access import is_active_member
from members.factories import UserFactory, make_member
from members.models import Membership, RosterEntry
from members.services import roster_match_user

NEXT_YEAR = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
HEADER = "email,first_name,last_name,member_type,institution,region,expires_on\n"


def roster_csv(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "roster.csv",
        (HEADER + "\n".join(rows) + "\n").encode(),
        content_type="text/csv",
    )


def import_roster(client, upload):
    """Step one of import-export: upload and get the dry-run preview."""
    return client.post(
        reverse("admin:members_rosterentry_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def confirm_import(client, preview):
    form = preview.context["confirm_form"]
    data = {name: value for name, value in form.initial.items()}
    return client.post(reverse("admin:members_rosterentry_process_import"), data)


def test_import_previews_then_imports(
    admin_client_mfa, django_capture_on_commit_callbacks
):
    upload = roster_csv(
        f"ana@example.org,Ana,López,Medical student,UCLA,west,{NEXT_YEAR}",
        f"BEN@Example.org,Ben,Ortiz,premed,UTEP,southwest,{NEXT_YEAR}",
    )
    preview = import_roster(admin_client_mfa, upload)
    assert preview.status_code == HTTPStatus.OK
    assert b"ana@example.org" in preview.content
    # Dry run: nothing stored yet.
    assert not RosterEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_import(admin_client_mfa, preview)
    assert response.status_code == HTTPStatus.FOUND
    assert set(RosterEntry.objects.values_list("email", flat=True)) == {
        "ana@example.org",
        "ben@example.org",
    }
    ana = RosterEntry.objects.get(email="ana@example.org")
    assert ana.member_type == Membership.MemberType.MEDICAL_STUDENT
    assert ana.expires_on.isoformat() == NEXT_YEAR


@pytest.mark.parametrize(
    "content",
    [b"\n\x00", b"", b"name,school\nRosa,UTEP\n", b"\xff\xfe\x00garbage"],
    ids=["no-header", "empty", "no-email-column", "binary"],
)
def test_file_without_an_email_column_is_reported_not_a_500(admin_client_mfa, content):
    # Found by tests/security/test_admin_fuzz.py: a file with no header row
    # made django-import-export zip rows with None (a 500).
    upload = SimpleUploadedFile("roster.csv", content, content_type="text/csv")
    response = import_roster(admin_client_mfa, upload)
    assert response.status_code == HTTPStatus.OK
    if content:  # an empty upload is refused by the upload form itself
        # A binary file is refused by import-export's own check (it cannot
        # be decoded); the others by ours.
        assert any(
            message in response.content.decode()
            for message in ("“email” column", "encountered while trying to read")
        )
    assert not RosterEntry.objects.exists()


def test_bad_rows_are_reported_and_nothing_is_imported(admin_client_mfa):
    upload = roster_csv(
        f"good@example.org,Good,Row,premed,UTEP,southwest,{NEXT_YEAR}",
        f"not-an-email,Bad,Email,premed,UTEP,southwest,{NEXT_YEAR}",
        "baddate@example.org,Bad,Date,premed,UTEP,southwest,31/31/2026",
    )
    response = import_roster(admin_client_mfa, upload)
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Enter a valid email address" in content
    # The bad date is reported too, on its own row and against its own column.
    assert "Value could not be parsed using defined formats" in content
    errors = {
        row.number: row.error_dict for row in response.context["result"].invalid_rows
    }
    assert errors[2] == {"email": ["Enter a valid email address."]}
    assert errors[3] == {
        "expires_on": ["Value could not be parsed using defined formats."]
    }
    assert (
        "confirm_form" not in response.context
        or response.context["confirm_form"] is None
    )
    assert not RosterEntry.objects.exists()


def test_roster_first_then_signup_verification_activates(db):
    RosterEntry.objects.create(
        email="carla@example.org",
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    user = UserFactory(email="carla@example.org", verified=False)
    assert not is_active_member(user)
    address = EmailAddress.objects.get(user=user)
    address.verified = True
    address.save()
    from allauth.account.signals import email_confirmed

    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    user.membership.refresh_from_db()
    assert user.membership.status == Membership.Status.APPROVED
    assert user.membership.expires_on == timezone.localdate() + datetime.timedelta(
        days=90
    )
    user = type(user).objects.get(pk=user.pk)
    assert is_active_member(user)
    assert any("approved" in m.subject for m in mail.outbox)


def test_account_first_then_roster_row_activates(
    db, django_capture_on_commit_callbacks
):
    user = make_member(state="pending", email="dario@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        RosterEntry.objects.create(
            email="Dario@Example.org",
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
        )
    user.membership.refresh_from_db()
    assert user.membership.status == Membership.Status.APPROVED


def test_unverified_account_is_not_activated_by_roster(
    db, django_capture_on_commit_callbacks
):
    user = make_member(state="unverified", email="eva@example.org")
    from members.factories import set_membership

    set_membership(user, status=Membership.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        RosterEntry.objects.create(email="eva@example.org")
    user.membership.refresh_from_db()
    assert user.membership.status == Membership.Status.PENDING


def test_expired_roster_row_does_not_activate(db):
    RosterEntry.objects.create(
        email="fer@example.org",
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    user = make_member(state="pending", email="fer@example.org")
    assert roster_match_user(user=user) is None
    user.membership.refresh_from_db()
    assert user.membership.status == Membership.Status.PENDING


def test_membership_export_has_status_and_expiry(admin_client_mfa):
    member = make_member(state="active", email="export-me@example.org")
    response = admin_client_mfa.post(
        reverse("admin:members_membership_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [member.membership.pk],
            **{
                f"membershipresource_{f}": "on"
                for f in ["email", "status", "expires_on", "member_type"]
            },
        },
    )
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    body = response.content.decode()
    assert "export-me@example.org" in body
    assert "approved" in body
    assert member.membership.expires_on.isoformat() in body
