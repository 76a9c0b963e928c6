"""Benchmark (issue 4, item 11): the consolidated bracketed view of a negotiated text, a 300-unit
text with 5,000 amendments and positions from 12 delegations, answers in a number of queries that
does not grow with the text; its server time next to a bare Django view in the same run.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/negotiation_room.py``). It builds a
throw-away SQLite database in a temporary folder (the real one is never touched), loads the real
reference data and the demo accounts, then creates two texts of the foreign ministers' format:

* small: 30 units, 500 amendments, a position from every member delegation on every unit;
* big:   300 units, 5,000 amendments (replace / insert / delete, to options and to amendments, in
  every status), 12 positions per unit plus positions on options, 1,500 comments, 100 private
  notes, 40 earlier versions.

Positions come from member delegations only (the actions refuse a guest's position). The
reference data has 6 member states today (and 2 guests), so six **fictional** states, ``X1`` to
``X6`` ("Fictional state … (bench only)"), are added as members of the mechanism in the throw-away
database: 12 member delegations. The material is written with ``bulk_create``: the benchmark
measures reads, not writes.

Measured, for the secretariat and a member delegate (Kazakhstan): ``queries.room`` (the
consolidated view every reader goes through), the room page ``/texts/<code>/`` and the API
``GET /api/v1/texts/<code>``, and a bare view returning ``HttpResponse("ok")``; an answer other
than 200 stops the script with exit status 1. Times are in-process (``django.test.Client``, no network): they
compare views, not servers. The script exits 1 when anything costs more queries for the big text
than for the small one, printing the statements whose count grew.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_URLCONF = "kenes_bench_room_urls"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import get_ok, load_data, setup_django  # noqa: E402

ACTOR = "bench"
FICTIONAL = ("X1", "X2", "X3", "X4", "X5", "X6")


def _setup_django(tmp: Path) -> None:
    setup_django(tmp, BENCH_URLCONF)


def _load() -> None:
    load_data()


def _fictional_members() -> None:
    """Six fictional member states, for this throw-away database only."""
    from kenes.meetings.models import Format
    from kenes.states.models import Participation, ParticipationStatus, State

    mechanism = Format.objects.get(code="ca_foreign_ministers").mechanism
    for iso2 in FICTIONAL:
        state = State.objects.create(
            iso2=iso2,
            name_en=f"Fictional state {iso2} (bench only)",
            name_ru=f"Вымышленное государство {iso2} (только для бенчмарка)",
            note="FICTIONAL: created by bench/negotiation_room.py in a throw-away database.",
        )
        Participation.objects.create(
            mechanism=mechanism, state=state, status=ParticipationStatus.MEMBER, note="FICTIONAL (bench only)"
        )


SPONSORS = ("KZ", "UZ", "KG", "TJ", "TM", "AZ")


def _content(n: int, language: str) -> str:
    """Unit ``n``: most carry two brackets with sponsored options, every fifth is clean."""
    a, b, c = SPONSORS[n % 6], SPONSORS[(n + 1) % 6], SPONSORS[(n + 2) % 6]
    if language == "ru":
        if n % 5 == 0:
            return f"Пункт {n} (бенчмарк): стороны сотрудничают по вопросу {n} на постоянной основе."
        return (
            f"Пункт {n} (бенчмарк): стороны [будут {{{a},{b}}} | могли бы {{{c}}} | намерены] сотрудничать "
            f"по вопросу {n} [ежегодно | раз в два года {{{b}}}]."
        )
    if n % 5 == 0:
        return f"Paragraph {n} (bench): the parties cooperate on matter {n} on a regular basis."
    return (
        f"Paragraph {n} (bench): the parties [shall {{{a},{b}}} | should {{{c}}} | intend to] cooperate "
        f"on matter {n} [annually | every two years {{{b}}}]."
    )


def _text(code: str, *, units: int, amendments: int, comments: int, notes: int, versions: int) -> Any:
    """A text under negotiation with the given amount of material, written in bulk."""
    from kenes.meetings.models import Format, Meeting
    from kenes.states.models import State
    from kenes.texts import actions, queries
    from kenes.texts.models import (
        Amendment,
        AmendmentKind,
        AmendmentStatus,
        Comment,
        Position,
        PrivateNote,
        TextVersion,
        UnitVersion,
    )

    text = actions.create_text(
        ACTOR,
        fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"),
        code=code,
        title=f"BENCH {code}: joint statement (fictional)",
        kind="joint_statement",
        classification="participants",
        languages=["ru", "en"],
        units=[
            {"kind": "preamble" if n <= units // 10 else "operative", "content": _content(n, "ru")}
            for n in range(1, units + 1)
        ],
        is_demo=True,
    )
    unit_list = list(text.units.order_by("order"))
    english = list(UnitVersion.objects.filter(unit__text=text, language="en").select_related("unit"))
    order = {u.pk: u.order for u in unit_list}
    for version in english:
        version.content, version.out_of_date = _content(order[version.unit_id], "en"), False
    UnitVersion.objects.bulk_update(english, ["content", "out_of_date"], batch_size=500)

    states = {s.iso2: s for s in State.objects.all()}
    members = [states[c] for c in queries.member_codes(text)]
    guests = [states["RU"], states["CN"]]
    stances = ("support", "support", "support", "reservation", "objection")
    positions = []
    for n, unit in enumerate(unit_list):
        for m, state in enumerate(members):
            stance = stances[(n + m) % len(stances)]
            note = "" if stance == "support" else f"BENCH note {n}/{m} (fictional)"
            positions.append(Position(unit=unit, state=state, stance=stance, revision=unit.revision, note=note))
            if n % 5 and m % 3 == 0:  # a position on an option of the first bracket
                positions.append(Position(unit=unit, state=state, stance="support", revision=unit.revision,
                                          bracket_index=0, option_index=m % 3))  # fmt: skip
    Position.objects.bulk_create(positions, batch_size=1000)

    statuses = [AmendmentStatus.PROPOSED] * 6 + [AmendmentStatus.ACCEPTED, AmendmentStatus.REJECTED,
                                                  AmendmentStatus.WITHDRAWN]  # fmt: skip
    first = []
    for n in range(amendments):
        unit = unit_list[n % len(unit_list)]
        to_option = n % 4 == 1 and unit.order % 5 != 0
        kind = AmendmentKind.DELETE if n % 7 == 3 else AmendmentKind.INSERT if n % 4 == 2 else AmendmentKind.REPLACE
        first.append(
            Amendment(
                text=text, unit=unit, kind=kind, language="ru", state=members[n % len(members)],
                status=statuses[n % len(statuses)], reason=f"BENCH reason {n} (fictional)",
                content="" if kind == AmendmentKind.DELETE else f"BENCH wording {n} (fictional)",
                bracket_index=0 if to_option and kind != AmendmentKind.INSERT else None,
                option_index=n % 3 if to_option and kind != AmendmentKind.INSERT else None,
            )
        )  # fmt: skip
    # One in ten amends another amendment of the same unit.
    parents, children = first[: amendments - amendments // 10], []
    Amendment.objects.bulk_create(parents, batch_size=1000)
    for n, parent in enumerate(parents[: amendments // 10]):
        children.append(
            Amendment(
                text=text, unit=parent.unit, parent=parent, kind=AmendmentKind.REPLACE, language="ru",
                state=members[(n + 1) % len(members)], content=f"BENCH counter-wording {n} (fictional)",
            )
        )  # fmt: skip
    Amendment.objects.bulk_create(children, batch_size=1000)

    speakers = members + guests
    Comment.objects.bulk_create(
        (Comment(unit=unit_list[n % len(unit_list)], state=speakers[n % len(speakers)],
                 body=f"BENCH comment {n} (fictional)") for n in range(comments)),
        batch_size=1000,
    )  # fmt: skip
    PrivateNote.objects.bulk_create(
        (PrivateNote(text=text, unit=unit_list[n % len(unit_list)], owner_state=states["KZ" if n % 2 else "UZ"],
                     classification="participants", body=f"BENCH red line {n} (fictional)", red_line=n % 4 == 0,
                     is_demo=True) for n in range(notes)),
        batch_size=1000,
    )  # fmt: skip
    snapshot = actions.snapshot(text)
    TextVersion.objects.bulk_create(
        TextVersion(
            text=text,
            number=n,
            actor_label=ACTOR,
            reason=f"BENCH change {n}",
            snapshot=snapshot,
            open_brackets=max(0, 2 * units - n),
        )
        for n in range(2, versions + 2)
    )
    return text


def _viewers() -> dict[str, tuple[Any, Any, Any, dict[str, str]]]:
    """Per viewer: the account (as after two-factor sign-in), a signed-in client for the page, a
    session-less client and headers for the API."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_token
    from kenes.people.models import Account

    viewers = {}
    for name, email in (
        ("secretariat", "secretariat@demo.kenes.invalid"),
        ("delegate KZ", "delegate.kz@demo.kenes.invalid"),
    ):
        account = Account.objects.get(email=email)
        account.is_verified = lambda: True  # type: ignore[method-assign]
        client = Client()
        client.force_login(account)
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        if device is not None:  # the session has passed two-factor sign-in
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        _token, raw = create_token(ACTOR, account, "bench")
        viewers[name] = (account, client, Client(), {"Authorization": f"Bearer {raw}"})
    return viewers


_NUMBER = re.compile(r"\b\d+\b")
_STRING = re.compile(r"'(?:[^']|'')*'")
_IN_LIST = re.compile(r"IN \((?:\?, )*\?\)")


def _shape(sql: str) -> str:
    """A statement with its values taken out, so the same query for two objects counts as one shape."""
    return _IN_LIST.sub("IN (…)", _NUMBER.sub("?", _STRING.sub("?", sql)))


def _capture(call: Callable[[], Any]) -> tuple[float, list[str]]:
    """One call with its statements recorded; returns its wall time and the statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        call()
        elapsed = time.perf_counter() - start
    return elapsed, [q["sql"] for q in ctx.captured_queries]


def _ms_per_call(call: Callable[[], Any], seconds: float, first: float | None = None) -> float:
    """The median wall time of one call over about ``seconds``, and at least 3 calls counting the
    ``first`` one already made (a slow view is not called 20 times: the whole run stays short)."""
    times: list[float] = [first] if first is not None else []
    budget = time.perf_counter() + seconds
    while len(times) < 3 or (time.perf_counter() < budget and len(times) < 200):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=1.0, help="measuring time per endpoint (default 1.0)")
    parser.add_argument("--show-queries", action="store_true", help="print each statement of the big text's reads")
    args, _unknown = parser.parse_known_args()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kenes-bench-room-") as tmp:
        _setup_django(Path(tmp))
        _load()
        _fictional_members()
        from kenes.texts import queries
        from kenes.texts.models import Amendment, Position

        small = _text("bench-room-small", units=30, amendments=500, comments=150, notes=10, versions=4)
        big = _text("bench-room-big", units=300, amendments=5000, comments=1500, notes=100, versions=40)
        members = queries.member_codes(big)
        fictional = [code for code in members if code in FICTIONAL]
        for text in (small, big):
            print(
                f"{text.code}: {text.units.count()} units, {Amendment.objects.filter(text=text).count()} amendments, "
                f"{Position.objects.filter(unit__text=text).count()} positions from "
                f"{Position.objects.filter(unit__text=text).values('state').distinct().count()} delegations, "
                f"{text.text_versions.count()} versions"
            )
        print(f"member delegations: {len(members)}: {', '.join(members)} (fictional: {', '.join(fictional)})")
        print(f"set-up: {time.perf_counter() - started:.1f} s\n")

        viewers = _viewers()
        room = queries.room(viewers["delegate KZ"][0], queries.text_for(viewers["delegate KZ"][0], big.code))
        print(
            f"the big room as delegate KZ: {len(room.rows)} units, {room.open_brackets} open brackets, "
            f"{sum(len(r.amendments) for r in room.rows)} amendments, "
            f"{sum(len(r.positions) for r in room.rows)} whole-unit positions, "
            f"{sum(len(r.notes) for r in room.rows)} of its own private notes\n"
        )

        def room_call(account: Any, code: str) -> Callable[[], Any]:
            return lambda: queries.room(account, queries.text_for(account, code))

        def get_call(client: Any, url: str, headers: dict[str, str]) -> Callable[[], Any]:
            return lambda: get_ok(client, url, headers)  # anything but 200 stops the benchmark (exit 1)

        def api_call(viewer: str, code: str) -> Callable[[], Any]:
            _account, _page, client, headers = viewers[viewer]
            return get_call(client, f"/api/v1/texts/{code}", headers)

        endpoints: dict[str, Callable[[str, str], Callable[[], Any]]] = {
            "queries.room": lambda viewer, code: room_call(viewers[viewer][0], code),
            "room page": lambda viewer, code: get_call(viewers[viewer][1], f"/texts/{code}/", {}),
            "API GET text": api_call,
        }

        grew: list[str] = []
        rows: list[tuple[str, str, int, int, float, float]] = []
        for what, make in endpoints.items():
            for viewer in viewers:
                make(viewer, small.code)()  # warm-up (templates, schemas)
                first_small, sql_small = _capture(make(viewer, small.code))
                first_big, sql_big = _capture(make(viewer, big.code))
                ms_small = _ms_per_call(make(viewer, small.code), args.seconds, first_small)
                ms_big = _ms_per_call(make(viewer, big.code), args.seconds, first_big)
                rows.append((what, viewer, len(sql_small), len(sql_big), ms_small, ms_big))
                if args.show_queries:
                    print(f"{what} as {viewer}, big text:")
                    for sql in sql_big:
                        print(f"    {_shape(sql)[:300]}")
                if len(sql_big) > len(sql_small):
                    before, after = Counter(map(_shape, sql_small)), Counter(map(_shape, sql_big))
                    for shape, count in (after - before).most_common():
                        grew.append(f"{what} as {viewer}: +{count} × {shape[:400]}")

        bare_client = viewers["secretariat"][1]
        get_call(bare_client, "/bench/bare/", {})()  # warm-up
        bare_ms = _ms_per_call(get_call(bare_client, "/bench/bare/", {}), args.seconds)
        print(f"{'':<14}{'':<13}{'queries':>16}{'ms per call':>22}")
        print(f"{'':<14}{'viewer':<13}{'small':>8}{'big':>8}{'small':>11}{'big':>11}   big vs bare view")
        print(f"{'bare view':<14}{'secretariat':<13}{'':>8}{'':>8}{'':>11}{bare_ms:>11.2f}   "
              f"({1000 / bare_ms:.0f} requests/s)")  # fmt: skip
        for what, viewer, q_small, q_big, ms_small, ms_big in rows:
            flag = "   GROWS" if q_big > q_small else ""
            print(
                f"{what:<14}{viewer:<13}{q_small:>8}{q_big:>8}{ms_small:>11.1f}{ms_big:>11.1f}   "
                f"×{ms_big / bare_ms:.0f} ({1000 / ms_big:.1f}/s){flag}"
            )
        print(f"\ntotal: {time.perf_counter() - started:.1f} s")

        if grew:
            print("\nFAIL: the query count grows with the size of the text; statements that grew:")
            for line in grew:
                print(f"  {line}")
            return 1
        print("OK: the query count does not grow with units, amendments, positions or versions")
        return 0


if __name__ == "__main__":
    sys.exit(main())
