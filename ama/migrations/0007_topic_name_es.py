"""Topic names in Spanish: a field staff can edit, filled for the usual topics."""

from django.db import migrations, models

# Slug -> the name Spanish readers see, for the topics the archive started with
# (the same as ama/demo.py); topics staff add later get theirs in admin.
SPANISH_NAMES = {
    "applying": "Solicitar ingreso a la escuela de medicina",
    "mcat": "MCAT",
    "personal-statement": "Ensayos personales",
    "interviews": "Entrevistas",
    "match": "El Match",
    "away-rotations": "Rotaciones externas",
    "research": "Investigación",
    "latino-physicians": "Ser médico latino",
    "financial-aid": "Ayuda financiera",
    "step-exams": "Exámenes USMLE Step",
    "wellness": "Bienestar",
    "gap-years": "Años sabáticos",
    "letters": "Cartas de recomendación",
}


def fill_spanish_names(apps, schema_editor):
    Topic = apps.get_model("ama", "Topic")
    for slug, name_es in SPANISH_NAMES.items():
        # A name staff already wrote is kept.
        Topic.objects.filter(slug=slug, name_es="").update(name_es=name_es)


class Migration(migrations.Migration):
    dependencies = [("ama", "0006_remove_panelist_mentor_listing_url")]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="name_es",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Shown to Spanish readers; when blank they see the name.",
                max_length=80,
                verbose_name="name in Spanish",
            ),
        ),
        migrations.RunPython(fill_spanish_names, migrations.RunPython.noop),
    ]
