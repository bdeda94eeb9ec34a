"""Language names in Spanish: a field staff can edit, filled for the loaded list
(Django knows no Spanish name for "ht", "cmn", "tl", "qu" or "asl")."""

from django.db import migrations, models

# Code (from 0002_load_languages) -> the name Spanish readers see.
SPANISH_NAMES = {
    "es": "Español",
    "en": "Inglés",
    "pt": "Portugués",
    "fr": "Francés",
    "ht": "Criollo haitiano",
    "it": "Italiano",
    "de": "Alemán",
    "cmn": "Chino mandarín",
    "vi": "Vietnamita",
    "tl": "Tagalo",
    "ar": "Árabe",
    "ko": "Coreano",
    "hi": "Hindi",
    "ru": "Ruso",
    "qu": "Quechua",
    "asl": "Lengua de señas americana",
}


def fill_spanish_names(apps, schema_editor):
    Language = apps.get_model("mentors", "Language")
    for code, name_es in SPANISH_NAMES.items():
        # A name staff already wrote is kept.
        Language.objects.filter(code=code, name_es="").update(name_es=name_es)


class Migration(migrations.Migration):
    dependencies = [("mentors", "0006_admin_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="language",
            name="name_es",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Shown to Spanish readers; when blank they see the name.",
                max_length=60,
                verbose_name="name in Spanish",
            ),
        ),
        migrations.RunPython(fill_spanish_names, migrations.RunPython.noop),
    ]
