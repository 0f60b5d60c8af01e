"""Adding a scoring method or an output format is adding one record, and the record reaches every
place that needs it.

A toy scoring method, registered for the length of a test, is accepted by the contract's
validation, scores indicators in the engine, is explained step by step by `explain` and named on
statements; while it is registered, the check of docs/ fails and says what row to write. A toy
output format is accepted by `--format`, offered by its completion, and written for every provider
and the report. An unknown method or format is an error everywhere, never a default.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from engine_support import contract_yaml, indicator, load_text, monthly
from extension_docs import documentation_problems
from typer.testing import CliRunner

from obc_settle import scoring_methods
from obc_settle.audit.explain import explain_provider
from obc_settle.cli import app
from obc_settle.cli.settlement import _complete_format, _formats
from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.periods import SettlementPeriod
from obc_settle.render import document_formats, labels
from obc_settle.render.documents import Document, write_documents
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.scoring_methods import Levels, MethodDocs, Parameters, ScoringMethod, UnknownScoringMethod

RUN_ID = "0123456789abcdef"
PERIOD = "2025-26-Q3"


def halfway_score(levels: Levels) -> Fraction:
    return Fraction(1, 2) if levels.achieved >= levels.threshold else Fraction(0)


def halfway_steps(levels: Levels) -> list[str]:
    return [f"halfway: a = {levels.achieved} against T = {levels.threshold}: {halfway_score(levels)}"]


HALFWAY = ScoringMethod(
    name="halfway",
    label="halfway scoring (a toy)",
    parameters=Parameters(),
    score=halfway_score,
    explain=halfway_steps,
    docs=MethodDocs(
        score="1/2 at or beyond the threshold, else 0", levels="threshold", formula="`1/2` if `a ≥ T`"
    ),
)


def write_toy(view: object, path: Path) -> None:
    path.write_text(f"a toy document: {type(view).__name__}\n", encoding="utf-8")


TOY_FORMAT = document_formats.OutputFormat(
    name="toy",
    extension="txt",
    label="Toy text",
    help="a toy line of text",
    statement_writer=f"{__name__}:write_toy",
    report_writer=f"{__name__}:write_toy",
    render_seconds=0.0,
)


def halfway_contract_text() -> str:
    return contract_yaml(indicators=[indicator(threshold="0.6", target="0.8", scoring={"method": "halfway"})])


def halfway_contract() -> Contract:
    loaded, findings = load_text(halfway_contract_text())
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


ROWS = [("A", "i1", "2025-10", 65, 100), ("B", "i1", "2025-10", 65, 100), ("C", "i1", "2025-10", 65, 100)]


@pytest.fixture
def halfway() -> Iterator[ScoringMethod]:
    with scoring_methods.registered(HALFWAY) as method:
        yield method
    assert "halfway" not in scoring_methods.names()


def test_docs_list_exactly_the_registered_scoring_methods_and_output_formats() -> None:
    assert documentation_problems() == []


def test_a_registered_scoring_method_is_validated_scored_explained_and_labelled(
    halfway: ScoringMethod,
) -> None:
    contract = halfway_contract()
    ledger = settle(contract, monthly(ROWS), SettlementPeriod.parse(PERIOD))
    outcome = ledger.filter(ledger["line_type"] == "outcome").to_dicts()
    assert {(line["scoring_method"], line["score_exact"]) for line in outcome} == {("halfway", "0.5")}

    explained = explain_provider(ledger, contract, "A", "i1", None, RUN_ID)
    steps = explained["indicators"][0]["scoring"]["steps"]
    assert steps == ["halfway: a = 13/20 against T = 3/5: 1/2"]

    view = statement_view(ledger, "A", statement_context(contract, "A", RUN_ID))
    assert "halfway scoring (a toy)" in view.indicators[0].about
    assert labels.method("halfway") == "halfway scoring (a toy)"


def test_the_docs_check_fails_for_a_scoring_method_that_is_not_documented(halfway: ScoringMethod) -> None:
    problems = documentation_problems()
    assert problems, "an undocumented scoring method must fail the docs check"
    assert all("halfway" in problem for problem in problems)
    assert any(
        HALFWAY.docs.reference_row("halfway") in p and p.startswith("contract-reference.md") for p in problems
    )
    assert any(
        HALFWAY.docs.methodology_row("halfway") in p and p.startswith("methodology.md") for p in problems
    )
    assert any(p.startswith("outputs.md") for p in problems)


def test_an_unknown_scoring_method_in_a_contract_is_a_located_finding() -> None:
    text = halfway_contract_text()  # `halfway` is not registered here
    loaded, findings = load_text(text)
    assert loaded is None
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "method: halfway" in content)
    assert [(f.code, f.location.file, f.location.line) for f in findings] == [("C012", "contract.yaml", line)]
    assert "'halfway' is not one of 'linear', 'banded'" in findings[0].message


def test_an_unknown_scoring_method_is_an_error_in_the_engine_explain_and_statements() -> None:
    with scoring_methods.registered(HALFWAY):
        contract = halfway_contract()
        ledger = settle(contract, monthly(ROWS), SettlementPeriod.parse(PERIOD))
    with pytest.raises(UnknownScoringMethod, match="halfway"):
        settle(contract, monthly(ROWS), SettlementPeriod.parse(PERIOD))
    with pytest.raises(UnknownScoringMethod, match="halfway"):
        explain_provider(ledger, contract, "A", "i1", None, RUN_ID)
    with pytest.raises(UnknownScoringMethod, match="halfway"):
        statement_view(ledger, "A", statement_context(contract, "A", RUN_ID))


def test_the_parameters_of_a_method_are_the_contracts_rules() -> None:
    with scoring_methods.registered(
        ScoringMethod(
            "halfway", "halfway", Parameters(baseline="required"), halfway_score, halfway_steps, HALFWAY.docs
        )
    ):
        loaded, findings = load_text(halfway_contract_text())
    assert loaded is None
    assert [(f.code, f.message) for f in findings] == [
        ("C027", "halfway scoring needs the indicator's baseline")
    ]


def test_a_method_or_format_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        scoring_methods.register(scoring_methods.get("linear"))
    with pytest.raises(ValueError, match="already registered"):
        document_formats.register(document_formats.get("pdf"))


def test_hvbp_is_explained_point_by_point_and_labelled() -> None:
    hvbp = scoring_methods.get("hvbp")
    levels = Levels(Fraction(88, 100), Fraction(87, 100), Fraction(89, 100), Fraction(86, 100))
    assert hvbp.score(levels) == Fraction(6, 10)
    assert hvbp.explain(levels) == [
        "achievement points = 9 × (a − AT) / (BM − AT) + 0.5 (AT = T, BM = G) = 9 × (0.88 − 0.87) / (0.89 − 0.87) + 0.5 = 5, rounded half up to whole points and held to 1..9: 5",
        "improvement points = 10 × (a − B) / (BM − B) − 0.5 = 10 × (0.88 − 0.86) / (0.89 − 0.86) − 0.5 = 37/6 ≈ 6.1666666667, rounded half up to whole points and held to 0..9: 6",
        "hvbp = max(achievement, improvement) / 10 = max(5, 6) / 10 = 0.6",
    ]
    assert labels.method("hvbp") == "HVBP achievement or improvement points"


def test_every_registered_format_has_a_writer_for_statements_and_the_report() -> None:
    for output in document_formats.output_formats():
        assert callable(output.writer("statement")) and callable(output.writer("report"))


def test_a_registered_output_format_is_chosen_completed_and_written(tmp_path: Path) -> None:
    with scoring_methods.registered(HALFWAY):
        contract = halfway_contract()
        ledger = settle(contract, monthly(ROWS), SettlementPeriod.parse(PERIOD))
        with document_formats.registered(TOY_FORMAT):
            assert _formats(["toy,html"]) == ("html", "toy")
            assert ("html,toy", "a toy line of text") in _complete_format("html,t")
            assert "toy (a toy line of text)" in document_formats.format_help()
            written = write_documents(tmp_path, contract, ledger, RUN_ID, ("toy",))
            problems = documentation_problems()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "report/commissioner.txt",
        "statements/A.txt",
        "statements/B.txt",
        "statements/C.txt",
    ]
    assert (tmp_path / "statements" / "A.txt").read_text() == "a toy document: StatementView\n"
    assert (tmp_path / "report" / "commissioner.txt").read_text() == "a toy document: ReportView\n"
    assert any(p.startswith("outputs.md") and TOY_FORMAT.docs_row() in p for p in problems)
    assert any(p.startswith("cli.md") and "'toy'" in p for p in problems)
    assert "toy" not in document_formats.names()


def test_a_format_registered_at_run_time_is_rendered_by_a_process_that_never_registered_it(
    tmp_path: Path,
) -> None:
    """A render worker is a fresh process: the document it is handed carries its format's record,
    so a plug-in's format registered in the main process is written there too, not refused."""
    with scoring_methods.registered(HALFWAY):
        contract = halfway_contract()
        ledger = settle(contract, monthly(ROWS), SettlementPeriod.parse(PERIOD))
        view = statement_view(ledger, "A", statement_context(contract, "A", RUN_ID))
    document = Document("statement", TOY_FORMAT, view, tmp_path / "A.txt")
    (tmp_path / "document.pickle").write_bytes(pickle.dumps(document))
    script = (
        "import pickle, sys; from obc_settle.render.documents import render_document; "
        "from obc_settle.render import document_formats; assert 'toy' not in document_formats.names(); "
        "render_document(pickle.loads(open(sys.argv[1], 'rb').read()))"
    )
    tests_folder = str(Path(__file__).parent)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([tests_folder, *sys.path])}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "document.pickle")], check=True, env=environment
    )
    assert (tmp_path / "A.txt").read_text() == "a toy document: StatementView\n"


def test_an_unknown_output_format_is_a_usage_error() -> None:
    with pytest.raises(document_formats.UnknownOutputFormat, match="choose from html, pdf, xlsx"):
        document_formats.parse_formats(["pdf,toy"])
    with pytest.raises(document_formats.UnknownOutputFormat):
        document_formats.get("toy")
    result = CliRunner().invoke(app, ["run", "c.yaml", "--period", PERIOD, "--out", "o", "--format", "toy"])
    assert result.exit_code == 2
    assert "unknown format 'toy'" in result.stderr
