"""Today's queue and a review session: what to show next, answering, undo — no terminal I/O.

The queue follows Anki's rules: learning cards come back within the session when due
(learning ahead up to 20 minutes); review cards due before the learner's next day start, up
to the daily review limit; new cards in deck order, up to the daily new limit; limits count
per learner day, across sessions. Cards of one fact are siblings: once one has been answered
today, the others wait for another day. Suspended, buried and retired cards never show.

Every answer is committed (card state and log row in one transaction) before the next card
is chosen, so quitting, Ctrl-C or a killed terminal loses nothing already answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from recall.errors import RecallError
from recall.memory import Memory, Rating, State
from recall.settings import DEFAULT_PARAMETERS
from recall.store import Collection, Entry, Row, parse_ts
from recall.study import balance, fuzz
from recall.study.exam import planner
from recall.study.presets import Presets
from recall.study.queue import build_queue
from recall.study.schedule import Scheduler, fuzz_seed, log_stamp

MAX_ANSWER_MS = 60_000  # as Anki: a card left on screen for ten minutes counts as one
#: Answers between two foldings of the write-ahead log into the collection file (about 400
#: log pages): at most this many answers can be lost to an operating-system crash.
FOLD_EVERY = 50
_LEARNING = (State.Learning, State.Relearning)
#: Review cards a session studying ahead may hold (``recall review --ahead``).


class _ParametersMoved(Exception):
    """An optimize changed the parameters after the answer's preset version was taken."""


class AnsweredElsewhere(RecallError):
    """The card changed (another session answered it) between being shown and answered."""

    def __init__(self, uid: str) -> None:
        super().__init__(f"{uid} was answered in another session since it was shown")


@dataclass(frozen=True)
class Flagged:
    """A suspend or bury in this session, for undo: the card as it was before, and how many
    answers had been given (an undo takes back whichever came last)."""

    row: Row
    action: str  # "suspend" or "bury"
    after_answers: int


@dataclass
class Answered:
    """One answer given in this session, for undo and the summary."""

    review_id: int
    uid: str
    rating: Rating
    correct: bool


def parse(text: str) -> datetime:
    when = parse_ts(text)
    assert when is not None
    return when


class Session:
    """A review session over today's queue."""

    def __init__(
        self,
        col: Collection,
        sched: Scheduler,
        *,
        deck: str | None = None,
        limit: int | None = None,
        ahead: int = 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.col, self.sched, self.deck, self.limit, self.clock = col, sched, deck, limit, clock
        self.ahead = ahead
        col.defer_checkpoints()
        self.started = clock()
        self.exams = planner(col, sched, self.started)  # exam mode, when an exam is set
        self.presets = Presets.of(col, sched)  # each deck's preset (Anki's deck options)
        queue = build_queue(col, sched, self.started, deck, ahead)
        self.reviews, self.news = queue.review, queue.new
        self.answered: list[Answered] = []
        self.flagged: list[Flagged] = []
        self._shown_at: datetime | None = None
        self._shown: tuple[str, Memory] | None = None  # the card on screen, as it was shown
        self._buried_today: set[str] = set()
        # Today's learning cards, read once and kept up to date by this session's own
        # answers, undos and flags (as Anki keeps its learning queue), rather than asked for
        # before every card: on a lifetime collection that query was a third of a card.
        self._learning_day: date | None = None
        self._learning_due: list[tuple[str, datetime, int]] = []
        self._unfolded = 0  # answers since the log was last folded into the file
        # The coming days' review load for the load balancer, read once a day and then kept
        # up to date by this session's answers, as Anki keeps its balancer with its queues;
        # one per preset, as Anki balances each preset's decks apart.
        self._loads: dict[str, balance.LoadBalancer] = {}

    # -- what is left -----------------------------------------------------------------------

    def _learning(self, now: datetime) -> list[tuple[str, datetime, int]]:
        """(uid, due, rowid) of the learning cards due today, soonest first."""
        today = self.sched.day(now)
        if self._learning_day != today:
            rows = self.col.learning_due(
                self.sched.next_day_start(now), today.isoformat(), self.deck
            )
            self._learning_due = [
                (uid, parse(due), rowid)
                for uid, due, rowid in rows
                if uid not in self._buried_today
            ]
            self._learning_day = today
        return self._learning_due

    def idle(self) -> None:
        """Call while the learner reads a card: every :data:`FOLD_EVERY` answers, fold the
        write-ahead log into the collection file (tens of milliseconds on a lifetime
        collection) here, rather than inside whichever answer SQLite would pick."""
        if self._unfolded >= FOLD_EVERY:
            self.col.fold_log()
            self._unfolded = 0

    def _forget_learning(self) -> None:
        """Read the learning cards again before the next card."""
        self._learning_day = None

    def counts(self) -> tuple[int, int, int]:
        """Cards left: (new, learning, review)."""
        return len(self.news), len(self._learning(self.clock())), len(self.reviews)

    def next_card(self) -> Row | None:
        """The card to show now, or None when the session is done."""
        if self.limit is not None and len(self.answered) >= self.limit:
            return None
        now = self.clock()
        due_learning = self._learning_card(now, now)
        if due_learning is not None:
            return self._show(due_learning)
        while self.reviews or self.news:
            # Mix new cards in among the reviews, spread evenly (Anki's default).
            total = len(self.reviews) + len(self.news)
            use_new = self.news and (
                not self.reviews
                or len(self.answered) % max(1, total // max(1, len(self.news))) == 0
            )
            entry = self.news[0] if use_new else self.reviews[0]
            row = self.col.card(entry.uid, entry.rowid)
            if self._hidden(row, now):  # suspended or buried since the queue was built
                self._drop(row)
                continue
            return self._show(row)
        ahead_by = now + timedelta(minutes=self.sched.settings.learn_ahead_minutes)
        ahead = self._learning_card(now, ahead_by)
        return None if ahead is None else self._show(ahead)

    def _learning_card(self, now: datetime, by: datetime) -> Row | None:
        """The first learning card due by ``by``, checked against the collection: another
        session may have answered, suspended or buried it since the list was read."""
        for _ in range(2):
            learning = self._learning(now)
            if not learning or learning[0][1] > by:
                return None
            uid, due, rowid = learning[0]
            row = self.col.card(uid, rowid)
            memory = row.memory
            if memory.state in _LEARNING and memory.due == due and not self._hidden(row, now):
                return row
            self._forget_learning()
        return None

    def next_due(self) -> datetime | None:
        """When the next card falls due (for the summary), after this session's queue."""
        return self.col.next_due(deck=self.deck)

    # -- actions ----------------------------------------------------------------------------

    def preview(self, row: Row) -> dict[Rating, timedelta]:
        """The wait each rating gives: the same fuzz seed as the answer, so what the screen
        shows is what answering then schedules."""
        now, memory = self.clock(), row.memory
        seed, exam = self._seed(row.uid, memory), self.exams.rule(row.deck)
        lb = self._balancer(row.deck, row.sibling_key, seed, now)
        return self.presets.sched(row.deck).preview(memory, now, seed=seed, balance=lb, exam=exam)

    def _seed(self, uid: str, memory: Memory) -> int | None:
        return fuzz_seed(uid, memory.reps) if self.sched.settings.fuzz else None

    def _balancer(
        self, deck: str, note: str, seed: int | None, now: datetime
    ) -> fuzz.Balancer | None:
        """Anki's load balancer for this answer, when it is on (it needs fuzz's seed): the
        load of the decks sharing this deck's preset."""
        s, sched = self.sched.settings, self.sched
        if not (s.load_balancer and seed is not None):
            return None
        today, preset = sched.day(now), self.presets.name(deck)
        load = self._loads.get(preset)
        if load is None or load.today != today:
            end = sched.day_start(today + timedelta(days=balance.LOAD_BALANCE_DAYS))
            days = []
            decks = self.presets.decks_of(preset)
            for due, key, state in self.col.due_load(sched.day_start(today), end, decks):
                day = sched.day(due)
                # A learning card counts when its step became whole days (due at a day's
                # start), as Anki counts its interday learning cards by their due day.
                if state == State.Review or due == sched.day_start(day):
                    days.append((day, key))
            load = balance.from_dues(today, days, s.easy_days, s.bury_siblings)
            self._loads[preset] = load
        return load.balancer(seed, note)

    def answer(self, row: Row, rating: Rating, *, correct: bool | None = None) -> Answered:
        """Schedule and commit one answer before anything else happens."""
        now = self.clock()
        shown = self._shown_at or now
        duration = min(MAX_ANSWER_MS, max(0, int((now - shown).total_seconds() * 1000)))
        after: list[Memory] = []

        expected = self._shown[1] if self._shown and self._shown[0] == row.uid else row.memory

        def schedule(memory: Memory) -> tuple[Memory, int]:
            # ``memory`` is read inside the answer's transaction; raising rolls it back.
            if memory != expected:
                raise AnsweredElsewhere(row.uid)
            result = self._schedule(row, memory, rating, now)
            after.append(result[0])
            return result

        for attempt in range(3):
            # The preset version a row records carries the FSRS parameters: it is taken with
            # the parameters in force, and taken again if an optimize changed them between
            # here and the answer's transaction (which then rolls back and is tried again).
            self._follow_parameters()
            sched = self.presets.sched(row.deck)
            stamp = log_stamp(sched, now)
            version = self.col.preset_version(*self.presets.values(row.deck))
            try:
                review_id = self.col.answer(
                    row.uid, schedule, rating, now, duration, row.rowid, stamp, version
                )
                break
            except _ParametersMoved:
                if attempt == 2:
                    raise RecallError("the FSRS parameters keep changing; answer again") from None
            except AnsweredElsewhere:
                self._forget_learning()
                self._drop(row)
                raise
        self._unfolded += 1
        self.exams.placed(after[0])
        if row.memory.state in _LEARNING or after[0].state in _LEARNING:
            self._forget_learning()
        self._drop(row, self.sched.settings.bury_siblings)
        preset = self.presets.name(row.deck)
        load = self._loads.get(preset)
        if load is not None and after[0].state == State.Review and after[0].interval:
            self._loads[preset] = load.with_card(after[0].interval, row.sibling_key)
        done = Answered(
            review_id, row.uid, rating, rating != Rating.Again if correct is None else correct
        )
        self.answered.append(done)
        self._shown_at = None
        return done

    def _schedule(
        self, row: Row, memory: Memory, rating: Rating, now: datetime
    ) -> tuple[Memory, int]:
        """The memory after this answer, and the days since the last review (Anki's count)."""
        if self._follow_parameters():
            raise _ParametersMoved
        sched, exam = self.presets.sched(row.deck), self.exams.rule(row.deck)
        elapsed = sched.elapsed_days(memory.last_review, now) if memory.last_review else 0
        seed = self._seed(row.uid, memory)
        lb = self._balancer(row.deck, row.sibling_key, seed, now)
        return sched.answer(memory, rating, now, seed=seed, balance=lb, exam=exam), elapsed

    def _follow_parameters(self) -> bool:
        """Schedule with the parameters in force now (True if they changed). Called before and
        inside the answer's transaction:
        a ``recall optimize --apply`` that committed while this session was open changed
        them, and the log replay schedules every later answer with the new ones."""
        stored = self.col.parameters_in_force() or DEFAULT_PARAMETERS
        if stored != self.sched.settings.parameters:
            self.sched = Scheduler(replace(self.sched.settings, parameters=stored))
            self.presets = Presets.of(self.col, self.sched)  # presets without their own follow
            self._loads = {}
            return True
        return False

    def last_action(self) -> str | None:
        """What :meth:`undo` would take back: "answer", "suspend", "bury", or None."""
        if self.flagged and self.flagged[-1].after_answers == len(self.answered):
            return self.flagged[-1].action
        return "answer" if self.answered else None

    def undo(self) -> Row | None:
        """Take back this session's last answer, suspend or bury; the card is shown again
        next."""
        if self.flagged and self.flagged[-1].after_answers == len(self.answered):
            return self._unflag(self.flagged.pop())
        if not self.answered:
            return None
        # A refused undo (answered again, or rescheduled by recall optimize since) raises
        # before the answer leaves this session's list: the screen says why, nothing changed.
        row = self.col.undo(self.answered[-1].review_id)
        self.answered.pop()
        self._forget_learning()
        self._loads = {}  # read the loads again (Anki takes the card out of its balancer)
        entry = Entry(row.uid, row.deck, row.fact, row.position, row.rowid)
        if self._hidden(row, self.clock()):
            pass  # suspended or buried after it was answered: it stays out of sight
        elif row.memory.state == State.New:
            self.news.insert(0, entry)
        elif row.memory.state == State.Review:
            self.reviews.insert(0, entry)
        self._bring_back_siblings()
        return row

    def _unflag(self, flagged: Flagged) -> Row:
        before = flagged.row
        self.col.set_flags(
            before.uid, suspended=int(before.suspended), buried_until=before.buried_until
        )
        self._buried_today.discard(before.uid)
        self._forget_learning()
        row = self.col.card(before.uid)
        entry = Entry(row.uid, row.deck, row.fact, row.position, row.rowid)
        if row.memory.state == State.New:
            self.news.insert(0, entry)
        elif row.memory.state == State.Review:
            self.reviews.insert(0, entry)
        return row

    def suspend(self, row: Row) -> None:
        self.flagged.append(Flagged(row, "suspend", len(self.answered)))
        self.col.set_flags(row.uid, suspended=1)
        self._forget_learning()
        self._drop(row)

    def bury(self, row: Row) -> None:
        """Hide the card until the learner's next day."""
        tomorrow = self.sched.day(self.clock()) + timedelta(days=1)
        self.flagged.append(Flagged(row, "bury", len(self.answered)))
        self.col.set_flags(row.uid, buried_until=tomorrow.isoformat())
        self._buried_today.add(row.uid)
        self._forget_learning()
        self._drop(row)

    # -- summary ----------------------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        answered = len(self.answered)
        correct = sum(1 for a in self.answered if a.correct)
        next_due = self.next_due()
        return {
            "cards": answered,
            "correct": correct,
            "correct_pct": round(100 * correct / answered) if answered else None,
            "seconds": round((self.clock() - self.started).total_seconds()),
            "next_due": next_due.isoformat() if next_due else None,
        }

    def _hidden(self, row: Row, now: datetime) -> bool:
        today = self.sched.day(now).isoformat()
        buried = row.buried_until is not None and row.buried_until > today
        return row.suspended or buried or row.retired or row.uid in self._buried_today

    def _show(self, row: Row) -> Row:
        self._shown_at = self.clock()
        self._shown = (row.uid, row.memory)
        return row

    def _drop(self, row: Row, siblings: bool = False) -> None:
        """Take the card (and, with ``siblings``, the other cards of its fact) off the queue."""
        uid, key = row.uid, row.sibling_key if siblings else row.uid
        self.reviews = [r for r in self.reviews if r.uid != uid and r.sibling_key != key]
        self.news = [r for r in self.news if r.uid != uid and r.sibling_key != key]

    def _bring_back_siblings(self) -> None:
        """After an undo, siblings hidden by that answer may be due again: rebuild the rest."""
        queue = build_queue(self.col, self.sched, self.clock(), self.deck, self.ahead)
        known = {r.uid for r in (*self.reviews, *self.news)}
        self.reviews += [r for r in queue.review if r.uid not in known]
        self.news += [r for r in queue.new if r.uid not in known]
