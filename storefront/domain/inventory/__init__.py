"""Stock: the one way it changes (a conditional update and a ledger row), availability, levels."""
