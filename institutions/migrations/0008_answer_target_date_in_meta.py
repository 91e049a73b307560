"""The (target, applies_on) index of migration 0005 moves into Answer.Meta.indexes.

State only: 0005 built it (CONCURRENTLY on PostgreSQL) under the same name, so the database
has it already; from now on the model declares it, and a database built from the models (the
test suite's) has it too.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0007_identity_moves_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="answer",
                    index=models.Index(fields=["target", "applies_on"], name="answer_target_date"),
                ),
            ],
        ),
    ]
