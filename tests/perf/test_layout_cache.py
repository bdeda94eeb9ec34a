"""The layout parts kept per process and language (``CACHES["layout"]`` in
base.html): each language gets its own copy, and nothing of one reader (account
links, CSRF token, the page they are on) is ever kept."""

import re

from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.urls import clear_script_prefix, reverse


def test_each_language_gets_its_own_navigation(client, db):
    caches["layout"].clear()
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Mentor Registry" in english
    assert "Registro de Mentores" in spanish
    assert "Registro de Mentores" not in english
    assert '<option value="es" lang="es" selected>' in spanish
    assert '<option value="en" lang="en" selected>' in english
    assert ">Cambiar</button>" in spanish


def test_reader_parts_stay_per_request(active_member, staff_user, db):
    caches["layout"].clear()
    member, staff = Client(), Client()
    member.force_login(active_member)
    staff.force_login(staff_user)
    page = reverse("ama:archive")
    first = member.get(page + "?q=one").content.decode()
    as_staff = staff.get(page).content.decode()
    second = member.get(page + "?q=two").content.decode()
    admin_link = f'href="{reverse("admin:index")}"'
    assert admin_link in as_staff
    assert admin_link not in first
    assert admin_link not in second
    # The language form returns to the page the reader is on, with their token.
    assert 'name="next" type="hidden" value="/ama/?q=two"' in second

    def tokens(html):
        return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)

    # Every form's token is masked afresh on each page (logout and language forms):
    # one kept in a cached fragment would show up again.
    assert len(tokens(first)) == len(tokens(second)) == 2
    assert not set(tokens(first)) & set(tokens(second))
    assert not set(tokens(first)) & set(tokens(as_staff))


def test_a_script_prefix_never_sticks_to_the_fragments(client, db):
    """One request under another script prefix (a proxy passing SCRIPT_NAME) must
    not leave its links in the layout everyone else gets."""
    caches["layout"].clear()
    environ = RequestFactory().get("/", SCRIPT_NAME="/elsewhere").environ
    try:  # the real WSGI entry: it sets the script prefix from SCRIPT_NAME
        body = b"".join(WSGIHandler()(environ, lambda status, headers: None))
    finally:
        clear_script_prefix()
    assert 'href="/elsewhere/mentors/"' in body.decode()
    plain = client.get(reverse("home")).content.decode()
    assert "/elsewhere/" not in plain
    assert f'href="{reverse("mentors:directory")}"' in plain


def test_development_keeps_no_layout_fragments():
    """runserver reloads templates and catalogs in the same process: a kept
    fragment would hide an edit to the navigation or a translation."""
    from lmsa_portal.settings import base, dev

    assert dev.CACHES["layout"]["BACKEND"].endswith("DummyCache")
    assert base.CACHES["layout"]["BACKEND"].endswith("LocMemCache")
