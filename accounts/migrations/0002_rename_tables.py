"""The moved tables get accounts' names, and their content types follow them, so the
permissions on them (and the groups holding those) and the admin's history keep pointing at
the same rows."""

from django.db import migrations

MOVED_MODELS = ["apitoken", "auditevent", "languagepreference"]


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        # On a fresh database there is none yet (post_migrate makes them after this).
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )


def content_types_to_accounts(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="institutions", target="accounts")


def content_types_to_institutions(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="accounts", target="institutions")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("institutions", "0007_identity_moves_to_accounts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="apitoken", table=None),
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.AlterModelTable(name="languagepreference", table=None),
        migrations.RunPython(content_types_to_accounts, content_types_to_institutions),
    ]
