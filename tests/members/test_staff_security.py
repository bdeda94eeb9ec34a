"""Staff: allauth admin login, required TOTP, encrypted secrets, idle timeout."""

from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from pytest_django.asserts import assertContains

from members.factories import DEFAULT_PASSWORD
from members.mfa import MFAAdapter
from tests.factories import make_totp

ADMIN_PAGES = [
    "admin:index",
    "admin:members_membership_changelist",
    "admin:members_user_changelist",
    "admin:members_rosterentry_import",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_staff_without_mfa_cannot_open_admin_pages(client, staff_user, name):
    client.force_login(staff_user)
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_staff_with_mfa_can_open_admin_pages(admin_client_mfa, name):
    response = admin_client_mfa.get(reverse(name))
    assert response.status_code == HTTPStatus.OK
    assert response.resolver_match.view_name == name  # not a login or TOTP page
    assertContains(response, 'id="logout-form"')  # the admin, signed in


def test_mfa_requirement_can_be_switched_off_only_by_setting(
    client, staff_user, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.OK
    assert b"two-factor requirement for staff is switched OFF" in response.content


def test_prod_and_test_settings_keep_mfa_on():
    from lmsa_portal.settings import base, test

    assert base.MFA_REQUIRED_FOR_STAFF is True
    assert test.MFA_REQUIRED_FOR_STAFF is True
    source = (base.BASE_DIR / "lmsa_portal/settings/prod.py").read_text()
    assert "MFA_REQUIRED_FOR_STAFF = True" in source


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_non_staff_member_gets_403_from_admin(client, active_member):
    client.force_login(active_member)
    response = client.get(reverse("admin:login"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_admin_login_is_rate_limited(client, staff_user):
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": staff_user.email, "password": "x"}
        )
    response = client.post(
        reverse("account_login"),
        {"login": staff_user.email, "password": DEFAULT_PASSWORD},
    )
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_totp_secret_is_not_stored_in_clear_text(staff_user):
    secret = make_totp(staff_user)
    authenticator = Authenticator.objects.get(
        user=staff_user, type=Authenticator.Type.TOTP
    )
    stored = authenticator.data["secret"]
    assert stored != secret
    assert secret not in str(authenticator.data)
    assert MFAAdapter().decrypt(stored) == secret


def test_staff_session_expires_after_inactivity(
    admin_client_mfa, settings, monkeypatch
):
    settings.STAFF_SESSION_IDLE_SECONDS = 60
    assert admin_client_mfa.get(reverse("admin:index")).status_code == HTTPStatus.OK
    import members.mfa

    real_time = members.mfa.time.time
    monkeypatch.setattr(members.mfa.time, "time", lambda: real_time() + 61)
    response = admin_client_mfa.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in admin_client_mfa.session


def test_staff_activity_is_written_to_the_session_at_most_once_a_minute(
    admin_client_mfa, monkeypatch
):
    from django.contrib.sessions.models import Session

    import members.mfa

    def stored_last_seen():
        key = admin_client_mfa.session.session_key
        data = Session.objects.get(session_key=key).get_decoded()
        return data.get(members.mfa.StaffSecurityMiddleware.SESSION_KEY)

    real_time = members.mfa.time.time
    admin_client_mfa.get(reverse("admin:index"))
    first = stored_last_seen()
    assert first is not None
    monkeypatch.setattr(members.mfa.time, "time", lambda: real_time() + 30)
    admin_client_mfa.get(reverse("admin:index"))
    assert stored_last_seen() == first
    monkeypatch.setattr(members.mfa.time, "time", lambda: real_time() + 90)
    admin_client_mfa.get(reverse("admin:index"))
    assert stored_last_seen() >= first + 60


def test_member_sessions_are_not_cut_by_the_staff_idle_rule(
    client, active_member, settings, monkeypatch
):
    settings.STAFF_SESSION_IDLE_SECONDS = 60
    client.force_login(active_member)
    client.get(reverse("members:me"))
    import members.mfa

    real_time = members.mfa.time.time
    monkeypatch.setattr(members.mfa.time, "time", lambda: real_time() + 3600)
    response = client.get(reverse("members:me"))
    assert response.status_code == HTTPStatus.OK
    assert response.wsgi_request.user == active_member  # still signed in


def test_recovery_codes_available(client, staff_user):
    make_totp(staff_user)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(staff_user)
    assert len(codes.get_unused_codes()) >= 10
