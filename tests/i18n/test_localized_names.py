"""Names kept as data read in Spanish too (issue 15, item 13): the 30 ACGME
specialties, AMA topics and the languages Django has no Spanish name for."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from ama.factories import TopicFactory, VideoFactory
from ama.filters import topic_choices
from ama.models import Topic
from lmsa_portal.localized import sort_key
from mentors.factories import MentorFactory
from mentors.filters import language_choices
from mentors.models import Language
from residency_hub.factories import ProgramFactory
from residency_hub.models import Specialty, specialty_choices

pytestmark = pytest.mark.django_db
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def option_labels(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}".*?</select>', html, re.S)
    assert select, f"no <select name={select_name}>"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))[1:]


# --- The data ----------------------------------------------------------------
def test_every_acgme_specialty_has_a_spanish_name():
    specialties = Specialty.objects.all()
    assert specialties.count() == 30
    assert not specialties.filter(name_es="").exists()
    assert not [s.name for s in specialties if s.name == s.name_es]


@pytest.mark.parametrize(
    ("slug", "english", "spanish"),
    [
        ("internal-medicine", "Internal Medicine", "Medicina Interna"),
        ("pediatrics", "Pediatrics", "Pediatría"),
        ("emergency-medicine", "Emergency Medicine", "Medicina de Urgencias"),
        ("surgery", "Surgery", "Cirugía General"),
    ],
)
def test_a_specialty_reads_in_the_active_language(slug, english, spanish):
    specialty = Specialty.objects.get(slug=slug)
    with translation.override("en"):
        assert str(specialty) == english
    with translation.override("es"):
        assert str(specialty) == spanish == specialty.localized_name


@pytest.mark.parametrize(
    ("code", "spanish"),
    [
        ("asl", "Lengua de señas americana"),
        ("ht", "Criollo haitiano"),
        ("cmn", "Chino mandarín"),
        ("es", "Español"),
    ],
)
def test_languages_django_does_not_know_read_in_spanish(code, spanish):
    language = Language.objects.get(code=code)
    with translation.override("es"):
        assert str(language) == spanish
    with translation.override("en"):
        assert str(language) != spanish


def test_a_blank_spanish_name_falls_back_to_the_name():
    topic = TopicFactory(name="Residency applications", name_es="")
    language = Language.objects.create(code="xq", name="Xhosa-Quechua")
    with translation.override("es"):
        assert str(topic) == "Residency applications"
        assert str(language) == "Xhosa-Quechua"


def test_staff_can_edit_the_spanish_name_in_admin(admin_client_mfa):
    specialty = Specialty.objects.get(slug="pathology")
    url = reverse("admin:residency_hub_specialty_change", args=[specialty.pk])
    assertContains(admin_client_mfa.get(url), 'name="name_es"')
    for model in ["ama_topic", "mentors_language"]:
        assertContains(admin_client_mfa.get(reverse(f"admin:{model}_add")), "name_es")


def test_demo_topics_have_spanish_names():
    from ama.demo import load_demo

    load_demo()
    assert not Topic.objects.filter(name_es="").exists()
    with translation.override("es"):
        assert str(Topic.objects.get(slug="match")) == "El Match"


# --- Choices: labels and order follow the reader's language -------------------
def test_filter_choices_are_spanish_and_in_spanish_order():
    with translation.override("es"):
        labels = [label for _slug, label in specialty_choices()]
        assert "Medicina Interna" in labels and "Internal Medicine" not in labels
        # "Cirugía ..." before "Dermatología": by the name shown, accents aside.
        assert labels == sorted(labels, key=sort_key)
        assert labels.index("Anestesiología") < labels.index("Cirugía General")
        languages = dict(language_choices())
        assert languages["asl"] == "Lengua de señas americana"
        assert list(languages.values()).index("Árabe") < 2  # "Alemán", "Árabe"...
    with translation.override("en"):
        labels = [label for _slug, label in specialty_choices()]
        assert labels[0] == "Allergy and Immunology"
        assert "Internal Medicine" in labels


def test_topic_choices_follow_the_language():
    TopicFactory(name="Wellness", name_es="Bienestar", slug="wellness")
    TopicFactory(name="Applying", name_es="Solicitar ingreso", slug="applying")
    with translation.override("es"):
        assert topic_choices() == [
            ("wellness", "Bienestar"),
            ("applying", "Solicitar ingreso"),
        ]
    with translation.override("en"):
        assert topic_choices() == [("applying", "Applying"), ("wellness", "Wellness")]


# --- Pages --------------------------------------------------------------------
def test_program_directory_shows_spanish_specialties(client, active_member):
    ProgramFactory(specialty=Specialty.objects.get(slug="pediatrics"))
    client.force_login(active_member)
    url = reverse("residency_hub:program-list")

    # English first: the cached filter form must not serve English to Spanish.
    english = client.get(url, **EN).content.decode()
    assert "Pediatrics" in option_labels(english, "specialty")
    spanish = client.get(url, **ES)
    labels = option_labels(spanish.content.decode(), "specialty")
    assert "Pediatría" in labels and "Pediatrics" not in labels
    assertContains(spanish, ">Pediatría</a>")  # the program's card


def test_mentor_directory_shows_spanish_specialties_and_languages(
    client, active_member
):
    MentorFactory(
        specialty=Specialty.objects.get(slug="internal-medicine"),
        languages=["asl", "ht"],
    )
    client.force_login(active_member)
    url = reverse("mentors:directory")
    client.get(url, **EN)

    response = client.get(url, **ES)

    html = response.content.decode()
    assert "Lengua de señas americana" in option_labels(html, "language")
    assert "Medicina Interna" in option_labels(html, "specialty")
    assertContains(response, "Medicina Interna</p>")
    assertContains(response, "Lengua de señas americana")
    assertContains(response, "Criollo haitiano")
    assertNotContains(response, "American Sign Language")


def test_mentor_directory_sorts_by_the_spanish_specialty_name(client, active_member):
    # English order: Anesthesiology, Pediatrics, Surgery.
    # Spanish order: Anestesiología, Cirugía General, Pediatría.
    for slug, last_name in [
        ("surgery", "Cirujano"),
        ("pediatrics", "Pediatra"),
        ("anesthesiology", "Anestesista"),
    ]:
        MentorFactory(specialty=Specialty.objects.get(slug=slug), last_name=last_name)
    client.force_login(active_member)
    url = reverse("mentors:directory")

    def order(**headers):
        response = client.get(url, {"sort": "specialty"}, **headers)
        return [mentor.last_name for mentor in response.context["mentors"]]

    assert order(**ES) == ["Anestesista", "Cirujano", "Pediatra"]
    assert order(**EN) == ["Anestesista", "Pediatra", "Cirujano"]


def test_ama_archive_and_video_show_spanish_topics(client):
    topic = TopicFactory(name="The Match", name_es="El Match", slug="match")
    video = VideoFactory(
        topics=[topic], specialty=Specialty.objects.get(slug="psychiatry")
    )
    url = reverse("ama:archive")
    client.get(url, **EN)

    response = client.get(url, **ES)

    assert option_labels(response.content.decode(), "topic") == ["El Match"]
    assertContains(response, ">El Match</a>")
    assertNotContains(response, "The Match")
    detail = client.get(video.get_absolute_url(), **ES)
    assertContains(detail, ">El Match</a>")
    assertContains(detail, ">Psiquiatría</a>")


def test_specialty_page_is_titled_in_spanish(client, active_member):
    specialty = Specialty.objects.get(slug="obstetrics-and-gynecology")
    client.force_login(active_member)
    response = client.get(specialty.get_absolute_url(), **ES)
    assertContains(response, "<h1>Obstetricia y Ginecología</h1>", html=True)
