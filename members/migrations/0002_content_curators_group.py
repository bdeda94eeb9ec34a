"""Create the "Content curators" group; its permissions are kept in sync after
every migrate (members.signals.sync_content_curator_permissions), because the
permissions of apps added later do not exist yet when this migration runs."""

from django.db import migrations

GROUP_NAME = "Content curators"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=GROUP_NAME)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, delete_group)]
