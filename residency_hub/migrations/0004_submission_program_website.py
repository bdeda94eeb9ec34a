from django.db import migrations, models


class Migration(migrations.Migration):
    """The submission's program website must not share the honeypot's field name."""

    dependencies = [
        ("residency_hub", "0003_historicalprogram_program_and_more"),
    ]

    operations = [
        migrations.RenameField(
            model_name="programsubmission",
            old_name="website",
            new_name="program_website",
        ),
        migrations.RenameField(
            model_name="historicalprogramsubmission",
            old_name="website",
            new_name="program_website",
        ),
        migrations.AlterField(
            model_name="programsubmission",
            name="program_website",
            field=models.URLField(blank=True, verbose_name="program website"),
        ),
        migrations.AlterField(
            model_name="historicalprogramsubmission",
            name="program_website",
            field=models.URLField(blank=True, verbose_name="program website"),
        ),
    ]
