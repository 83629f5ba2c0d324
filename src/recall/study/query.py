"""The card query language: text in, :mod:`recall.terms` out — Anki's browser syntax where
it fits, so a learner coming from Anki can search the way they already do.

    msp                  the text anywhere on the card (front, back, options); * is a wildcard
    "rare earth"         a phrase; front:… back:… fact:… source:… look in one field
    deck:india*          a deck by slug or title          tag:prelims      a tag
    kind:mcq             basic, reverse, cloze or mcq     id:26226887c69c23bf
    is:new is:learn is:review is:relearning is:suspended is:buried is:retired is:due
    due:today due:tomorrow due:overdue due:3 due:<7 due:>=30   (learner days from today)
    prop:lapses>3 prop:reps>=10 prop:s<2 prop:d>7 prop:pos<10  (s stability, d difficulty)
    a b   both           a or b   either          -a   not a          ( … )   grouping

Terms side by side must all hold; ``or`` binds looser than that, as in Anki. Retired cards
(whose fact left the deck) are left out unless the query asks for ``is:retired``.

Parsing is pure; :func:`bind` then fixes the learner days to instants (which needs the
scheduler's calendar), and the store compiles the result into SQL with bound parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from recall.cards import KINDS
from recall.errors import RecallError
from recall.terms import (
    All,
    Any_,
    BuriedOn,
    CardIs,
    CardRef,
    Compare,
    DueBetween,
    DueDays,
    Field,
    Flag,
    InDeck,
    Node,
    Not,
    OfKind,
    Prop,
    Tagged,
    Text,
)

__all__ = ["QueryError", "bind", "parse"]


class QueryError(RecallError):
    """A query that cannot be read: one line naming the part that is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bad query: {message}")


_IS = {
    "new": Flag.New, "learn": Flag.Learning, "learning": Flag.Learning,
    "review": Flag.Review, "relearn": Flag.Relearning, "relearning": Flag.Relearning,
    "suspended": Flag.Suspended, "buried": Flag.Buried, "retired": Flag.Retired,
}  # fmt: skip
_PROPS = {
    "lapses": Prop.Lapses, "lapse": Prop.Lapses, "reps": Prop.Reps, "s": Prop.Stability,
    "stability": Prop.Stability, "d": Prop.Difficulty, "difficulty": Prop.Difficulty,
    "pos": Prop.Position, "position": Prop.Position,
}  # fmt: skip
_TEXT_FIELDS = {
    "front": Field.Front, "back": Field.Back, "fact": Field.Fact, "source": Field.Source,
}  # fmt: skip
_FIELDS = ("deck", "tag", "kind", "is", "id", "prop", "due", *_TEXT_FIELDS)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DAYS = re.compile(r"(<=|>=|!=|<|>|=)?(-?\d+)d?")
_PROP = re.compile(r"([a-z]+)(<=|>=|!=|<|>|=)(.*)")


@dataclass(frozen=True)
class _Token:
    text: str  # the word without its quotes
    raw: str  # as typed, for messages
    quoted: bool = False  # wholly in quotes: always a text search
    negated: bool = False


def _tokens(text: str) -> list[_Token | str]:
    """Words, with "(" and ")" as their own tokens; a "-" before a word or "(" negates it."""
    out: list[_Token | str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            out.append(ch)
            i += 1
            continue
        start, negated = i, False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            negated, i = True, i + 1
            if text[i] == "(":
                out.append("-(")
                i += 1
                continue
        word: list[str] = []
        quoted_from = -1
        while i < n and not text[i].isspace() and text[i] not in "()":
            if text[i] == '"':
                end = text.find('"', i + 1)
                if end < 0:
                    raise QueryError(f"a quote opened at character {i + 1} is never closed")
                quoted_from = len(word) if quoted_from < 0 else quoted_from
                word.append(text[i + 1 : end])
                i = end + 1
                continue
            word.append(text[i])
            i += 1
        joined = "".join(word)
        out.append(_Token(joined, text[start:i], quoted_from == 0, negated))
    return out


class _Parser:
    """Recursive descent over the tokens: or-groups of and-groups of (negated) terms."""

    def __init__(self, tokens: list[_Token | str]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> _Token | str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def any_of(self) -> Node:
        parts = [self.all_of()]
        while isinstance(self.peek(), _Token) and _keyword(self.peek()) == "or":
            self.at += 1
            if self.peek() in (None, ")"):
                raise QueryError("'or' needs a term after it")
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def all_of(self) -> Node:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token != ")":
            if isinstance(token, _Token) and _keyword(token) == "or":
                break
            self.at += 1
            if isinstance(token, _Token) and _keyword(token) == "and":
                continue
            if token in ("(", "-("):
                inner = self.any_of()
                if self.peek() != ")":
                    raise QueryError("a '(' is never closed")
                self.at += 1
                parts.append(Not(inner) if token == "-(" else inner)
            else:
                assert isinstance(token, _Token)
                term = _term(token)
                parts.append(Not(term) if token.negated else term)
        if not parts:
            raise QueryError("'or' needs a term before it" if token is not None else "empty")
        return parts[0] if len(parts) == 1 else All(tuple(parts))


def _keyword(token: _Token | str | None) -> str:
    if isinstance(token, _Token) and not token.quoted and not token.negated:
        return token.text.casefold() if token.text.casefold() in {"or", "and"} else ""
    return ""


def parse(text: str) -> Node:
    """A query's terms, or a :class:`QueryError` naming what could not be read."""
    tokens = _tokens(text)
    if not tokens:
        raise QueryError("empty (give some text or a term such as deck:NAME)")
    parser = _Parser(tokens)
    node = parser.any_of()
    if parser.peek() == ")":
        raise QueryError("a ')' has no '(' before it")
    return node


def _term(token: _Token) -> Node:
    """One word: ``field:value``, or text to look for."""
    text = token.text
    name, colon, value = text.partition(":")
    if token.quoted or not colon or not re.fullmatch(r"[A-Za-z]+", name):
        return Text(_text_value(text, token))
    name = name.casefold()
    if name not in _FIELDS:
        raise QueryError(
            f"{token.raw}: unknown field {name + ':'!r} (known: "
            + ", ".join(f + ":" for f in _FIELDS)
            + '; put text with a colon in quotes: "a:b")'
        )
    if not value:
        raise QueryError(f"{token.raw}: {name}: needs a value")
    if name in _TEXT_FIELDS:
        return Text(value, _TEXT_FIELDS[name])
    return _FIELD_TERMS[name](value, token.raw)


def _text_value(text: str, token: _Token) -> str:
    if not text:
        raise QueryError(f"{token.raw}: nothing to look for")
    return text


def _kind(value: str, raw: str) -> Node:
    if value.casefold() not in KINDS:
        raise QueryError(f"{raw}: kind is one of {', '.join(KINDS)}")
    return OfKind(value.casefold())


def _is(value: str, raw: str) -> Node:
    word = value.casefold()
    if word == "due":
        return DueDays("<", 1)
    if word not in _IS:
        raise QueryError(f"{raw}: is: takes one of due, {', '.join(_IS)}")
    return CardIs(_IS[word])


def _prop(value: str, raw: str) -> Node:
    m = _PROP.fullmatch(value.casefold())
    if m is None:
        raise QueryError(f"{raw}: write prop:NAME<op>NUMBER, e.g. prop:lapses>3")
    name, op, number = m.groups()
    if name not in _PROPS:
        raise QueryError(f"{raw}: prop: takes one of {', '.join(_PROPS)}")
    if not _NUMBER.fullmatch(number):
        raise QueryError(f"{raw}: a number must follow {op!r}, e.g. prop:{name}{op}3")
    return Compare(_PROPS[name], op, float(number))


def _due(value: str, raw: str) -> Node:
    word = value.casefold()
    named = {"today": DueDays("<", 1), "tomorrow": DueDays("=", 1), "overdue": DueDays("<", 0)}
    if word in named:
        return named[word]
    m = _DAYS.fullmatch(word)
    if m is None:
        raise QueryError(f"{raw}: due: takes today, tomorrow, overdue or days like 3, <7, >=30")
    return DueDays(m.group(1) or "=", int(m.group(2)))


_FIELD_TERMS: dict[str, Callable[[str, str], Node]] = {
    "deck": lambda v, _: InDeck(v),
    "tag": lambda v, _: Tagged(v),
    "id": lambda v, _: CardRef(v),
    "kind": _kind,
    "is": _is,
    "prop": _prop,
    "due": _due,
}


def bind(node: Node, *, today: str, day_start: Callable[[int], str]) -> Node:
    """The query made concrete for the store: learner days become UTC instants
    (``day_start(n)`` is when the day ``n`` days from today begins), ``is:buried`` means
    buried past ``today``, and retired cards are left out unless the query names them."""
    bound = _bind(node, today, day_start)
    if not _mentions_retired(node):
        bound = All((bound, Not(CardIs(Flag.Retired))))
    return bound


def _bind(node: Node, today: str, day_start: Callable[[int], str]) -> Node:
    if isinstance(node, All):
        return All(tuple(_bind(p, today, day_start) for p in node.parts))
    if isinstance(node, Any_):
        return Any_(tuple(_bind(p, today, day_start) for p in node.parts))
    if isinstance(node, Not):
        return Not(_bind(node.part, today, day_start))
    if isinstance(node, CardIs) and node.flag == Flag.Buried:
        return BuriedOn(today)
    if isinstance(node, DueDays):
        return _due_between(node, day_start)
    return node


def _due_between(node: DueDays, day_start: Callable[[int], str]) -> Node:
    d = node.days
    if node.op == "!=":
        return Any_((DueBetween(None, day_start(d)), DueBetween(day_start(d + 1), None)))
    return {
        "=": DueBetween(day_start(d), day_start(d + 1)),
        "<": DueBetween(None, day_start(d)),
        "<=": DueBetween(None, day_start(d + 1)),
        ">": DueBetween(day_start(d + 1), None),
        ">=": DueBetween(day_start(d), None),
    }[node.op]


def _mentions_retired(node: Node) -> bool:
    if isinstance(node, All | Any_):
        return any(_mentions_retired(p) for p in node.parts)
    if isinstance(node, Not):
        return _mentions_retired(node.part)
    return isinstance(node, CardIs) and node.flag == Flag.Retired
