"""PostgreSQL: a GIN index on the full-text document the directory search uses.

Created only on PostgreSQL (SQLite has no full-text search here); the expression
is built by lmsa_portal.search, so it is exactly the one the queries filter on.
"""

from django.db import migrations

from lmsa_portal.search import add_search_index

forwards, backwards = add_search_index(
    "ama",
    "video",
    ["title", "description", "summary", "transcript"],
    name="ama_video_search_gin",
)


class Migration(migrations.Migration):
    dependencies = [("ama", "0002_video_url_help")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
