"""The audit log, API keys and language preferences move here from ``institutions``.

The tables stay as they are: this migration only tells Django's state that accounts owns them
(institutions 0007 forgets them the same way); 0002 gives them accounts' names. No row is
copied, so none can be lost.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("institutions", "0006_languagepreference"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
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
                        ("prefix", models.CharField(db_index=True, max_length=8)),
                        ("digest", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_token",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "institutions_apitoken",
                        "verbose_name": "API-sleutel",
                        "verbose_name_plural": "API-sleutels",
                    },
                ),
                migrations.CreateModel(
                    name="LanguagePreference",
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
                            "language",
                            models.CharField(
                                choices=[("nl", "Nederlands"), ("en", "English")],
                                max_length=10,
                                verbose_name="taal",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="language_preference",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "institutions_languagepreference",
                        "verbose_name": "voorkeurstaal",
                        "verbose_name_plural": "voorkeurstalen",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
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
                            "occurred_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="tijdstip",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("login", "ingelogd"),
                                    ("login_failed", "inloggen mislukt"),
                                    ("lockout", "tijdelijk geblokkeerd"),
                                    ("logout", "uitgelogd"),
                                    ("password_changed", "wachtwoord gewijzigd"),
                                    ("password_reset", "wachtwoord opnieuw ingesteld"),
                                    ("role_changed", "rol gewijzigd"),
                                    ("export", "export"),
                                    ("import", "import"),
                                    ("api_token_created", "API-token aangemaakt"),
                                    ("round_reopened", "ronde heropend"),
                                    ("round_reclosed", "heropening gesloten"),
                                ],
                                max_length=20,
                                verbose_name="soort",
                            ),
                        ),
                        (
                            "actor_label",
                            models.CharField(
                                blank=True, max_length=254, verbose_name="e-mailadres"
                            ),
                        ),
                        (
                            "institution_code",
                            models.CharField(blank=True, max_length=4, verbose_name="BRIN-code"),
                        ),
                        (
                            "ip_address",
                            models.GenericIPAddressField(
                                blank=True, null=True, verbose_name="IP-adres"
                            ),
                        ),
                        (
                            "detail",
                            models.CharField(blank=True, max_length=500, verbose_name="details"),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="persoon",
                            ),
                        ),
                        (
                            "institution",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="institutions.institution",
                                verbose_name="instelling",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "institutions_auditevent",
                        "verbose_name": "auditgebeurtenis",
                        "verbose_name_plural": "auditlog",
                        "ordering": ["-occurred_at", "-id"],
                        "indexes": [
                            models.Index(
                                models.F("kind"),
                                models.OrderBy(models.F("occurred_at"), descending=True),
                                name="auditevent_kind_occurred",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "kind__in",
                                        [
                                            "login",
                                            "login_failed",
                                            "lockout",
                                            "logout",
                                            "password_changed",
                                            "password_reset",
                                            "role_changed",
                                            "export",
                                            "import",
                                            "api_token_created",
                                            "round_reopened",
                                            "round_reclosed",
                                        ],
                                    )
                                ),
                                name="auditevent_kind_valid",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
