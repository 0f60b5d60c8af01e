"""Every kind of ledger line has a human name wherever it is shown: no document prints a raw
line type such as `paid_on_account` beside the labels (issue 14)."""

from __future__ import annotations

from obc_settle.ledger.schema import COMMISSIONER_LINE_TYPES, LineType
from obc_settle.render import labels


def test_every_line_type_has_a_label_in_the_workbooks_and_the_report() -> None:
    assert {str(t) for t in LineType} <= set(labels.LINE_LABELS)


def test_every_line_type_a_provider_can_have_has_a_statement_label() -> None:
    assert {str(t) for t in LineType if t not in COMMISSIONER_LINE_TYPES} <= set(labels.STATEMENT_LABELS)


def test_no_label_is_a_raw_identifier() -> None:
    for label in [*labels.LINE_LABELS.values(), *labels.STATEMENT_LABELS.values()]:
        assert "_" not in label and label[:1].isupper(), label
