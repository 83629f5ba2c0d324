"""Each quality rule catches the card it exists for (so none of them can silently pass)."""

from __future__ import annotations

from recall.author.quality import card_problems, duplicate_problems, supported
from recall.cards import Card, Draft


def draft(kind: str = "basic", front: str = "Who leads the MSP?", back: str = "The United States",
          support: str = "The MSP is led by the United States", **kw: object) -> Draft:  # fmt: skip
    options = kw.pop("options", ())
    answer = kw.pop("answer", "")
    card = Card(id="x", kind=kind, fact="f", front=front, back=back, options=options, answer=answer)  # type: ignore[arg-type]
    return Draft(card=card, support=support, answer_text=str(kw.pop("answer_text", back)), **kw)  # type: ignore[arg-type]


def test_a_good_card_passes() -> None:
    assert card_problems(draft()) == []


def test_unsupported_answer_is_caught() -> None:
    assert "not supported" in card_problems(draft(back="Canada"))[0]
    assert supported("rare earth elements", "Rare earth element magnets")


def test_question_containing_its_answer_is_caught() -> None:
    assert card_problems(
        draft(front="Which country, the United States or another, leads the MSP?")
    ) == ["question contains its own answer"]


def test_stop_word_answer_is_caught() -> None:
    assert "stop-word answer" in card_problems(draft(back="the"))[0]


def test_cloze_of_a_function_word_is_caught() -> None:
    d = draft(
        kind="cloze",
        front="India joined {{c1::in}} June 2023",
        back="",
        answer_text="in June",
        support="India joined in June 2023",
    )
    assert any("function word" in p for p in card_problems(d))


def test_cloze_that_shows_what_it_hides_is_caught() -> None:
    d = draft(
        kind="cloze",
        front="{{c1::China}} dominates; China refines most",
        back="",
        answer_text="China",
        support="China dominates",
    )
    assert "cloze text shows what it hides" in card_problems(d)


def test_mcq_rules() -> None:
    opts = ("India", "Argentina", "Ukraine", "Namibia")
    support = "India Norway | Argentina Ukraine Namibia"
    good = draft(kind="mcq", front="Which one is a partner?", options=opts, answer="A", answer_text="India",
                 support=support, truths=(True, False, False, False), style="which")  # fmt: skip
    assert card_problems(good) == []
    two_right = draft(kind="mcq", front="Which one is a partner?", options=opts, answer="A", answer_text="India",
                      support=support, truths=(True, True, False, False), style="which")  # fmt: skip
    assert "exactly one correct option" in card_problems(two_right)[0]
    repeated = draft(kind="mcq", front="Which?", options=("India", "india", "Ukraine", "Namibia"), answer="A",
                     answer_text="India", support=support, truths=(True, False, False, False), style="which")  # fmt: skip
    assert "not distinct" in card_problems(repeated)[0]
    invented = draft(kind="mcq", front="Which?", options=("India", "Atlantis", "Ukraine", "Namibia"), answer="A",
                     answer_text="India", support=support, truths=(True, False, False, False), style="which")  # fmt: skip
    assert "option 'Atlantis' is not from the fact sheet" in card_problems(invented)
    wrong_letter = draft(kind="mcq", front="Which?", options=opts, answer="B", answer_text="India",
                         support=support, truths=(True, False, False, False), style="which")  # fmt: skip
    assert "answer letter is not the correct option" in card_problems(wrong_letter)


def test_duplicates_are_caught() -> None:
    a = Card(
        id="a",
        kind="basic",
        fact="f",
        front="What does MSP stand for?",
        back="Minerals Security Partnership",
    )
    b = Card(
        id="b",
        kind="basic",
        fact="g",
        front="What does MSP stand for ?",
        back="Minerals Security Partnership",
    )
    c = Card(
        id="c",
        kind="basic",
        fact="h",
        front="MSP: what does it stand for?",
        back="Minerals Security Partnership",
    )
    assert duplicate_problems([a, b, c]) == {
        "b": "asks the same as card a",
        "c": "asks the same as card a",
    }
