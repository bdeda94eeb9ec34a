"""Indexes of the admin lists: the memberships' order, and on PostgreSQL trigram
indexes for the user search (see lmsa_portal.search.add_admin_search_indexes)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from lmsa_portal.search import add_admin_search_indexes

forwards, backwards = add_admin_search_indexes(
    "members", "user", ["email", "first_name", "last_name"]
)


class Migration(migrations.Migration):
    dependencies = [("members", "0004_site_name")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["created_at"], name="members_ms_created_idx"),
        ),
    ]
