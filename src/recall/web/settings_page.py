"""Settings: what ``recall config`` shows and sets, as a form, with the same validation.

Each value is read by :func:`recall.study.config.parse_setting`, the parser behind
``recall config``, so the browser refuses exactly what the terminal refuses, with the same
one-line reason. A form is checked whole before anything is written: one bad value leaves
every setting as it was. The FSRS weights are left to ``recall optimize``/``recall config``
(a form of 21 numbers helps nobody).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recall.errors import RecallError
from recall.settings import Settings
from recall.web.app import web_of
from recall.web.security import checked_form


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str
    choices: tuple[str, ...] = ()  # on/off settings are a choice, not free text


FIELDS = (
    Field("desired_retention", "Desired retention", "the chance of recall to aim for, 0.70–0.99"),
    Field("new_per_day", "New cards a day", "0–9999"),
    Field("reviews_per_day", "Reviews a day", "0–9999"),
    Field("learning_steps", "Learning steps", 'e.g. "1m 10m" (s, m, h, d)'),
    Field("relearning_steps", "Relearning steps", 'e.g. "10m"'),
    Field("maximum_interval", "Maximum interval", "days, 1–36500"),
    Field("learn_ahead_minutes", "Learn ahead", "minutes, 0–1440"),
    Field("day_start_hour", "The day starts at", "hour, 0–23"),
    Field("timezone", "Time zone", 'an IANA name such as Asia/Kolkata, or "local"'),
    Field("fuzz", "Fuzz intervals", "as Anki does", ("on", "off")),
    Field("bury_siblings", "Bury siblings", "hide a card's siblings until tomorrow", ("on", "off")),
)
assert all(f.key in Settings.__dataclass_fields__ for f in FIELDS)


def _values(settings: Settings) -> dict[str, str]:
    from recall.study.config import shown

    return {f.key: shown(getattr(settings, f.key)) for f in FIELDS}


async def settings_page(request: Request) -> Response:
    web = web_of(request)
    values = _values(web.col.settings())
    return web.render(request, "settings.html", fields=FIELDS, values=values, errors={})


async def save(request: Request) -> Response:
    """Check every changed value first; write them only when all are valid."""
    from recall.study.config import calendar_change, parse_setting

    web = web_of(request)
    form = await checked_form(request, web.token)
    old = web.col.settings()
    current = _values(old)
    typed = {f.key: form.get(f.key, current[f.key]).strip() for f in FIELDS}
    changed, errors = {}, {}
    for key, text in typed.items():
        if text == current[key]:
            continue
        try:
            changed[key] = parse_setting(key, text, old)
        except RecallError as exc:
            errors[key] = str(exc)
    if errors:
        return web.render(
            request, "settings.html", 400, fields=FIELDS, values=typed, errors=errors,
            note="Nothing was saved: a value is not valid.",
        )  # fmt: skip
    for key, value in changed.items():
        web.col.set_setting(key, value)
    if changed:
        web.desk.restart_all()  # open sessions were built on the old settings
    dues = [r.memory.due for r in web.col.studied_cards() if r.memory.state == 2]
    moved = calendar_change(old, web.col.settings(), dues) if changed else None
    note = f"Saved {', '.join(sorted(changed))}." if changed else "Nothing changed."
    if moved:
        note += f" The {moved}."
    values = _values(web.col.settings())
    return web.render(request, "settings.html", fields=FIELDS, values=values, errors={}, note=note)


ROUTES = [
    Route("/settings", settings_page, methods=["GET"]),
    Route("/settings", save, methods=["POST"]),
]
