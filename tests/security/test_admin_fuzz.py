"""Random and hostile input to the admin's own forms, as staff past the TOTP gate.

``test_fuzz.py`` covers every public and members' form; this covers the staff
forms that take free text, URLs and files: a membership's change form and the
decline reason, the dues-roster import (a file upload), a new AMA video and a new
mailing. Each form is read from its page the way a browser would submit it, then
a few of its fields (always the one under test) get hostile values.

Never a 5xx (the test client raises on one), and a rejected form (a 4xx, or the
form shown again with errors) changes no row of the project's apps.
"""

import csv
import html.parser
import io
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.test_access_matrix import changed_tables, data_snapshot
from tests.security.test_fuzz import FUZZ, HOSTILE, scalar


class DefaultSubmission(html.parser.HTMLParser):
    """What a browser would send for the page's main form unchanged: inputs with
    their values (checkboxes and radios when checked), textareas, selected options."""

    def __init__(self, form_id: str | None = None):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.data: list[tuple[str, str]] = []
        self.names: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            self.names.add(name)
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.names.add(name)
            self._textarea = name
            self.data.append((name, ""))
        elif tag == "select" and name:
            self.names.add(name)
            self._select = name
            self._select_multiple = "multiple" in attrs
            self._select_first = None
            self._select_chosen = False
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            self.options.setdefault(self._select, []).append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self.data.append((self._select, value))
                self._select_chosen = True

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._select_multiple:
                self.data.append((self._select, self._select_first or ""))
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.data and self.data[-1][0] == self._textarea:
            name, text = self.data[-1]
            self.data[-1] = (name, text + data)


def read_form(client: Client, url: str, form_id: str | None) -> DefaultSubmission:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, (url, response.status_code)
    parser = DefaultSubmission(form_id)
    parser.feed(response.content.decode())
    assert parser.names, f"no form found on {url}"
    return parser


def as_post_data(pairs: list[tuple[str, str]]) -> dict:
    data: dict = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


def was_rejected(response) -> bool:
    """The admin redirects after a save; a 4xx or the page again is a refusal."""
    return response.status_code >= 400 or response.status_code == HTTPStatus.OK


@pytest.fixture
def staff_client(world):
    """The seeded superuser, who has a TOTP authenticator: the admin's MFA gate
    (members.mfa.StaffSecurityMiddleware) lets them in."""
    client = Client()
    client.force_login(world.users["staff"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.OK, "staff did not pass the TOTP gate"
    return client


def fuzz_admin_form(client, url, form_id, target, overrides=None, extra=None, skip=()):
    """Post the page's form with ``target`` (and up to three other fields) set to
    hostile values; check the invariants on every example."""
    form = read_form(client, url, form_id)
    base = as_post_data(form.data)
    base.update(overrides or {})
    names = sorted(form.names - {"csrfmiddlewaretoken", *skip})
    assert target in names, f"{target} is not a field of {url}: {names}"
    outcomes = []

    @FUZZ
    @given(
        target_value=scalar,
        others=st.dictionaries(st.sampled_from(names), scalar, max_size=3),
    )
    def post(target_value, others):
        data = {**base, **others, target: target_value, **(extra or {})}
        before = data_snapshot()
        response = client.post(url, data)
        assert response.status_code < 500
        outcomes.append(response.status_code)
        if was_rejected(response):
            after = data_snapshot()
            changed = changed_tables(before, after)
            assert not changed, f"rejected ({response.status_code}) but saved {changed}"

    post()
    return outcomes


def test_membership_change_form(world, staff_client):
    membership = world.users["pending"].membership
    url = reverse("admin:members_membership_change", args=[membership.pk])
    fuzz_admin_form(
        staff_client,
        url,
        "membership_form",
        "decision_note",
        extra={"_save": "Save"},
    )


@pytest.mark.parametrize("page", ["add", "change"])
def test_membership_user_field_rejects_a_non_numeric_id(world, page):
    """Found by this fuzzer: with the autocomplete widget a non-numeric user id
    was a 500. On the add form it is now a form error; on the change form the
    user is read-only and the posted value is ignored."""
    client = Client(raise_request_exception=True)
    client.force_login(world.users["staff"])
    membership = world.users["pending"].membership
    url = (
        reverse("admin:members_membership_add")
        if page == "add"
        else reverse("admin:members_membership_change", args=[membership.pk])
    )
    response = client.post(url, {"user": "not-a-number", "_save": "Save"})
    assert response.status_code == HTTPStatus.OK
    membership.refresh_from_db()
    assert membership.user == world.users["pending"]


@pytest.mark.parametrize("text", HOSTILE)
def test_membership_decline_reason(world, staff_client, text):
    """The decline action's reason form: hostile reasons never cause a 5xx; a
    refused reason declines nobody."""
    membership = world.users["pending"].membership
    before = membership.status
    response = staff_client.post(
        reverse("admin:members_membership_changelist"),
        {
            "action": "decline_selected",
            "_selected_action": [membership.pk],
            "apply": "1",
            "reason": text,
        },
    )
    assert response.status_code < 500
    membership.refresh_from_db()
    if response.status_code == HTTPStatus.OK:  # the reason form shown again
        assert membership.status == before


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


ROSTER_COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "member_type",
    "institution",
    "region",
    "expires_on",
]
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


def roster_row():
    """A row that is often valid and sometimes has a hostile cell or two."""
    from members.models import Membership

    def plain(valid):
        return st.one_of(valid, valid, valid, hostile)

    return st.tuples(
        plain(st.emails()),
        plain(st.sampled_from(["Ana", "José", "李"])),
        plain(st.just("Ruiz")),
        plain(st.sampled_from(Membership.MemberType.values)),
        plain(st.just("State University")),
        plain(st.sampled_from(Membership.Region.values)),
        plain(st.sampled_from(["2030-06-30", "06/30/2030"])),
    ).map(list)


GARBAGE_FILES = st.one_of(
    # Well-formed CSV with the roster's columns and hostile cells: the rows
    # reach the resource's validation and the preview.
    st.lists(st.deferred(roster_row), min_size=1, max_size=6).map(
        lambda rows: as_csv([ROSTER_COLUMNS, *rows])
    ),
    st.binary(max_size=4000),
    st.lists(
        st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=8),
        max_size=20,
    ).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode(
            "utf-8", errors="surrogatepass"
        )
    ),
    st.text(max_size=2000).map(
        lambda text: ("email,first_name,last_name,institution\n" + text).encode(
            "utf-8", errors="surrogatepass"
        )
    ),
)


def test_roster_import_upload(world, staff_client):
    """The dues-roster import (django-import-export): random bytes and CSV garbage
    in any offered format never cause a 5xx, and the first step saves no row."""
    url = reverse("admin:members_rosterentry_import")
    form = read_form(staff_client, url, None)
    base = as_post_data(form.data)
    assert "import_file" in form.names, form.names
    format_field = "format" if "format" in form.names else "input_format"
    formats = [value for value in form.options.get(format_field, []) if value]
    assert formats, "the import form offers no file format"

    @FUZZ
    @given(
        content=GARBAGE_FILES,
        file_name=st.sampled_from(["roster.csv", "roster.xlsx", "roster", "r.tsv"]),
        # Mostly a real format, so the file itself gets parsed.
        input_format=st.one_of(
            st.just(formats[0]),
            st.sampled_from(formats),
            st.sampled_from(["7", "-1", "x", ""]),
        ),
    )
    def upload(content, file_name, input_format):
        before = data_snapshot()
        data = {
            **base,
            format_field: input_format,
            "import_file": SimpleUploadedFile(file_name, content),
        }
        response = staff_client.post(url, data)
        assert response.status_code < 500
        after = data_snapshot()
        changed = changed_tables(before, after)
        assert not changed, f"the preview step saved {changed}"

    upload()


def test_ama_video_add_form(world, staff_client):
    url = reverse("admin:ama_video_add")
    fuzz_admin_form(
        staff_client,
        url,
        "video_form",
        "video_url",
        overrides={
            "title": "Fuzzed session",
            "slug": "fuzzed-session",
            "date": "2024-03-14",
        },
        extra={"_save": "Save"},
    )


def test_listserv_mailing_add_form(world, staff_client):
    url = reverse("admin:listserv_mailing_add")
    fuzz_admin_form(
        staff_client,
        url,
        "mailing_form",
        "body_markdown",
        overrides={"subject": "Fuzzed mailing"},
        extra={"_save": "Save"},
    )
