"""Load the ACGME specialties: the one specialty list the whole portal uses."""

from django.db import migrations
from django.utils.text import slugify

ACGME_SPECIALTIES = [
    "Allergy and Immunology",
    "Anesthesiology",
    "Colon and Rectal Surgery",
    "Dermatology",
    "Emergency Medicine",
    "Family Medicine",
    "Internal Medicine",
    "Internal Medicine-Pediatrics",
    "Interventional Radiology",
    "Medical Genetics and Genomics",
    "Neurological Surgery",
    "Neurology",
    "Nuclear Medicine",
    "Obstetrics and Gynecology",
    "Ophthalmology",
    "Orthopaedic Surgery",
    "Osteopathic Neuromusculoskeletal Medicine",
    "Otolaryngology - Head and Neck Surgery",
    "Pathology",
    "Pediatrics",
    "Physical Medicine and Rehabilitation",
    "Plastic Surgery",
    "Preventive Medicine",
    "Psychiatry",
    "Radiation Oncology",
    "Radiology",
    "Surgery",
    "Thoracic Surgery",
    "Urology",
    "Vascular Surgery",
]


def load_specialties(apps, schema_editor):
    Specialty = apps.get_model("residency_hub", "Specialty")
    for name in ACGME_SPECIALTIES:
        Specialty.objects.get_or_create(slug=slugify(name), defaults={"name": name})


def unload_specialties(apps, schema_editor):
    Specialty = apps.get_model("residency_hub", "Specialty")
    Specialty.objects.filter(slug__in=[slugify(name) for name in ACGME_SPECIALTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("residency_hub", "0001_initial")]

    operations = [migrations.RunPython(load_specialties, unload_specialties)]
