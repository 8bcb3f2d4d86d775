# QR sign-in: how presence was recorded and when the member signed in.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="signed_in_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="signed in at"),
        ),
        migrations.AddField(
            model_name="attendance",
            name="source",
            field=models.CharField(
                choices=[
                    ("hand", "Marked by hand"),
                    ("qr", "Signed in by QR code"),
                    ("paper", "Signed on the paper sheet"),
                ],
                default="hand",
                max_length=10,
                verbose_name="recorded",
            ),
        ),
        migrations.AddField(
            model_name="historicalattendance",
            name="signed_in_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="signed in at"),
        ),
        migrations.AddField(
            model_name="historicalattendance",
            name="source",
            field=models.CharField(
                choices=[
                    ("hand", "Marked by hand"),
                    ("qr", "Signed in by QR code"),
                    ("paper", "Signed on the paper sheet"),
                ],
                default="hand",
                max_length=10,
                verbose_name="recorded",
            ),
        ),
    ]
