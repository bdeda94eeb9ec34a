"""The layout parts kept per process and language (``CACHES["layout"]`` in
base.html): each language gets its own copy, and nothing of one reader (account
links, CSRF token, the page they are on) is ever kept."""

import re

from django.core.cache import caches
from django.test import Client
from django.urls import reverse


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
    tokens = {
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        for html in (first, as_staff)
    }
    assert len(tokens) == 2
