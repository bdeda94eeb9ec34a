"""Panelists link to their Mentor Registry listing by a foreign key (issue 6).

Added next to the old free-text path; 0005 copies the paths over and 0006 drops
the path (three migrations, so that on PostgreSQL the rows updated with deferred
foreign-key checks are committed before the table is altered again).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ama", "0003_search_gin_index"),
        ("mentors", "0004_search_gin_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="panelist",
            name="mentor",
            field=models.ForeignKey(
                blank=True,
                help_text="Their Mentor Registry listing, if they are listed.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="ama_panels",
                to="mentors.mentor",
                verbose_name="mentor registry listing",
            ),
        ),
    ]
