"""The assembly pack now belongs to the reports app (reports 0005 takes it over in Django's
state). Only the state changes: the table ``rounds_assemblypack`` and its rows stay where they
are, and the round's reverse relation keeps its name (``Round.assembly_pack``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0003_closing_day_is_sluitdatum"),
        ("reports", "0005_assemblypack_moves_from_rounds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="AssemblyPack")],
        ),
    ]
