"""PostgreSQL: a GIN index on the full-text document the directory search uses.

Created only on PostgreSQL (SQLite has no full-text search here); the expression
is built by lmsa_portal.search, so it is exactly the one the queries filter on.
"""

from django.db import migrations

from lmsa_portal.search import add_search_index

forwards, backwards = add_search_index(
    "residency_hub",
    "program",
    [
        "name",
        "institution",
        "city",
        "diversity_mission",
        "dei_initiatives",
        "pipeline_opportunities",
        "special_tracks",
    ],
    name="residency_hub_program_search_gin",
)


class Migration(migrations.Migration):
    dependencies = [("residency_hub", "0005_us_states_and_territories")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
