"""Staff tools: compose, preview, test, send and watch a mailing; subscribers
import (dry run), export, actions and history."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from listserv import admin as listserv_admin
from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, Interest, Mailing, Subscriber
from listserv.services import mailing_queue
from residency_hub.factories import SpecialtyFactory

pytestmark = pytest.mark.django_db


def test_staff_compose_a_mailing_with_audience(admin_client_mfa):
    research = Interest.objects.get(code="research")
    response = admin_client_mfa.post(
        reverse("admin:listserv_mailing_add"),
        {
            "subject": "Research mentors wanted",
            "body_markdown": "Please **help**.",
            "roles": ["physician", "resident"],
            "states": ["TX", "CA"],
            "interests": [research.pk],
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content[:2000]
    mailing = Mailing.objects.get()
    assert mailing.roles == ["physician", "resident"]
    assert mailing.states == ["TX", "CA"]
    assert list(mailing.interests.all()) == [research]
    assert mailing.created_by.is_superuser
    assert mailing.status == Mailing.Status.DRAFT


def test_change_page_links_preview_test_send_and_log(admin_client_mfa):
    mailing = MailingFactory()
    response = admin_client_mfa.get(
        reverse("admin:listserv_mailing_change", args=[mailing.pk])
    )
    for name in ("preview", "send_test", "send"):
        assertContains(
            response, reverse(f"admin:listserv_mailing_{name}", args=[mailing.pk])
        )
    assertContains(response, f"?mailing__id__exact={mailing.pk}")


def test_preview_shows_sanitised_html_text_and_audience(admin_client_mfa):
    SubscriberFactory.create_batch(3)
    mailing = MailingFactory(body_markdown="Hi **all** <script>alert(1)</script>")
    response = admin_client_mfa.get(
        reverse("admin:listserv_mailing_preview", args=[mailing.pk])
    )
    assertContains(response, "<strong>all</strong>", html=False)
    assertNotContains(response, "<script>alert(1)</script>", html=False)
    assertContains(response, "3 confirmed subscribers")
    assertContains(response, "Unsubscribe in one click")


def test_send_test_goes_to_the_staff_member_only(admin_client_mfa):
    SubscriberFactory.create_batch(3)
    mailing = MailingFactory()
    url = reverse("admin:listserv_mailing_send_test", args=[mailing.pk])
    assert admin_client_mfa.get(url).status_code == HTTPStatus.OK
    response = admin_client_mfa.post(url)
    assert response.status_code == HTTPStatus.FOUND
    [message] = mail.outbox
    staff_email = response.wsgi_request.user.email
    assert message.to == [staff_email]
    assert message.subject.startswith("[TEST] ")
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert not Delivery.objects.exists()


def test_send_test_comes_from_the_lists_sender(admin_client_mfa, settings):
    settings.LISTSERV_FROM_EMAIL = "Mentorship Listserv <listserv@lmsa.example>"
    mailing = MailingFactory()
    admin_client_mfa.post(
        reverse("admin:listserv_mailing_send_test", args=[mailing.pk])
    )
    [message] = mail.outbox
    assert message.from_email == settings.LISTSERV_FROM_EMAIL


def test_send_test_never_reuses_a_recipients_message_id(admin_client_mfa):
    # The staff member is on the list too: the test must not carry the Message-ID
    # of their real copy, or a client that de-duplicates would hide the real one.
    staff = get_user_model().objects.get(is_superuser=True)
    subscriber = SubscriberFactory(email=staff.email)
    mailing = MailingFactory()
    url = reverse("admin:listserv_mailing_send_test", args=[mailing.pk])
    admin_client_mfa.post(url)
    admin_client_mfa.post(url)
    ids = [message.message()["Message-ID"] for message in mail.outbox]
    assert len(ids) == 2
    assert ids[0] != ids[1]
    assert f"<listserv.{mailing.pk}.{subscriber.pk}@127.0.0.1>" not in ids
    assert not any(message_id.startswith("<listserv.") for message_id in ids)


def test_send_confirms_then_sends_and_shows_progress(admin_client_mfa):
    subscribers = SubscriberFactory.create_batch(4)
    mailing = MailingFactory()
    url = reverse("admin:listserv_mailing_send", args=[mailing.pk])
    response = admin_client_mfa.get(url)
    assertContains(response, "4 confirmed subscribers")
    assert mail.outbox == []
    response = admin_client_mfa.post(url, follow=True)
    assertContains(response, "Sending to 4 subscribers")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    # The change page now shows progress and no longer offers to edit or send.
    response = admin_client_mfa.get(
        reverse("admin:listserv_mailing_change", args=[mailing.pk])
    )
    assertContains(response, "0 queued · 4 sent · 0 failed · 0 skipped")
    assertNotContains(
        response, reverse("admin:listserv_mailing_send", args=[mailing.pk])
    )
    assertNotContains(response, 'name="subject"')
    # Sending twice is refused.
    admin_client_mfa.post(url)
    assert len(mail.outbox) == 4


def test_mailing_list_shows_counts_without_extra_queries(
    admin_client_mfa, django_assert_max_num_queries
):
    SubscriberFactory.create_batch(3)
    mailings = [MailingFactory() for _number in range(5)]
    for mailing in mailings:
        mailing_queue(mailing=mailing)
    delivered = Delivery.objects.filter(mailing=mailings[0]).first()
    delivered.status = "sent"
    delivered.save()
    url = reverse("admin:listserv_mailing_changelist")
    admin_client_mfa.get(url)
    with django_assert_max_num_queries(15):
        response = admin_client_mfa.get(url)
    assert response.status_code == HTTPStatus.OK
    cells = re.findall(
        r'<td class="field-(?:queued|sent|failed|skipped)_count">(\d+)</td>',
        response.content.decode(),
    )
    rows = sorted(tuple(cells[i : i + 4]) for i in range(0, len(cells), 4))
    # queued, sent, failed, skipped: one mailing has sent one of its three.
    assert rows == [("2", "1", "0", "0")] + [("3", "0", "0", "0")] * 4


def test_delivery_log_filters_by_mailing(admin_client_mfa):
    first = SubscriberFactory(email="first@example.org")
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)
    other = MailingFactory()
    SubscriberFactory(email="later@example.org")
    mailing_queue(mailing=other)
    response = admin_client_mfa.get(
        reverse("admin:listserv_delivery_changelist")
        + f"?mailing__id__exact={mailing.pk}"
    )
    assertContains(response, first.email)
    assertNotContains(response, "later@example.org")


def test_retry_failed_action_requeues_and_sends(admin_client_mfa, settings):
    settings.EMAIL_BACKEND = "tests.listserv.backends.FlakyBackend"
    from tests.listserv.backends import FlakyBackend

    subscriber = SubscriberFactory(email="down@example.org")
    FlakyBackend.failing = {"down@example.org": None}
    mailing = MailingFactory()
    admin_client_mfa.post(reverse("admin:listserv_mailing_send", args=[mailing.pk]))
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    FlakyBackend.failing = {}
    admin_client_mfa.post(
        reverse("admin:listserv_mailing_changelist"),
        {"action": "retry_failed", "_selected_action": [mailing.pk]},
    )
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert [m.to for m in mail.outbox] == [[subscriber.email]]


def test_subscriber_admin_filters_and_search(admin_client_mfa):
    SubscriberFactory(name="Dr. Zoila Pineda", email="zoila@example.org")
    SubscriberFactory(name="Dr. Other", status=Subscriber.Status.UNSUBSCRIBED)
    url = reverse("admin:listserv_subscriber_changelist")
    response = admin_client_mfa.get(url, {"q": "Pineda"})
    assertContains(response, "zoila@example.org")
    assertNotContains(response, "Dr. Other")
    response = admin_client_mfa.get(url, {"status__exact": "unsubscribed"})
    assertContains(response, "Dr. Other")
    assertNotContains(response, "zoila@example.org")


HEADER = "email,name,role,institution,specialty,state,interests,frequency\n"


def import_csv(client, body: str):
    upload = SimpleUploadedFile(
        "subscribers.csv", (HEADER + body).encode(), content_type="text/csv"
    )
    return client.post(
        reverse("admin:listserv_subscriber_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def test_csv_import_dry_run_then_confirm_marks_rows_imported(admin_client_mfa):
    SpecialtyFactory(name="Pediatrics Test", slug="pediatrics-test")
    existing = SubscriberFactory(email="kept@example.org", name="Kept Name")
    preview = import_csv(
        admin_client_mfa,
        "NEW.Person@Example.org,New Person,resident,UCLA,Pediatrics Test,CA,"
        "research|speaking,\n"
        "kept@example.org,Kept Name,physician,Example Medical Center,,TX,,every\n",
    )
    assert preview.status_code == HTTPStatus.OK
    assertContains(preview, "new.person@example.org")
    assert Subscriber.objects.count() == 1  # dry run: nothing stored
    form = preview.context["confirm_form"]
    response = admin_client_mfa.post(
        reverse("admin:listserv_subscriber_process_import"), dict(form.initial)
    )
    assert response.status_code == HTTPStatus.FOUND
    imported = Subscriber.objects.get(email="new.person@example.org")
    assert imported.source == Subscriber.Source.IMPORT
    assert imported.status == Subscriber.Status.UNCONFIRMED
    assert imported.specialty.name == "Pediatrics Test"
    assert set(imported.interests.values_list("code", flat=True)) == {
        "research",
        "speaking",
    }
    existing.refresh_from_db()
    assert existing.status == Subscriber.Status.CONFIRMED  # untouched
    assert mail.outbox == []  # no email until staff ask for confirmation


def test_csv_import_blank_cells_keep_a_subscribers_own_preferences(admin_client_mfa):
    # Seen: a sheet with only names filled in reset everyone's frequency to
    # "every", their role to "other" and wiped their interests and specialty.
    specialty = SpecialtyFactory(name="Pediatrics Test", slug="pediatrics-test")
    chose = SubscriberFactory(
        email="chose@example.org",
        name="Old Name",
        role="physician",
        frequency="monthly",
        institution="Example Medical Center",
        specialty=specialty,
        state="TX",
    )
    chose.interests.set(Interest.objects.filter(code__in=["research", "speaking"]))
    preview = import_csv(admin_client_mfa, "chose@example.org,New Name,,,,,,\n")
    form = preview.context["confirm_form"]
    admin_client_mfa.post(
        reverse("admin:listserv_subscriber_process_import"), dict(form.initial)
    )
    chose.refresh_from_db()
    assert chose.name == "New Name"  # a filled cell still updates
    assert (chose.role, chose.frequency, chose.institution, chose.state) == (
        "physician",
        "monthly",
        "Example Medical Center",
        "TX",
    )
    assert chose.specialty == specialty
    assert set(chose.interests.values_list("code", flat=True)) == {
        "research",
        "speaking",
    }


def test_csv_import_cannot_mark_anyone_confirmed(admin_client_mfa):
    upload = SimpleUploadedFile(
        "s.csv",
        b"email,name,status,source\nsneaky@example.org,Sneaky,confirmed,signup\n",
        content_type="text/csv",
    )
    preview = admin_client_mfa.post(
        reverse("admin:listserv_subscriber_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    form = preview.context["confirm_form"]
    admin_client_mfa.post(
        reverse("admin:listserv_subscriber_process_import"), dict(form.initial)
    )
    subscriber = Subscriber.objects.get(email="sneaky@example.org")
    assert subscriber.status == Subscriber.Status.UNCONFIRMED
    assert subscriber.source == Subscriber.Source.IMPORT


def test_csv_import_bad_rows_reported_and_nothing_saved(admin_client_mfa):
    preview = import_csv(
        admin_client_mfa,
        "good@example.org,Good,physician,,,TX,,\nnot-an-email,Bad,physician,,,TX,,\n",
    )
    assert preview.status_code == HTTPStatus.OK
    assertContains(preview, "Enter a valid email address")
    assert not Subscriber.objects.exists()


def test_send_confirmation_request_action(admin_client_mfa):
    imported = SubscriberFactory(
        status=Subscriber.Status.UNCONFIRMED, source=Subscriber.Source.IMPORT
    )
    confirmed = SubscriberFactory()
    response = admin_client_mfa.post(
        reverse("admin:listserv_subscriber_changelist"),
        {
            "action": "send_confirmation_request",
            "_selected_action": [imported.pk, confirmed.pk],
        },
        follow=True,
    )
    assertContains(response, "Sent 1 confirmation request")
    [message] = mail.outbox
    assert message.to == [imported.email]
    assert "/listserv/confirm/" in message.body
    imported.refresh_from_db()
    assert imported.confirmation_sent_at is not None


def test_export_includes_status_and_dates(admin_client_mfa):
    subscriber = SubscriberFactory(email="export@example.org")
    response = admin_client_mfa.post(
        reverse("admin:listserv_subscriber_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [subscriber.pk],
            **{
                f"subscriberresource_{field}": "on"
                for field in ["email", "status", "created_at", "confirmed_at"]
            },
        },
    )
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    body = response.content.decode()
    assert "export@example.org" in body
    assert "confirmed" in body
    assert str(subscriber.created_at.year) in body


def test_subscriber_history_records_unsubscribe(client):
    from listserv.services import subscriber_unsubscribe

    subscriber = SubscriberFactory()
    subscriber_unsubscribe(subscriber=subscriber)
    statuses = list(subscriber.history.values_list("status", flat=True))
    assert statuses == ["unsubscribed", "confirmed"]


def test_non_staff_cannot_open_mailing_admin_views(client, active_member):
    mailing = MailingFactory()
    client.force_login(active_member)
    response = client.get(reverse("admin:listserv_mailing_preview", args=[mailing.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]


def test_staff_cannot_mark_a_subscriber_confirmed_by_hand(admin_client_mfa):
    subscriber = SubscriberFactory(status=Subscriber.Status.UNCONFIRMED)
    response = admin_client_mfa.post(
        reverse("admin:listserv_subscriber_change", args=[subscriber.pk]),
        {
            "name": subscriber.name,
            "email": subscriber.email,
            "role": "physician",
            "institution": "",
            "specialty": "",
            "state": "TX",
            "frequency": "every",
            "status": "confirmed",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content[:3000]
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNCONFIRMED


def test_resume_sending_action_finishes_a_stalled_mailing(admin_client_mfa):
    subscribers = SubscriberFactory.create_batch(3)
    mailing = MailingFactory()
    mailing_queue(mailing=mailing)  # queued, but its worker never ran
    assert mail.outbox == []
    admin_client_mfa.post(
        reverse("admin:listserv_mailing_changelist"),
        {"action": "resume_sending", "_selected_action": [mailing.pk]},
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_send_double_submit_is_a_warning_not_a_500(admin_client_mfa, monkeypatch):
    # Two POSTs at once (double click, second tab): both pass the draft check,
    # the second finds the mailing queued under its row lock.
    SubscriberFactory.create_batch(2)
    mailing = MailingFactory()
    stale = Mailing.objects.get(pk=mailing.pk)
    mailing_queue(mailing=mailing)
    monkeypatch.setattr(listserv_admin, "get_object_or_404", lambda *a, **k: stale)
    url = reverse("admin:listserv_mailing_send", args=[mailing.pk])
    response = admin_client_mfa.post(url, follow=True)
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "This mailing was already sent.")
    assert Delivery.objects.filter(mailing=mailing).count() == 2


# Header injection and failed sending runs (issue 21)
@pytest.mark.parametrize(
    "subject", ["Hello\r\nBcc: someone@example.com", "Hello\nthere", "Hi\rBcc: x"]
)
def test_subject_with_a_line_break_is_refused_at_the_form(admin_client_mfa, subject):
    response = admin_client_mfa.post(
        reverse("admin:listserv_mailing_add"),
        {"subject": subject, "body_markdown": "Please **help**."},
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, "Keep this on one line")
    assertContains(response, "Please **help**.")  # what was typed is kept
    assert not Mailing.objects.exists()


def test_failed_sending_run_shows_its_reason_and_can_be_resumed(
    admin_client_mfa, monkeypatch
):
    import smtplib

    from listserv import tasks

    SubscriberFactory.create_batch(2)
    mailing = MailingFactory()
    real_deliver = tasks.mailing_deliver

    def server_down(*, mailing_id):
        raise smtplib.SMTPConnectError(421, "mail.example.org: try again later")

    monkeypatch.setattr(tasks, "mailing_deliver", server_down)
    mailing_queue(mailing=mailing)
    with pytest.raises(smtplib.SMTPConnectError):
        tasks.send_mailing.call(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert "SMTPConnectError" in mailing.last_error
    assert "try again later" in mailing.last_error

    changelist = admin_client_mfa.get(reverse("admin:listserv_mailing_changelist"))
    assertContains(changelist, "Sending stopped: SMTPConnectError")
    change = admin_client_mfa.get(
        reverse("admin:listserv_mailing_change", args=[mailing.pk])
    )
    assertContains(change, "try again later")

    monkeypatch.setattr(tasks, "mailing_deliver", real_deliver)
    response = admin_client_mfa.post(
        reverse("admin:listserv_mailing_changelist"),
        {"action": "resume_sending", "_selected_action": [mailing.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    mailing.refresh_from_db()
    assert mailing.last_error == ""
    assert mailing.status == Mailing.Status.SENT
    assert len(mail.outbox) == 2
