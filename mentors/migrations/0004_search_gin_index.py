"""PostgreSQL: a GIN index on the full-text document the directory search uses.

Created only on PostgreSQL (SQLite has no full-text search here); the expression
is built by lmsa_portal.search, so it is exactly the one the queries filter on.
"""

from django.db import migrations

from lmsa_portal.search import add_search_index

forwards, backwards = add_search_index(
    "mentors",
    "mentor",
    [
        "first_name",
        "last_name",
        "institution",
        "subspecialty",
        "bio",
        "special_requests",
    ],
    name="mentors_search_gin",
)


class Migration(migrations.Migration):
    dependencies = [("mentors", "0003_language_history")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
