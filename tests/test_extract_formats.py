"""Extracts as people send them: CSV and Excel twins of the sample extracts settle to the same
ledger and statements as the Parquet files, a QOF-style long CSV settles through a mapping, a
filled-in return workbook settles, and `verify` re-reads the very files received."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
SAMPLE = ROOT / "sample_data" / "diabetes-alliance"
PERIOD = "2025-26-Q3"
CODES = {
    "hba1c_control": "DM036",
    "eight_care_processes": "DM020",
    "foot_ulcer_admissions": "FT001",
    "confidence_score": "PROM1",
    "structured_education": "DM014",
}
ODS = {"WHIT": "RKE", "ISLGP": "Y03023", "HARGP": "Y03024", "DSN": "RAP"}


def run(data: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = [
        "run",
        str(CONTRACT),
        "--data",
        str(data),
        "--period",
        PERIOD,
        "--out",
        str(out),
        "--format",
        "html",
    ]
    result = runner.invoke(app, [*args, "--quiet", *extra])
    return result.exit_code, result.stderr


def verify(folder: Path) -> int:
    return runner.invoke(app, ["verify", str(folder)]).exit_code


def sample_frames() -> list[tuple[str, pl.DataFrame]]:
    return [(path.stem, pl.read_parquet(path)) for path in sorted(SAMPLE.glob("*.parquet"))]


@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parquet") / "out"
    code, stderr = run(SAMPLE, out)
    assert code == 0, stderr
    return out


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file of a run folder but the archive and the manifest, with the run id blanked."""
    run_id = json.loads((folder / "manifest.json").read_text())["run_id"]
    return {
        str(path.relative_to(folder)): path.read_bytes().replace(run_id.encode(), b"RUN")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not str(path.relative_to(folder)).startswith(("inputs", "manifest"))
    }


@pytest.mark.parametrize("form", ["csv", "csv.gz", "tsv", "xlsx"])
def test_csv_and_excel_twins_settle_to_the_same_ledger_and_statements(
    parquet_run: Path, tmp_path: Path, form: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for stem, frame in sample_frames():
        target = data / f"{stem}.{form}"
        if form == "xlsx":
            frame.write_excel(target, worksheet="Returns")
        elif form == "tsv":
            frame.write_csv(target, separator="\t")
        elif form == "csv.gz":
            import gzip

            target.write_bytes(gzip.compress(frame.write_csv().encode(), mtime=0))
        else:
            frame.write_csv(target)
    code, stderr = run(data, tmp_path / "out")
    assert code == 0, stderr
    assert outputs(tmp_path / "out") == outputs(parquet_run)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    extracts = [item for item in manifest["inputs"] if item["role"] == "extract"]
    assert {item["format"] for item in extracts} == {form.removesuffix(".gz")}
    assert all(item["path"].endswith(form) for item in extracts)
    assert verify(tmp_path / "out") == 0


def test_a_qof_style_long_csv_settles_through_its_mapping_and_verifies(
    parquet_run: Path, tmp_path: Path
) -> None:
    data = tmp_path / "qof"
    data.mkdir()
    frame = pl.concat([frame for _, frame in sample_frames()], how="diagonal_relaxed")
    long = (
        frame.unpivot(
            index=["provider_id", "indicator_id", "period"],
            on=["numerator", "denominator", "value_sum", "value_count"],
            variable_name="MEASURE",
            value_name="VALUE",
        )
        .drop_nulls("VALUE")
        .select(
            pl.col("provider_id").replace_strict(ODS).alias("ORG_CODE"),
            pl.col("indicator_id").replace_strict(CODES).alias("IND_CODE"),
            pl.col("period").str.to_date("%Y-%m").dt.strftime("%b-%y").alias("MONTH"),
            pl.col("MEASURE").str.to_uppercase(),
            pl.col("VALUE").cast(pl.String).str.replace(r"\.0$", ""),
        )
    )
    long.write_csv(data / "achievement.csv")
    mapping = {
        "mapping_version": 1,
        "columns": {"ORG_CODE": "provider_id", "IND_CODE": "indicator_id", "MONTH": "period"},
        "period_format": "Mon-YY",
        "long": {
            "measure_column": "MEASURE",
            "value_column": "VALUE",
            "measures": {m.upper(): m for m in ("numerator", "denominator", "value_sum", "value_count")},
        },
        "codes": {
            "indicator_id": {code: name for name, code in CODES.items()},
            "provider_id": {code: name for name, code in ODS.items()},
        },
    }
    elsewhere = tmp_path / "mappings" / "qof.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(json.dumps(mapping), encoding="utf-8")  # JSON is YAML
    code, stderr = run(data, tmp_path / "out", "--mapping", str(elsewhere))
    assert code == 0, stderr
    assert outputs(tmp_path / "out") == outputs(parquet_run)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    roles = {item["role"]: item for item in manifest["inputs"]}
    assert roles["mapping"]["path"] == "inputs/mapping/qof.yaml"
    assert roles["extract"]["mapping"] == "inputs/mapping/qof.yaml"
    assert verify(tmp_path / "out") == 0
    # The archived mapping is what verify reads: changing it is caught.
    archived = tmp_path / "out" / "inputs" / "mapping" / "qof.yaml"
    archived.write_text(archived.read_text().replace('"RKE": "WHIT"', '"RKE": "DSN"'), encoding="utf-8")
    assert verify(tmp_path / "out") == 4


def test_a_filled_in_return_workbook_settles_and_one_for_another_contract_is_refused(tmp_path: Path) -> None:
    workbook = tmp_path / "returns" / "2025-26-Q3.xlsx"
    workbook.parent.mkdir()
    made = runner.invoke(app, ["template", str(CONTRACT), "--period", PERIOD, "--out", str(workbook)])
    assert made.exit_code == 0, made.stderr
    values = pl.concat([frame for _, frame in sample_frames()], how="diagonal_relaxed")
    by_key = {(r["provider_id"], r["indicator_id"], r["period"]): r for r in values.iter_rows(named=True)}
    book = openpyxl.load_workbook(workbook)
    sheet = book["Returns"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        source = by_key[(row[0].value, row[1].value, row[2].value)]
        for position, name in enumerate(header[3:], start=3):
            if not row[position].protection.locked and source[name] is not None:
                row[position].value = source[name]
    book.save(workbook)
    earlier = tmp_path / "returns"
    for stem, frame in sample_frames():
        if stem != PERIOD:
            frame.write_parquet(earlier / f"{stem}.parquet")
    code, stderr = run(earlier, tmp_path / "out")
    assert code == 0, stderr
    assert verify(tmp_path / "out") == 0
    other = tmp_path / "other.yaml"
    other.write_text(CONTRACT.read_text().replace("id: ih-diabetes-alliance", "id: other-alliance", 1))
    result = runner.invoke(
        app,
        [
            "run",
            str(other),
            "--data",
            str(earlier),
            "--period",
            PERIOD,
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ],
    )
    assert result.exit_code == 3
    assert "D040 this return was made for contract 'ih-diabetes-alliance'" in result.stderr


def test_bad_cells_in_csv_and_excel_are_refused_by_line_and_cell(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    name, frame = sample_frames()[2]
    (data / f"{name}.parquet").unlink()
    text = frame.write_csv().splitlines()
    cells = text[5].split(",")
    cells[3] = "n/a"
    text[5] = ",".join(cells)
    (data / f"{name}.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    code, stderr = run(data, tmp_path / "out")
    assert code == 3
    assert f"{name}.csv:6:4: D035 column numerator: 1 cell not a number ('n/a')" in stderr
    assert not (tmp_path / "out").exists()


def test_extracts_convert_writes_parquet_that_settles_the_same(parquet_run: Path, tmp_path: Path) -> None:
    data = tmp_path / "csv"
    data.mkdir()
    for stem, frame in sample_frames():
        frame.write_csv(data / f"{stem}.csv")
    result = runner.invoke(app, ["extracts", "convert", str(data), "--out", str(tmp_path / "parquet")])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "parquet").iterdir()) == [
        f"{stem}.parquet" for stem, _ in sample_frames()
    ]
    code, stderr = run(tmp_path / "parquet", tmp_path / "out")
    assert code == 0, stderr
    assert outputs(tmp_path / "out") == outputs(parquet_run)
    again = runner.invoke(app, ["extracts", "convert", str(data), "--out", str(tmp_path / "parquet")])
    assert again.exit_code == 5
    assert "O001 the file exists" in again.stderr
    (data / "bad.csv").write_text(
        "provider_id,indicator_id,period,numerator\nWHIT,x,2025-10,many\n", encoding="utf-8"
    )
    bad = runner.invoke(app, ["extracts", "convert", str(data), "--out", str(tmp_path / "other"), "--force"])
    assert bad.exit_code == 3
    assert "bad.csv:2:4: D035 column numerator: 1 cell not a number ('many')" in bad.stderr
    assert not (tmp_path / "other").exists()
