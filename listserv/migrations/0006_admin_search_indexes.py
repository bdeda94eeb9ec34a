"""PostgreSQL: trigram indexes for the admin's subscriber and delivery search (see
lmsa_portal.search.add_admin_search_indexes); nothing on SQLite."""

from django.db import migrations

from lmsa_portal.search import add_admin_search_indexes

forwards, backwards = add_admin_search_indexes(
    "listserv", "subscriber", ["email", "name", "institution"]
)


class Migration(migrations.Migration):
    dependencies = [
        ("listserv", "0005_mailing_last_error_one_line_subject"),
        ("members", "0005_admin_indexes"),  # pg_trgm
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
