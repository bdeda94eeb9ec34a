"""Staff approve and decline memberships in admin; the member is told either way."""

from http import HTTPStatus

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from members.factories import make_member
from members.models import Membership


def test_bulk_approve_emails_each_member(admin_client_mfa, db):
    pending = [make_member(state="pending") for _ in range(2)]
    url = reverse("admin:members_membership_changelist")
    response = admin_client_mfa.post(
        url,
        {
            "action": "approve_selected",
            "_selected_action": [u.membership.pk for u in pending],
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    for user in pending:
        user.membership.refresh_from_db()
        assert user.membership.status == Membership.Status.APPROVED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in pending)
    assert all("approved" in m.subject for m in mail.outbox)


def test_decline_asks_for_reason_then_emails_it(admin_client_mfa, db):
    user = make_member(state="pending")
    url = reverse("admin:members_membership_changelist")
    data = {"action": "decline_selected", "_selected_action": [user.membership.pk]}
    response = admin_client_mfa.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert b"Reason" in response.content
    user.membership.refresh_from_db()
    assert user.membership.status == Membership.Status.PENDING
    response = admin_client_mfa.post(
        url, {**data, "apply": "1", "reason": "Not on the chapter roster."}
    )
    assert response.status_code == HTTPStatus.FOUND
    user.membership.refresh_from_db()
    assert user.membership.status == Membership.Status.DECLINED
    assert user.membership.decision_note == "Not on the chapter roster."
    assert len(mail.outbox) == 1
    assert "Not on the chapter roster." in mail.outbox[0].body


def test_membership_admin_lists_filters_and_searches(admin_client_mfa, db):
    user = make_member(state="pending", email="findme@example.org")
    url = reverse("admin:members_membership_changelist")
    response = admin_client_mfa.get(url, {"q": "findme", "status__exact": "pending"})
    assert response.status_code == HTTPStatus.OK
    assert user.email.encode() in response.content


def test_content_curators_group_has_content_but_not_user_permissions(db):
    group = Group.objects.get(name="Content curators")
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert "residency_hub" in labels
    assert not group.permissions.filter(content_type__app_label="members").exists()
    assert Permission.objects.filter(content_type__app_label="members").exists()


def test_admin_has_portal_branding(admin_client_mfa):
    response = admin_client_mfa.get(reverse("admin:index"))
    assert b"LMSA Member Portal administration" in response.content
