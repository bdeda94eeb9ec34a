from django.db import migrations

CODES = [
    "mentor_students",
    "mentor_premeds",
    "residency_advising",
    "research",
    "speaking",
    "community",
    "partners",
]


def add_interests(apps, schema_editor):
    Interest = apps.get_model("listserv", "Interest")
    for code in CODES:
        Interest.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("listserv", "0001_initial")]

    operations = [migrations.RunPython(add_interests, migrations.RunPython.noop)]
