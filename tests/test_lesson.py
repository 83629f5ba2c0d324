"""Lesson parsing: the shipped shape, its Markdown/CRLF/BOM variants, and plain prose."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recall.author.lesson import Lesson, parse
from recall.author.sentences import split_sentences
from tests.conftest import LESSONS, SHIPPED


def shipped() -> Lesson:
    return parse(SHIPPED.read_text(encoding="utf-8"), "lesson.txt")


def as_markdown(text: str) -> str:
    """The shipped lesson rewritten as Markdown: # title, ## headings, - bullets, **labels**."""
    out = []
    headings = {
        "Why in News?", "What is the Concept / Issue?", "Why is this Issue Important?",
        "Key Sectors / Dimensions Involved", "What are the Challenges?", "UPSC Relevance",
        "Prelims Focus:", "Mains Angle:", "How UPSC May Ask This Topic:", "What is the Way Forward?",
    }  # fmt: skip
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("India-U.S. Critical"):
            out.append(f"# {s}")
        elif s in headings:
            out.append(f"## {s.rstrip(':')}")
        elif s.startswith("•"):
            label, _, body = s[1:].strip().partition(": ")
            out.append(f"- **{label}:** {body}" if body else f"- {label}")
        else:
            out.append(line)
    return "\n".join(out)


def kinds(lesson: Lesson) -> list[str]:
    return [s.kind for s in lesson.sections]


def test_shipped_lesson_has_title_category_date_and_every_section() -> None:
    lesson = shipped()
    assert lesson.title == "India-U.S. Critical Minerals Diplomacy & Supply Chain Resilience"
    assert lesson.title_line == 4
    assert lesson.category == "International Relations"
    assert lesson.date == "2026-02-02"
    assert kinds(lesson) == [
        "direct-answer", "why-in-news", "concept", "importance", "dimensions",
        "challenges", "upsc-relevance", "prelims", "mains", "how-asked", "way-forward",
    ]  # fmt: skip


def test_items_keep_their_line_numbers() -> None:
    lesson = shipped()
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    for section in lesson.sections:
        for item in section.items:
            # The item's first words stand on the line it names.
            assert item.text.split()[0].strip("'") in lines[item.line - 1].replace("’", "'")
    importance = lesson.section("importance")
    assert importance is not None
    assert [(i.line, i.text.split(":")[0]) for i in importance.items] == [
        (22, "Strategic"), (23, "Economic"), (24, "Geopolitical/Social"),
    ]  # fmt: skip


def test_page_chrome_is_ignored() -> None:
    text = " ".join(i.text for s in shipped().sections for i in s.items)
    for chrome in ("Instructor", "AI News Desk", "Lesson Complete", "Class Discussion", "Sign in"):
        assert chrome not in text


def test_direct_answer_is_split_into_sentences_without_breaking_us() -> None:
    direct = shipped().section("direct-answer")
    assert direct is not None
    assert len(direct.items) == 2
    assert direct.items[0].text.startswith(
        "Critical minerals diplomacy between India and the U.S. strategically"
    )


def test_markdown_crlf_and_bom_variants_parse_like_the_original() -> None:
    original = shipped()
    text = SHIPPED.read_text(encoding="utf-8")
    for variant in (as_markdown(text), text.replace("\n", "\r\n"), "\ufeff" + text):
        lesson = parse(variant, "variant")
        assert lesson.title == original.title
        assert kinds(lesson) == kinds(original)
        assert [len(s.items) for s in lesson.sections] == [len(s.items) for s in original.sections]


def test_curly_quotes_are_straightened_and_dashes_kept() -> None:
    lesson = shipped()
    text = " ".join(i.text for s in lesson.sections for i in s.items)
    assert "India's" in text and "’" not in text
    assert "5–10 years" in text


def test_plain_prose_falls_back_to_sentences_with_lines() -> None:
    lesson = parse(
        (LESSONS / "rare-earth-elements-india.txt").read_text(encoding="utf-8"), "ree.txt"
    )
    assert lesson.title == "Rare Earth Elements in India"
    assert not lesson.structured
    assert kinds(lesson) == ["body"]
    body = lesson.sections[0].items
    assert body[0].line == 3 and body[0].text.startswith(
        "Rare earth elements (REEs) are a group of 17"
    )
    assert any(i.line == 5 and i.text.startswith("IREL (India) Limited") for i in body)


def test_prose_without_a_title_line_takes_the_file_name() -> None:
    lesson = parse(
        "Photosynthesis is the process by which green plants make food from light. It needs chlorophyll.",
        "x",
        "photosynthesis-notes",
    )
    assert lesson.title == "photosynthesis notes"
    assert [i.text for i in lesson.sections[0].items] == [
        "Photosynthesis is the process by which green plants make food from light.",
        "It needs chlorophyll.",
    ]


def test_wrapped_markdown_paragraph_sentences_keep_their_starting_line() -> None:
    lesson = parse(
        "# T\n\n## Why in News?\n\nFirst sentence runs\nonto a second line. Second\nsentence here.\n",
        "x",
    )
    items = lesson.sections[0].items
    assert [(i.line, i.text) for i in items] == [
        (5, "First sentence runs onto a second line."),
        (6, "Second sentence here."),
    ]


def test_sentence_splitter_keeps_abbreviations() -> None:
    sentences = [
        s for _, s in split_sentences("The U.S. State Department leads it. India joined in 2023.")
    ]
    assert sentences == ["The U.S. State Department leads it.", "India joined in 2023."]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_parser_never_raises_on_arbitrary_text(text: str) -> None:
    lesson = parse(text, "fuzz")
    assert lesson.slug
    for section in lesson.sections:
        for item in section.items:
            assert item.line >= 1 and item.text


def test_markdown_table_rows_become_points_told_by_their_first_cell() -> None:
    text = (
        "# Minerals\n\n## Why in News?\n\n| fact | as of | source |\n|---|---|---|\n"
        "| Lithium is used in EV batteries | 2024-09 | https://example.org/a |\n"
        "| Cobalt is used in battery cathodes | 2024-09 | https://example.org/b |\n"
    )
    lesson = parse(text, "t.md")
    items = [(i.line, i.text) for s in lesson.sections for i in s.items]
    assert items == [
        (7, "Lithium is used in EV batteries"),
        (8, "Cobalt is used in battery cathodes"),
    ]
