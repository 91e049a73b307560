"""The rounds' fixtures (tests/rounds/conftest.py) for the assembly pack's tests: an open and a
closed round around today, both asking for two targets."""

from tests.rounds.conftest import closed_round, nba, open_round, wallet

__all__ = ["closed_round", "nba", "open_round", "wallet"]
