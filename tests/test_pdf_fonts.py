"""Welsh, Greek and Cyrillic names in the PDFs, in a font embedded in them (issue 14).

A copy of the diabetes alliance's contract has its providers and indicators renamed in Welsh
(ŵ, ŷ), Greek and Cyrillic, and is settled on the sample extracts. Its PDFs must show those
names exactly (the text poppler reads back), in DejaVu Sans Condensed embedded as a subset (a
FontFile2 much smaller than the TrueType file, no standard-14 Helvetica named), the same bytes in
two processes. A name in a script the font lacks (Chinese) or cannot lay out (Hebrew) refuses the
PDF with O002 naming the text and the characters; the HTML statement still shows it.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import NamedTuple

import pytest
from page_checks import NEEDS_POPPLER
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.engine import settle
from obc_settle.errors import ExitCode
from obc_settle.extracts import read_extracts
from obc_settle.periods import SettlementPeriod
from obc_settle.render import pdf_fonts
from obc_settle.render.documents import write_documents
from obc_settle.render.pdf_fonts import FONTS_FOLDER, UnprintableText

pytestmark = pytest.mark.pdf

SAMPLE = "diabetes-alliance"
PERIOD = "2025-26-Q3"
RUN_ID = "0123456789abcdef"
WELSH = "Bwrdd Iechyd Prifysgol Hywel Dda — Gwasanaethau ŵyr a ŷd"
GREEK = "Γενικό Νοσοκομείο «Ευαγγελισμός»"
CYRILLIC = "Городская клиническая больница № 1"
NAMES = {  # the sample contract's names, as written in it -> the names of the test contract
    "Whittington Health NHS Trust": WELSH,
    "Islington GP Federation": GREEK,
    "Haringey GP Federation": CYRILLIC,
    "HbA1c at or below 58 mmol/mol": "Gofal traed — ŵyr ŷd (HbA1c)",
    "Eight care processes completed": "Οκτώ διαδικασίες φροντίδας",
    "Patient-reported confidence to self-manage (survey score 0 to 10)": "Уверенность пациентов в самоконтроле",
}


def renamed_contract(folder: Path, names: dict[str, str]) -> Path:
    """The sample contract with `names` (old -> new) replaced, written into `folder`."""
    text = (ROOT / "contracts" / f"{SAMPLE}.yaml").read_text(encoding="utf-8")
    for old, new in names.items():
        assert f"name: {old}\n" in text, old
        text = text.replace(f"name: {old}\n", f'name: "{new}"\n')
    path = folder / f"{SAMPLE}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def write_renamed(folder: Path, names: dict[str, str], formats: tuple[str, ...]) -> Path:
    """Settle the renamed contract on the sample extracts and write its documents in `formats`."""
    loaded, findings = load_contract(renamed_contract(folder, names))
    assert loaded is not None, [f.render() for f in findings]
    extracts, findings = read_extracts(ROOT / "sample_data" / SAMPLE, loaded.contract)
    assert extracts is not None, [f.render() for f in findings]
    ledger = settle(loaded.contract, extracts.monthly, SettlementPeriod.parse(PERIOD))
    out = folder / "documents"
    out.mkdir()
    write_documents(out, loaded.contract, ledger, RUN_ID, formats)
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_renamed(tmp_path_factory.mktemp("scripts"), NAMES, ("html", "pdf"))


def pdf_text(path: Path) -> str:
    """The PDF's text as poppler reads it, white space runs made one space (lines wrap names)."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


class EmbeddedFont(NamedTuple):
    name: str
    """The font's BaseFont name: a subset's is six capitals, "+", the font's name."""
    file: int | None
    """The size of its font file (FontFile2), decompressed; None when not embedded."""
    length1: int | None
    """The size the font file's dictionary declares (Length1)."""


def fonts_of(path: Path) -> list[EmbeddedFont]:
    """Each font described in the PDF (its font descriptors)."""
    data = path.read_bytes()
    objects = {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\n(.*?)\nendobj", data, re.DOTALL)
    }
    fonts = []
    for body in objects.values():
        if not re.search(rb"/Type /FontDescriptor\b", body):
            continue
        name = re.search(rb"/FontName /(\S+)", body)
        file = re.search(rb"/FontFile2 (\d+) 0 R", body)
        size = declared = None
        if file:
            stream = objects[int(file.group(1))]
            length1 = re.search(rb"/Length1 (\d+)", stream)
            raw = stream[stream.index(b"stream\n") + 7 : stream.rindex(b"endstream")]
            size = len(zlib.decompress(raw))
            declared = int(length1.group(1)) if length1 else None
        fonts.append(EmbeddedFont(name.group(1).decode() if name else "", size, declared))
    return fonts


@NEEDS_POPPLER
def test_welsh_greek_and_cyrillic_names_are_shown_exactly(documents: Path) -> None:
    statement = pdf_text(documents / "statements" / "WHIT.pdf")
    assert WELSH in statement
    assert "Gofal traed — ŵyr ŷd (HbA1c)" in statement
    assert "Οκτώ διαδικασίες φροντίδας" in statement
    assert "Уверенность пациентов в самоконтроле" in statement
    assert GREEK in pdf_text(documents / "statements" / "ISLGP.pdf")
    report = pdf_text(documents / "report" / "commissioner.pdf")
    for name in (WELSH, GREEK, CYRILLIC):
        assert name in report


def test_the_font_is_embedded_as_a_subset_and_no_standard_font_is_named(documents: Path) -> None:
    whole = {
        "DejaVuSansCondensed": (FONTS_FOLDER / "DejaVuSansCondensed.ttf").stat().st_size,
        "DejaVuSansCondensed-Bold": (FONTS_FOLDER / "DejaVuSansCondensed-Bold.ttf").stat().st_size,
    }
    for path in (documents / "statements" / "WHIT.pdf", documents / "report" / "commissioner.pdf"):
        data = path.read_bytes()
        assert b"Helvetica" not in data and b"/Type1" not in data, path.name
        fonts = fonts_of(path)
        assert {font.name.partition("+")[2] for font in fonts} == set(whole), fonts
        for font in fonts:
            assert re.fullmatch(r"[A-Z]{6}\+DejaVuSansCondensed(-Bold)?", font.name), font
            assert font.file is not None, f"{font.name} is not embedded"
            assert font.file == font.length1
            full = whole[font.name.partition("+")[2]]
            assert font.file < full / 10, f"{font.name}: {font.file} bytes of {full}: not a subset"


def test_the_html_statement_names_fonts_that_cover_these_scripts(documents: Path) -> None:
    page = (documents / "statements" / "WHIT.html").read_text(encoding="utf-8")
    assert WELSH in page or WELSH.replace("—", "&mdash;") in page
    family = re.search(r"body \{[^}]*font-family: ([^;]+);", page)
    assert family is not None
    assert '"Noto Sans", "DejaVu Sans"' in family.group(1) and family.group(1).endswith("sans-serif")


def test_the_same_pdf_whatever_was_rendered_before_in_the_process(documents: Path, tmp_path: Path) -> None:
    """A font's subsets are kept per document: rendering another document first changes nothing."""
    (tmp_path / "other").mkdir()
    other = write_renamed(
        tmp_path / "other", {"Diabetes Support Network (voluntary sector)": "Ŵ Ŷ ŵ ŷ — Ωμέγα Я"}, ("pdf",)
    )
    assert (other / "statements" / "DSN.pdf").read_bytes() != (
        documents / "statements" / "DSN.pdf"
    ).read_bytes()
    (tmp_path / "again").mkdir()
    again = write_renamed(tmp_path / "again", NAMES, ("pdf",))
    for name in ("statements/WHIT.pdf", "statements/HARGP.pdf", "report/commissioner.pdf"):
        assert (again / name).read_bytes() == (documents / name).read_bytes(), name


@pytest.mark.slow
def test_two_runs_in_separate_processes_write_the_same_pdf_bytes(tmp_path: Path) -> None:
    contract = renamed_contract(tmp_path, NAMES)
    outputs = []
    for index in (1, 2):
        out = tmp_path / f"run{index}"
        command = [sys.executable, "-m", "obc_settle", "run", str(contract)]
        command += ["--data", str(ROOT / "sample_data" / SAMPLE), "--period", PERIOD, "--out", str(out)]
        command += ["--format", "pdf", "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(out)
    pdfs = sorted(p.relative_to(outputs[0]) for p in outputs[0].rglob("*.pdf"))
    assert len(pdfs) == 5
    for name in pdfs:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


@pytest.mark.parametrize(
    ("name", "characters"),
    [
        (
            "北京协和医院 Trust",
            [
                "北 (U+5317)",
                "京 (U+4EAC)",
                "协 (U+534F)",
                "和 (U+548C)",
                "医 (U+533B)",
                "院 (U+9662)",
                "DejaVu Sans Condensed, has no such letters",
            ],
        ),
        ("מרכז רפואי", ["מ (U+05DE)", "ר (U+05E8)", "right-to-left"]),
    ],
    ids=["chinese: not in the font", "hebrew: right to left"],
)
def test_a_name_the_font_cannot_show_refuses_the_pdf_and_names_it(
    tmp_path: Path, name: str, characters: list[str]
) -> None:
    names = {"Whittington Health NHS Trust": name}
    with pytest.raises(UnprintableText) as refused:
        write_renamed(tmp_path, names, ("pdf",))
    error = refused.value
    assert error.exit_code is ExitCode.OUTPUT_ERROR
    assert {d.code for d in error.diagnostics} == {"O002"}
    assert {d.location.file for d in error.diagnostics} <= {"statements/WHIT.pdf", "report/commissioner.pdf"}
    first = error.diagnostics[0]
    assert first.location.file == "statements/WHIT.pdf"
    assert name in first.message
    for character in characters:
        assert character in first.message
    assert "(U+0054" not in first.message  # only the characters it cannot show are named ("T" is shown)
    assert not (tmp_path / "documents" / "statements" / "WHIT.pdf").exists()
    # a worker process's refusal reaches the main process whole
    assert pickle.loads(pickle.dumps(error)).diagnostics == error.diagnostics


def test_the_html_and_excel_documents_are_still_written_for_such_a_name(tmp_path: Path) -> None:
    out = write_renamed(tmp_path, {"Whittington Health NHS Trust": "北京协和医院"}, ("html", "xlsx"))
    assert "北京协和医院" in (out / "statements" / "WHIT.html").read_text(encoding="utf-8")


def test_run_refuses_with_exit_status_5_and_writes_no_folder(tmp_path: Path) -> None:
    contract = renamed_contract(tmp_path, {"Haringey GP Federation": "東京 GP"})
    out = tmp_path / "run"
    command = [sys.executable, "-m", "obc_settle", "run", str(contract), "--data"]
    command += [str(ROOT / "sample_data" / SAMPLE), "--period", PERIOD, "--out", str(out), "--format", "pdf"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == ExitCode.OUTPUT_ERROR, done.stderr
    assert "statements/HARGP.pdf: O002" in done.stderr
    assert "東 (U+6771), 京 (U+4EAC)" in done.stderr and "東京 GP" in done.stderr
    assert "nothing was written" in done.stderr
    assert not out.exists()


def test_what_the_pdf_can_show() -> None:
    shown = pdf_fonts.FONTS[pdf_fonts.FONT].shown
    assert set("ŵŷŴŶ âêîôûŵŷ ÀÉÎÕÜ ąęłńśźż αβγΩ ЖЯжяЁё ІЇЄҐ £€−–—…·•≤≥×÷\xa0") <= shown
    assert not set("北京") & shown  # Chinese: not in the font
    assert not set("אב") & shown and not set("اب") & shown  # Hebrew, Arabic: right to left


def test_the_fonts_and_their_licence_are_part_of_the_package() -> None:
    """Loaded from the package (installed with it: hatch ships every file under obc_settle/), never
    from the machine's fonts, and the licence travels beside them."""
    import obc_settle

    assert FONTS_FOLDER.parent.parent == Path(obc_settle.__file__).parent
    for font in pdf_fonts.FONTS.values():
        assert Path(font.face.filename).parent == FONTS_FOLDER
    licence = (FONTS_FOLDER / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_a_letter_typed_with_a_combining_accent_is_one_letter_in_every_document(tmp_path: Path) -> None:
    """Typed as w + U+0302 (a combining circumflex), ŵ was drawn as two glyphs side by side; the
    contract's names are composed (NFC) as they are read, so it is the one letter everywhere."""
    decomposed = "Gwasanaethau Iechyd Dw\u0302r"
    loaded, findings = load_contract(renamed_contract(tmp_path, {"Whittington Health NHS Trust": decomposed}))
    assert loaded is not None, [f.render() for f in findings]
    names = [provider.name for provider in loaded.contract.providers]
    assert "Gwasanaethau Iechyd Dŵr" in names and decomposed not in names
