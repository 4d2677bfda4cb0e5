"""Reading PDFs (crawler/parse/pdf.py) in the bounded parse worker: a real PDF printed by
Chromium (tests/data/pages/PROVENANCE.md) gives its title, language, date and the same
words pypdf reads from it raw; only the first pages of a long one are read; a locked
PDF, a scan and a broken file are told as such; a small file that keeps pypdf busy is
stopped at its time and the worker reads the next."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

from rabkor.core.text.html import plain_text
from rabkor.crawler.parse.pdf import MAX_PAGES, PdfError, read_pdf
from rabkor.crawler.parse.pool import ParsePool

PDFS = Path(__file__).parent.parent / "data" / "pages" / "pdf"
LEMONDE = (PDFS / "lemonde-1.pdf").read_bytes()
SCAN = (PDFS / "lemonde-1-scan.pdf").read_bytes()
TITLE = "Le projet de loi sur le renseignement massivement approuvé à l'Assemblée"


def written(body: bytes, change) -> bytes:
    """`body` rewritten by pypdf after `change(writer)`."""
    writer = PdfWriter(clone_from=io.BytesIO(body))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def busy_pdf(operations: int) -> bytes:
    """A one-page PDF of a few kilobytes whose text is `operations` show-text operators
    compressed (about 30 µs of pypdf each: 1,000,000 is half a minute)."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 700 Td " + b"(word) Tj " * operations + b"ET")
    page.replace_contents(stream.flate_encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_real_pdf_gives_its_metadata_and_the_words_pypdf_reads_raw():
    found = read_pdf(LEMONDE)
    assert (found.title, found.language, found.pages, found.author) == (TITLE, "fr", 3, None)
    assert found.published_at.isoformat() == "2026-12-02T20:02:09+00:00"  # /CreationDate
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(LEMONDE)).pages)
    assert len(raw.split()) == 1551  # as poppler's pdftotext 22.12 reads them too
    assert [*TITLE.split(), *plain_text(found.content).split()] == raw.split()
    assert found.content.startswith("<p>") and found.content.count("<p>") > 10
    assert "<p>Revivez le direct du vote à l’Assemblée avec vos questions.</p>" in \
        found.content  # a short line that ends a sentence ends its paragraph


def test_the_author_and_a_placeholder_title():
    found = read_pdf(written(LEMONDE, lambda w: w.add_metadata(
        {"/Author": "Le Monde.fr", "/Title": "about:blank"})))
    assert found.author == "Le Monde.fr"
    assert found.title == "Le projet de loi sur le renseignement massivement"  # line 1
    assert found.content.startswith("<p>Le projet de loi")  # a first line, not a title


def cyclic(writer) -> None:
    """The page tree made its own child."""
    pages = writer._root_object["/Pages"]
    pages[NameObject("/Kids")] = ArrayObject([writer._root_object.raw_get("/Pages"),
                                              *pages["/Kids"]])


def test_only_the_first_pages_of_a_long_pdf_are_read():
    def long(writer):
        for _ in range(MAX_PAGES):
            writer.append(io.BytesIO(LEMONDE))

    found = read_pdf(written(LEMONDE, long))
    assert found.pages == 3 * (MAX_PAGES + 1)
    assert found.content.count("Revivez le direct") == MAX_PAGES // 3 + 1  # pages 1–50


@pytest.mark.parametrize(("body", "reason"), [
    (written(LEMONDE, lambda w: w.encrypt("secret", algorithm="AES-256")),
     "the PDF is locked with a password"),
    (SCAN, "the PDF has no text layer (a scan?)"),
    (b"%PDF-1.4\n" + bytes(2000), "not a PDF that can be read (PdfStreamError"),
    (b"", "not a PDF that can be read (EmptyFileError"),
    (written(LEMONDE, cyclic), "not a PDF that can be read (PdfReadError: Detected cyclic"),
])
def test_pdfs_without_text_say_why(body, reason):
    with pytest.raises(PdfError) as refused:
        read_pdf(body)
    assert str(refused.value).startswith(reason)


def test_a_pdf_locked_only_against_changes_is_read():
    locked = written(LEMONDE, lambda w: w.encrypt("", owner_password="owner",
                                                  algorithm="AES-256"))
    assert PdfReader(io.BytesIO(locked)).is_encrypted
    assert read_pdf(locked).title == TITLE


def test_a_pdf_that_keeps_the_reader_busy_is_stopped_and_the_worker_reads_the_next():
    body = busy_pdf(1_000_000)
    assert len(body) < 50_000
    pool = ParsePool(1, seconds=2)
    try:
        with pytest.raises(PdfError, match="reading the PDF took more than 2 s"):
            pool.read(read_pdf, body, error=PdfError, what="the PDF")
        assert pool.read(read_pdf, LEMONDE, error=PdfError, what="the PDF").title == TITLE
    finally:
        pool.close()
