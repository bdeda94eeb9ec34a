"""Load the languages mentors most often speak; staff can add more in admin."""

from django.db import migrations

LANGUAGES = [
    ("es", "Spanish"),
    ("en", "English"),
    ("pt", "Portuguese"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("it", "Italian"),
    ("de", "German"),
    ("cmn", "Mandarin Chinese"),
    ("vi", "Vietnamese"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("ko", "Korean"),
    ("hi", "Hindi"),
    ("ru", "Russian"),
    ("qu", "Quechua"),
    ("asl", "American Sign Language"),
]


def load_languages(apps, schema_editor):
    Language = apps.get_model("mentors", "Language")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]

    operations = [migrations.RunPython(load_languages, migrations.RunPython.noop)]
