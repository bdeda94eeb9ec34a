from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ama", "0005_panelist_mentor_from_path")]

    operations = [
        migrations.RemoveField(model_name="panelist", name="mentor_listing_url"),
    ]
