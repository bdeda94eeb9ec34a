"""Specialty names in Spanish: a field staff can edit, filled for the ACGME list."""

from django.db import migrations, models

# Slug (from 0002_load_acgme_specialties) -> the name Spanish readers see.
SPANISH_NAMES = {
    "allergy-and-immunology": "Alergia e Inmunología",
    "anesthesiology": "Anestesiología",
    "colon-and-rectal-surgery": "Cirugía de Colon y Recto",
    "dermatology": "Dermatología",
    "emergency-medicine": "Medicina de Urgencias",
    "family-medicine": "Medicina Familiar",
    "internal-medicine": "Medicina Interna",
    "internal-medicine-pediatrics": "Medicina Interna y Pediatría",
    "interventional-radiology": "Radiología Intervencionista",
    "medical-genetics-and-genomics": "Genética y Genómica Médicas",
    "neurological-surgery": "Neurocirugía",
    "neurology": "Neurología",
    "nuclear-medicine": "Medicina Nuclear",
    "obstetrics-and-gynecology": "Obstetricia y Ginecología",
    "ophthalmology": "Oftalmología",
    "orthopaedic-surgery": "Cirugía Ortopédica",
    "osteopathic-neuromusculoskeletal-medicine": (
        "Medicina Osteopática Neuromusculoesquelética"
    ),
    "otolaryngology-head-and-neck-surgery": (
        "Otorrinolaringología y Cirugía de Cabeza y Cuello"
    ),
    "pathology": "Patología",
    "pediatrics": "Pediatría",
    "physical-medicine-and-rehabilitation": "Medicina Física y Rehabilitación",
    "plastic-surgery": "Cirugía Plástica",
    "preventive-medicine": "Medicina Preventiva",
    "psychiatry": "Psiquiatría",
    "radiation-oncology": "Oncología Radioterápica",
    "radiology": "Radiología",
    "surgery": "Cirugía General",
    "thoracic-surgery": "Cirugía Torácica",
    "urology": "Urología",
    "vascular-surgery": "Cirugía Vascular",
}


def fill_spanish_names(apps, schema_editor):
    Specialty = apps.get_model("residency_hub", "Specialty")
    for slug, name_es in SPANISH_NAMES.items():
        # A name staff already wrote is kept.
        Specialty.objects.filter(slug=slug, name_es="").update(name_es=name_es)


class Migration(migrations.Migration):
    dependencies = [("residency_hub", "0008_submission_events_and_contacts")]

    operations = [
        migrations.AddField(
            model_name="specialty",
            name="name_es",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Shown to Spanish readers; when blank they see the name.",
                max_length=120,
                verbose_name="name in Spanish",
            ),
        ),
        migrations.RunPython(fill_spanish_names, migrations.RunPython.noop),
    ]
