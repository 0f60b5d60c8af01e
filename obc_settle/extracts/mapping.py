"""The mapping file: how an extract that is not in the schema's shape becomes one.

National data sets and providers' own returns have their own column names ("Practice code"),
their own codes (a QOF indicator code, an ODS code), their own month formats (`Oct-25`, `202510`,
a financial month number) and often a long shape, one row per measure (`MEASURE, VALUE` with
MEASURE one of NUMERATOR, DENOMINATOR). A small YAML file beside the data (`mapping.yaml` in the
`--data` folder) or named with `--mapping` says how to read them, so that the file received, not a
converted copy, is what is checked, settled, archived and verified.

The file is validated like a contract (pydantic, every problem located as `mapping.yaml:LINE:COL`),
and `obc-settle schema --mapping` prints its JSON Schema. docs/extracts.md has a worked example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, ValidationError, model_validator

from obc_settle.contract.fields import ContractYearName, Identifier, Model, Text
from obc_settle.contract.loader import model_findings
from obc_settle.contract.yaml_source import SourceMap, read_yaml
from obc_settle.errors import Diagnostic
from obc_settle.periods import APRIL, YearStart

SchemaColumn = Literal[
    "provider_id",
    "indicator_id",
    "period",
    "numerator",
    "denominator",
    "value_sum",
    "value_count",
    "patient_id",
    "in_denominator",
    "in_numerator",
    "excluded",
    "value",
]
"""The columns of the extract schemas (aggregated and record-level: docs/extracts.md)."""

MeasureColumn = Literal["numerator", "denominator", "value_sum", "value_count"]
CodedColumn = Literal["provider_id", "indicator_id"]
SourceName = Annotated[str, StringConstraints(min_length=1, max_length=200)]

PeriodFormat = Literal["YYYY-MM", "YYYY-MM-DD", "YYYYMM", "Mon-YY", "Month YYYY", "financial_month"]
PERIOD_FORMATS = (
    "How the source writes a month: 2025-10 (YYYY-MM); 2025-10-01 or an Excel date (YYYY-MM-DD); "
    "202510 (YYYYMM); Oct-25 (Mon-YY); October 2025 (Month YYYY); or the month of the financial year, "
    "1 for its first month to 12 for its last (financial_month, with financial_year): the year is the "
    "contract's, so 1 is April for April years and January for calendar years."
)


class LongShape(Model):
    """One row per measure: the measure's name in one column, its value in another."""

    measure_column: SourceName = Field(description="The source column naming the measure (e.g. MEASURE).")
    value_column: SourceName = Field(description="The source column holding its value (e.g. VALUE).")
    measures: dict[SourceName, MeasureColumn] = Field(
        min_length=1,
        description="Each measure name of the source that is used, and the schema column it becomes "
        "(NUMERATOR: numerator). Rows of other measures are left out (a warning lists them).",
    )


class ExtractMapping(Model):
    """How to read the extract files a mapping applies to."""

    mapping_version: Literal[1] = Field(description="Version of this mapping language: 1.")
    files: list[SourceName] | None = Field(
        default=None,
        description="Which files of the data folder it applies to, as globs relative to the folder "
        "(e.g. 'qof-*.csv'); default every extract file.",
    )
    sheet: SourceName | None = Field(
        default=None, description="Excel workbooks: the sheet to read (default the first)."
    )
    columns: dict[SourceName, SchemaColumn] = Field(
        default_factory=dict,
        description="Source column name -> schema column ('Practice code': provider_id). Columns not "
        "named keep their names.",
    )
    constants: dict[SchemaColumn, Text] = Field(
        default_factory=dict,
        description="Schema columns the source does not hold, with the one value they have in every "
        "row (an extract of one indicator: indicator_id: hba1c_control).",
    )
    period_format: PeriodFormat = Field(default="YYYY-MM", description=PERIOD_FORMATS)
    financial_year: ContractYearName | None = Field(
        default=None,
        description="With period_format financial_month: the contract year the month numbers are in, named as "
        "the contract names its years (2025-26 for April years, 2025 for calendar years).",
    )
    long: LongShape | None = Field(
        default=None, description="The long 'measure / value' shape, pivoted to the measure columns."
    )
    codes: dict[CodedColumn, dict[SourceName, Identifier]] = Field(
        default_factory=dict,
        description="Code lists: a source code -> the contract's id, per column (indicator_id: "
        "{DM036: hba1c_control}; provider_id: {F83004: WHIT}).",
    )
    unmapped_codes: Literal["refuse", "leave_out"] = Field(
        default="refuse",
        description="A source code not in the code list: refused (D038), or its rows left out with a "
        "warning (national data sets hold many indicators a contract does not use).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.period_format == "financial_month" and self.financial_year is None:
            raise ValueError("period_format financial_month needs financial_year (e.g. 2025-26)")
        named = list(self.columns.values())
        twice = sorted({column for column in named if named.count(column) > 1})
        if twice:
            raise ValueError(f"columns: two source columns become {', '.join(twice)}")
        both = sorted(set(named) & set(self.constants))
        if both:
            raise ValueError(f"{', '.join(both)} is both a mapped column and a constant: choose one")
        if self.long is not None:
            pivoted = sorted(set(self.long.measures.values()) & (set(named) | set(self.constants)))
            if pivoted:
                raise ValueError(
                    f"long.measures makes {', '.join(pivoted)}, which columns or constants also give"
                )
        return self


MAPPING_FILE_NAME = "mapping.yaml"
"""A mapping found beside the data: this file in the `--data` folder (or a single file's folder)."""


def load_mapping(path: Path, display_name: str | None = None) -> tuple[MappingInUse | None, list[Diagnostic]]:
    """Read and validate a mapping file, every problem located as `mapping.yaml:LINE:COL: CODE`
    (the contract's codes: C010 unknown key, C011 missing key, C012 wrong value)."""
    document, findings = read_yaml(path, display_name)
    if document is None:
        return None, findings
    try:
        mapping = ExtractMapping.model_validate(document.value)
    except ValidationError as error:
        return None, findings + model_findings(error, document.source_map, ExtractMapping)
    return MappingInUse(
        mapping, document.source_map, display_name or str(path), document.sha256, path
    ), findings


@dataclass(frozen=True)
class MappingInUse:
    """A loaded mapping, with where its keys stand (for findings), its name and its SHA-256."""

    mapping: ExtractMapping
    source_map: SourceMap
    name: str
    sha256: str
    path: Path
    """The file read (archived with the extracts)."""
    year_start: YearStart = field(default=APRIL)
    """The month the contract's years start in: `financial_month` 1 is that month. The mapping is
    read before any contract is known, so the reader sets this from the contract it reads the
    extracts for (`extracts convert`, which reads none, counts from April)."""
