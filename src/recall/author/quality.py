"""Quality rules every generated card must pass; the generator drops (and reports) the rest.

The rules, from DESIGN.md: an answer is supported by its source; a question does not contain
its own answer; no two cards in a deck ask the same thing; no empty or stop-word answers; a
cloze never deletes only function words; multiple-choice options are distinct, four, and
exactly one is correct.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from recall.cards import CLOZE, LETTERS, Card, Draft
from recall.text import content_words, fold, words

#: The longest basic answer a learner is asked to recall, in words. Thirty words is about
#: two clauses, what a person can say back from memory; a longer passage is recognised, not
#: recalled, so the generator splits it into smaller facts or leaves it out.
MAX_ANSWER_WORDS = 30
#: Words a card may add around a sourced answer without needing support.
_GLUE = frozenset({"since", "per", "lesson", "unconfirmed", "source", "one", "flag"})


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=8192)
def _vocabulary(support: str) -> frozenset[str]:
    ws = words(support)
    return frozenset(ws) | {_stem(w) for w in ws}


def supported(answer: str, support: str) -> bool:
    """Every content word of ``answer`` occurs in ``support`` (plurals folded)."""
    have = _vocabulary(support)
    need = [w for w in content_words(answer) if w not in _GLUE]
    return bool(need) and all(w in have or _stem(w) in have for w in need)


def contains_answer(question: str, answer: str) -> bool:
    """True when the question gives its own answer away (the whole answer appears in it)."""
    a, q = fold(answer), fold(question)
    return bool(a) and f" {a} " in f" {q} "


def cloze_deletions(text: str) -> list[str]:
    """The hidden texts of a cloze card, in order."""
    return [m.group(2) for m in CLOZE.finditer(text)]


def card_problems(draft: Draft) -> list[str]:
    """What is wrong with one card; empty when it passes every rule.

    The verdict depends only on what the card says and its support, not on its id, so it is
    remembered: a fact-sheet card asked in many decks is judged once.
    """
    c = draft.card
    key = (c.kind, c.front, c.back, c.options, c.answer, draft.support, draft.answer_text,
           draft.truths, draft.style, draft.exempt_stem)  # fmt: skip
    cached = _VERDICTS.get(key)
    if cached is None:
        if len(_VERDICTS) > 200_000:
            _VERDICTS.clear()
        cached = _VERDICTS[key] = tuple(_card_problems(draft))
    return list(cached)


_VERDICTS: dict[tuple[object, ...], tuple[str, ...]] = {}


def _card_problems(draft: Draft) -> list[str]:
    card, problems = draft.card, []
    if not card.front.strip():
        problems.append("empty question")
    answer = draft.answer_text
    if not content_words(answer):
        problems.append(f"empty or stop-word answer {answer!r}")
    elif not supported(answer, draft.support):
        problems.append(f"answer {answer!r} is not supported by its source")
    if card.kind == "cloze":
        deletions = cloze_deletions(card.front)
        if not deletions:
            problems.append("cloze card without a deletion")
        for hidden in deletions:
            if not content_words(hidden):
                problems.append(f"cloze deletes a function word {hidden!r}")
        shown = CLOZE.sub("", card.front)
        if any(contains_answer(shown, h) for h in deletions if content_words(h)):
            problems.append("cloze text shows what it hides")
    elif card.kind == "mcq":
        problems.extend(_mcq_problems(card, draft))
    else:
        if not draft.exempt_stem and contains_answer(card.front, answer):
            problems.append("question contains its own answer")
        n = len(card.back.split("\n")[0].split())
        if n > MAX_ANSWER_WORDS:
            problems.append(f"answer of {n} words is too long to recall (limit {MAX_ANSWER_WORDS})")
    return problems


def _mcq_problems(card: Card, draft: Draft) -> list[str]:
    problems = []
    if len(card.options) != 4:
        problems.append(f"multiple choice needs 4 options, has {len(card.options)}")
    folded = [fold(o) for o in card.options]
    if len(set(folded)) != len(folded) or not all(folded):
        problems.append("multiple-choice options are not distinct")
    if card.answer not in LETTERS[: len(card.options)]:
        problems.append(f"answer letter {card.answer!r} names no option")
    if len(draft.truths) != len(card.options) or sum(draft.truths) != 1:
        problems.append("multiple choice must have exactly one correct option")
    elif LETTERS[draft.truths.index(True)] != card.answer:
        problems.append("answer letter is not the correct option")
    if draft.style in {"which", "not"}:
        for option in card.options:
            if not supported(option, draft.support):
                problems.append(f"option {option!r} is not from the fact sheet")
        if contains_answer(card.front, card.correct_option):
            problems.append("question contains its own answer")
    return problems


def duplicate_problems(cards: Iterable[Card]) -> dict[str, str]:
    """Cards that ask what an earlier card already asks: id → reason."""
    seen_ids: set[str] = set()
    seen_fronts: dict[str, str] = {}
    asked: dict[str, list[tuple[frozenset[str], str]]] = {}  # answer → (front words, id)
    out: dict[str, str] = {}
    for card in cards:
        if card.id in seen_ids:
            out[card.id] = "duplicate id"
            continue
        seen_ids.add(card.id)
        # A cloze is told by what it hides: two clozes of one sentence that hide different
        # words ask different questions.
        key = fold(
            CLOZE.sub(lambda m: f" hidden {m.group(2)} end ", card.front)
            if card.kind == "cloze"
            else card.front
        )
        if card.kind == "mcq":  # one stem, other options: another question
            key += " | " + " | ".join(sorted(fold(o) for o in card.options))
        if key in seen_fronts:
            out[card.id] = f"asks the same as card {seen_fronts[key]}"
            continue
        seen_fronts[key] = card.id
        if card.kind in {"basic", "reverse"}:
            # Same answer and nearly the same question words: the same question reworded.
            answer = fold(card.back.split("\n")[0])
            front_words = frozenset(content_words(card.front))
            same_answer = asked.setdefault(answer, [])
            for other_words, other_id in same_answer:
                union = front_words | other_words
                if union and len(front_words & other_words) / len(union) >= 0.8:
                    out[card.id] = f"asks the same as card {other_id}"
                    break
            else:
                same_answer.append((front_words, card.id))
    return out
