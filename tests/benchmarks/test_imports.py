"""The import benchmark at a tiny size: it runs the real import and leaves nothing behind."""

from benchmarks import data, imports
from institutions.models import Answer, AnswerSlot


def test_the_import_is_timed_per_step_and_rolled_back(db, capsys):
    imports.main(["--rows", "50"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("50 rows (")
    assert [line.split()[0] for line in lines[1:]] == ["parse", "validate", "save", "total"]
    assert not data.generated_institutions().exists()
    assert not Answer.objects.exists()
    assert not AnswerSlot.objects.exists()
