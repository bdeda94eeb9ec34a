"""PostgreSQL: trigram indexes for the admin's mentor search (see
lmsa_portal.search.add_admin_search_indexes); nothing on SQLite."""

from django.db import migrations

from lmsa_portal.search import add_admin_search_indexes

forwards, backwards = add_admin_search_indexes(
    "mentors",
    "mentor",
    ["first_name", "last_name", "email", "institution", "city", "subspecialty"],
)


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0005_drop_boolean_indexes"),
        ("members", "0005_admin_indexes"),  # pg_trgm
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
