"""`obc-settle contract show` on a terminal: one row per indicator, then the quantities.

Every cell is plain text (rich `Text`), so ids and names are never read as markup or emoji codes.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from obc_settle.render.contract_view import ContractView, IndicatorView


def contract_tables(view: ContractView) -> Group:
    title = Text(
        f"{view.contract_name} ({view.contract_id}, version {view.version}), contract year {view.contract_year}\n"
        f"Every extract row has {', '.join(view.key_columns)}."
    )
    indicators = Table(title=title, title_justify="left", show_lines=False)
    for heading, justify in (
        ("indicator", "left"),
        ("domain", "left"),
        ("kind", "left"),
        ("columns (aggregated)", "left"),
        ("unit", "left"),
        ("window", "left"),
        ("weight", "right"),
        ("threshold", "right"),
        ("target", "right"),
        ("scoring", "left"),
    ):
        indicators.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for row in view.indicators:
        indicators.add_row(
            *(
                Text(cell)
                for cell in (
                    f"{row.id}\n{row.name}",
                    row.domain,
                    f"{row.kind}, {row.direction}",
                    ", ".join(row.aggregated_columns),
                    row.unit,
                    row.window,
                    _weight(row),
                    row.threshold,
                    row.target,
                    row.scoring,
                )
            )
        )
    parts: list[Table | Text] = [indicators]
    if view.quantities:
        quantities = Table(title=Text("Quantities (extract ids the money depends on)"), title_justify="left")
        for heading in ("id", "used for", "columns (aggregated)"):
            quantities.add_column(heading)
        for quantity in view.quantities:
            quantities.add_row(
                Text(quantity.id), Text(quantity.used_for), Text(", ".join(quantity.aggregated_columns))
            )
        parts.append(quantities)
    parts.append(
        Text(
            "Record-level extracts carry patient_id, in_denominator, in_numerator (and value for a mean) "
            "instead of the aggregated columns: docs/extracts.md."
        )
    )
    return Group(*parts)


def _weight(row: IndicatorView) -> str:
    """The weight, or for an indicator that states its money the money and its share of the pool."""
    if not row.value:
        return row.weight
    return f"{row.value}\n({row.weight} of the pool)"
