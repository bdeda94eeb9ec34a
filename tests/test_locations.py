"""US states and territories come from django-localflavor: the same 56 stored codes
as before, named (and sorted) in the reader's language."""

import re

from django.urls import reverse
from django.utils import translation

from lmsa_portal.locations import US_STATE_NAMES, us_state_choices, us_state_name
from mentors.models import Mentor

# The codes the portal stored before localflavor: the 50 states, the District of
# Columbia and the five inhabited territories. Stored rows must all stay valid.
STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT "
    "NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
TERRITORIES = ["AS", "GU", "MP", "PR", "VI"]


def test_the_same_codes_as_before_and_no_military_mail_codes():
    codes = [code for code, _name in us_state_choices()]
    assert len(STATES) == 50
    assert sorted(codes) == sorted([*STATES, "DC", *TERRITORIES])
    assert set(US_STATE_NAMES) == set(codes)
    assert not {"AA", "AE", "AP", "FM", "MH", "PW"} & set(codes)


def test_states_by_name_then_territories():
    with translation.override("en"):
        names = [str(name) for _code, name in us_state_choices()]
    assert names[:3] == ["Alabama", "Alaska", "Arizona"]
    assert names[:51] == sorted(names[:51])
    assert names[51:] == [
        "American Samoa",
        "Guam",
        "Northern Mariana Islands",
        "Puerto Rico",
        "U.S. Virgin Islands",
    ]


def test_names_follow_the_active_language():
    with translation.override("es"):
        names = [str(name) for _code, name in us_state_choices()]
        assert us_state_name("NC") == "Carolina del Norte"
        assert us_state_name("VI") == "Islas Vírgenes de EE. UU."
        assert Mentor(state="DC").get_state_display() == "Distrito de Columbia"
    assert names[:51] == sorted(names[:51])  # sorted by the Spanish names
    assert names.index("Carolina del Norte") < names.index("Colorado")
    assert us_state_name("NC") == "North Carolina"
    assert us_state_name("") == ""


def test_spanish_signup_form_lists_spanish_state_names(client, db):
    response = client.get(reverse("listserv:signup"), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    select = re.search(r'<select name="state".*?</select>', html, re.S).group(0)
    assert '<option value="NY">Nueva York</option>' in select
    assert '<option value="VI">Islas Vírgenes de EE. UU.</option>' in select
    assert '<option value="XX">' in select  # outside the United States
    assert "New York" not in select
