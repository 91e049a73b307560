"""The assembly pack moves here from ``rounds``: it is a stored report built from indicators'
figures, so it belongs to the reports (rounds 0004 forgets it the same way).

Only Django's state changes: the table keeps its name (``rounds_assemblypack``, the model's
``db_table``) and its rows, files, constraints and foreign keys; no row is copied, so none can
be lost. Its content type follows it, so that the permissions on it (and the groups holding
those) and the admin's history keep pointing at the same rows.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import reports.models


def _move_content_type(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    # On a fresh database there is none yet (post_migrate makes them after this).
    if not ContentType.objects.using(db).filter(app_label=target, model="assemblypack").exists():
        ContentType.objects.using(db).filter(app_label=source, model="assemblypack").update(
            app_label=target
        )


def content_type_to_reports(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="rounds", target="reports")


def content_type_to_rounds(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="reports", target="rounds")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_report_layer_code"),
        ("rounds", "0003_closing_day_is_sluitdatum"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AssemblyPack",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("queued", "in de wachtrij"),
                                    ("running", "bezig"),
                                    ("done", "klaar"),
                                    ("failed", "mislukt"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("error", models.TextField(blank=True)),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "frozen_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="bevroren op"),
                        ),
                        (
                            "as_of",
                            models.DateField(blank=True, null=True, verbose_name="peildatum"),
                        ),
                        (
                            "figures_use",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("all", "alle antwoorden"),
                                    ("approved", "alleen goedgekeurde antwoorden"),
                                ],
                                max_length=10,
                                verbose_name="cijfers op basis van",
                            ),
                        ),
                        ("figures", models.JSONField(blank=True, default=dict)),
                        ("milestones", models.JSONField(blank=True, default=dict)),
                        ("institutions", models.JSONField(blank=True, default=list)),
                        ("rate", models.JSONField(blank=True, default=dict)),
                        ("since", models.JSONField(blank=True, default=dict)),
                        (
                            "pdf",
                            models.FileField(blank=True, upload_to=reports.models._pack_file_path),
                        ),
                        (
                            "xlsx",
                            models.FileField(blank=True, upload_to=reports.models._pack_file_path),
                        ),
                        (
                            "previous",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="reports.assemblypack",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "round",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="assembly_pack",
                                to="rounds.round",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "vergaderstuk",
                        "verbose_name_plural": "vergaderstukken",
                        "db_table": "rounds_assemblypack",
                        "ordering": ["-round__assembly_on", "-id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("state__in", ["queued", "running", "done", "failed"])
                                ),
                                name="assemblypack_state_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("as_of__isnull", False),
                                        ("frozen_at__isnull", False),
                                        ("state", "done"),
                                        models.Q(("pdf", ""), _negated=True),
                                        models.Q(("xlsx", ""), _negated=True),
                                    ),
                                    models.Q(
                                        models.Q(("state", "done"), _negated=True),
                                        ("pdf", ""),
                                        ("xlsx", ""),
                                    ),
                                    _connector="OR",
                                ),
                                name="assemblypack_files_only_when_done",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to_reports, content_type_to_rounds),
    ]
