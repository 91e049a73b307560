"""The audit log, API keys and language preferences now belong to the accounts app
(accounts 0001 takes them over in Django's state). Only the state changes: the tables and their
rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0006_languagepreference"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ApiToken"),
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="LanguagePreference"),
            ],
        ),
    ]
