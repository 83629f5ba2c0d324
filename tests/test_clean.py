"""The clean-up stage: what real prose carries in that must never reach a card."""

from __future__ import annotations

from recall.author.clean import clean_line, clean_lines, date_line
from recall.author.lesson import parse


def test_citation_markers_and_wiki_italics_are_stripped() -> None:
    line = "The Lok Sabha ''House of the People'' has 543 seats.[4][12] It meets[citation needed]."
    assert clean_line(line) == "The Lok Sabha House of the People has 543 seats. It meets."


def test_native_script_parentheticals_and_runs_are_dropped() -> None:
    assert clean_line("Hampi (Kannada: ಹಂಪೆ) is a village.") == "Hampi is a village."
    assert clean_line("Ellora(Marathi: वेरूळ)is a site.") == "Ellora is a site."
    assert clean_line("The body (ISO: Bhārata Nirvācana Āyoga) is old.") == "The body is old."
    assert clean_line("Sun Temple, Odisha ସୂର୍ଯ୍ୟ ମନ୍ଦିର |") == "Sun Temple, Odisha"
    # a Latin-script gloss that is not a pronunciation stays
    assert (
        clean_line("called the Black Pagoda (Kala Pagoda)")
        == "called the Black Pagoda (Kala Pagoda)"
    )


def test_glued_sentences_are_split_and_units_normalised() -> None:
    assert clean_line("is the auditor of the Lokpal.The reports") == (
        "is the auditor of the Lokpal. The reports"
    )
    assert clean_line("spread over 20 square kilometres and 5 hectares") == (
        "spread over 20 km² and 5 ha"
    )


def test_date_lines_in_several_shapes() -> None:
    assert date_line("12-September-2012 16:33 IST") == "2012-09-12"
    assert date_line("02 FEB 2024 6:48PM") == "2024-02-02"
    assert date_line("March 3, 2021") == "2021-03-03"
    assert date_line("The treaty of March 3, 2021 was signed.") is None


def test_line_count_is_kept_and_junk_lines_become_blank() -> None:
    lines = [
        "Title",
        "![logo](https://example.org/a.png)",
        "Type | Cultural |",
        "Satellite: Terra",
        "Date Acquired: 11/18/2021",
        "Resolution: 1km",
        "A real sentence stays here.",
    ]
    out = clean_lines(lines).lines
    assert len(out) == len(lines)
    assert out[1:6] == ["", "", "", "", ""]
    assert out[6] == "A real sentence stays here."


def test_a_stray_heading_is_not_glued_onto_the_next_sentence() -> None:
    text = (
        "Hampi Monuments\n\nHampi was the capital of the Vijayanagara Empire in the 14th "
        "century.\n\nHistory\nThe city was sacked in 1565 after the battle of Talikota.\n"
    )
    items = [i.text for s in parse(text).sections for i in s.items]
    assert "The city was sacked in 1565 after the battle of Talikota." in items
    assert not any(i.startswith("History") for i in items)


def test_a_pdf_copy_with_broken_lines_keeps_its_sentences_and_lines() -> None:
    text = (
        "Finance Commission\n\nThe Finance Commission is a constitutional body set up under\n\n"
        "Article 280 of the Constitution. It is consti-\ntuted every five years by the "
        "President.\n"
    )
    lesson = parse(text)
    items = [(i.line, i.text) for s in lesson.sections for i in s.items]
    assert items[0] == (
        3,
        "The Finance Commission is a constitutional body set up under Article 280 of the "
        "Constitution.",
    )
    assert items[1][1] == "It is constituted every five years by the President."
