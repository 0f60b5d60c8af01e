"""The settlement ledger: one table, a row per party and line, carrying its derivation.

Every report (CSV, Parquet, JSON summary, statements, terminal tables) is a view of this table;
nothing recomputes money elsewhere.
"""

from obc_settle.ledger.schema import COMMISSIONER, LEDGER_SCHEMA, LineKind, LineType
from obc_settle.ledger.views import PartyTotals, party_totals, provider_line_totals, settlement_totals

__all__ = [
    "COMMISSIONER",
    "LEDGER_SCHEMA",
    "LineKind",
    "LineType",
    "PartyTotals",
    "party_totals",
    "provider_line_totals",
    "settlement_totals",
]
