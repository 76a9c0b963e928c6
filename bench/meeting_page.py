"""Benchmark (issue 3, item 10): the meeting page and its API answer in a number of queries that
does not grow with the size of the meeting; requests/s of each next to a bare Django view.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/meeting_page.py``). It builds a
throw-away SQLite database in a temporary folder (the real one is never touched), loads the real
reference data and the demo accounts, then creates two meetings of the heads-of-state format:

* small: 5 agenda items, 1 delegation of 3, 1 linked document;
* big:   60 agenda items (public / participants / members in turn), 300 participants, 20 linked
  documents, 2 accepted guests.

The brief asked for 15 delegations of 20. A delegation is one per (meeting, state) and only
member states and accepted guests send one: the reference data has 8 states (6 members on the
meeting's date and 2 guests), so the big meeting has 8 delegations of 37–38 people, 300 in all.

Each viewer (anonymous, a guest delegate, the secretariat after two-factor sign-in) reads both
meetings; the script prints the query counts and exits 1 when the big meeting costs more queries
than the small one, printing the statements whose count grew, or when an endpoint answers
anything but 200. Requests/s are measured with
``django.test.Client`` (in-process, no network), so they compare views, not servers.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_URLCONF = "kenes_bench_urls"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import get_ok, load_data, setup_django  # noqa: E402

ACTOR = "bench"


def _setup_django(tmp: Path) -> None:
    setup_django(tmp, BENCH_URLCONF)


def _load() -> None:
    load_data()


def _days_ahead(days: int) -> str:
    """A day well ahead of today (ISO), clear of the demo meetings, so the benchmark never expires."""
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _meeting(code: str, day: str, *, items: int, delegations: list[tuple[str, int]], documents: int) -> Any:
    """A public meeting with ``items`` agenda items of mixed levels and the given delegations."""
    from kenes.access.levels import Classification
    from kenes.meetings import actions
    from kenes.meetings.models import DelegationRole, Format, Standing
    from kenes.states.models import State

    fmt = Format.objects.get(code="ca_heads_of_state")
    states = {s.iso2: s for s in State.objects.all()}
    meeting = actions.create_meeting(
        ACTOR,
        fmt=fmt,
        code=code,
        title_en=f"BENCH {code} (fictional)",
        start_text=day,
        end_text=day,
        city_en="Astana",
        country=states["KZ"],
        timezone_name="Asia/Almaty",
        classification=Classification.PUBLIC,
        ordinal="",
        is_demo=True,
    )
    for iso2, _size in delegations:
        if iso2 in ("RU", "CN"):
            invitation = actions.invite(ACTOR, meeting, state=states[iso2], standing=Standing.GUEST)
            actions.answer_invitation(ACTOR, invitation, accept=True)
    levels = [Classification.PUBLIC, Classification.PARTICIPANTS, Classification.MEMBERS]
    docs = [
        actions.create_document(
            ACTOR,
            fmt=fmt,
            meeting=meeting,
            code=f"{code}-doc-{n}",
            title_en=f"BENCH document {n} (fictional)",
            kind="note",
            classification=levels[n % 3],
            is_demo=True,
        )
        for n in range(documents)
    ]
    for n in range(items):
        linked = [docs[n % len(docs)]] if docs and n < len(docs) else []
        if linked and rank_of(linked[0].classification) > rank_of(levels[n % 3]):
            linked = []
        actions.add_agenda_item(
            ACTOR,
            meeting,
            title=f"BENCH item {n + 1} (fictional)",
            classification=levels[n % 3],
            presenter=f"Presenter {n % 7}",
            documents=linked,
        )
    for iso2, size in delegations:
        members = [
            {
                "full_name": f"BENCH {iso2} delegate {n + 1}",
                "position_title": "Adviser",
                "role": DelegationRole.HEAD if n == 0 else DelegationRole.MEMBER,
            }
            for n in range(size)
        ]
        actions.save_delegation(ACTOR, meeting, members=members, state=states[iso2])
    return meeting


def rank_of(level: str) -> int:
    from kenes.access.levels import rank

    return rank(level)


def _clients() -> dict[str, tuple[Any, Any, dict[str, str]]]:
    """Per viewer: a signed-in test client for the page, a session-less one and headers for the API."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_token
    from kenes.people.models import Account

    viewers: dict[str, tuple[Any, Any, dict[str, str]]] = {"anonymous": (Client(), Client(), {})}
    for name, email in (("guest CN", "guest.cn@demo.kenes.invalid"), ("secretariat", "secretariat@demo.kenes.invalid")):
        account = Account.objects.get(email=email)
        client = Client()
        client.force_login(account)
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        if device is not None:  # the session has passed two-factor sign-in
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        _token, raw = create_token(ACTOR, account, "bench")
        # API clients send the token alone, without a session cookie.
        viewers[name] = (client, Client(), {"Authorization": f"Bearer {raw}"})
    return viewers


_NUMBER = re.compile(r"\b\d+\b")
_STRING = re.compile(r"'(?:[^']|'')*'")
_IN_LIST = re.compile(r"IN \((?:\?, )*\?\)")


def _shape(sql: str) -> str:
    """A statement with its values taken out, so the same query for two objects counts as one shape."""
    return _IN_LIST.sub("IN (…)", _NUMBER.sub("?", _STRING.sub("?", sql)))


def _capture(client: Any, url: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        get_ok(client, url, headers)  # anything but 200 stops the benchmark (exit 1)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _rate(call: Callable[[], Any], seconds: float) -> float:
    for _ in range(3):
        call()
    count, start = 0, time.perf_counter()
    while True:
        call()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= 10:
            return count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per endpoint (default 1.5)")
    parser.add_argument("--show-queries", action="store_true", help="print each statement of the big meeting's reads")
    args, _unknown = parser.parse_known_args()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kenes-bench-") as tmp:
        _setup_django(Path(tmp))
        _load()
        from kenes.meetings.models import AgendaItem, DelegationMember, Meeting

        small = _meeting("bench-small", _days_ahead(400), items=5, delegations=[("KZ", 3)], documents=1)
        states = ("KZ", "KG", "TJ", "TM", "UZ", "AZ", "RU", "CN")
        big_delegations = [(iso2, 38 if n < 4 else 37) for n, iso2 in enumerate(states)]
        big = _meeting("bench-big", _days_ahead(420), items=60, delegations=big_delegations, documents=20)
        for meeting in (small, big):
            m = Meeting.objects.get(pk=meeting.pk)
            print(
                f"{m.code}: {AgendaItem.objects.filter(meeting=m).count()} agenda items, "
                f"{m.delegations.count()} delegations, "
                f"{DelegationMember.objects.filter(delegation__meeting=m).count()} participants, "
                f"{m.documents.count()} documents, {m.invitations.count()} guests"
            )
        print("note: 8 delegations, not 15: one per state and the data has 8 states (6 members + 2 guests)")
        print(f"set-up: {time.perf_counter() - started:.1f} s\n")

        viewers = _clients()
        endpoints = {
            "page": lambda code: f"/meetings/{code}/",
            "API": lambda code: f"/api/v1/meetings/{code}",
        }
        grew: list[str] = []
        print(f"{'queries':<10}{'viewer':<14}{'small':>7}{'big':>7}")
        for what, url_of in endpoints.items():
            for viewer, (page_client, api_client, api_headers) in viewers.items():
                client, headers = (api_client, api_headers) if what == "API" else (page_client, {})
                n_small, sql_small = _capture(client, url_of(small.code), headers)
                n_big, sql_big = _capture(client, url_of(big.code), headers)
                flag = "" if n_big <= n_small else "   GROWS"
                print(f"{what:<10}{viewer:<14}{n_small:>7}{n_big:>7}{flag}")
                if args.show_queries:
                    for sql in sql_big:
                        print(f"    {_shape(sql)[:300]}")
                if n_big > n_small:
                    before, after = Counter(map(_shape, sql_small)), Counter(map(_shape, sql_big))
                    for shape, count in (after - before).most_common():
                        grew.append(f"{what} as {viewer}: +{count} × {shape[:400]}")

        for viewer in ("anonymous", "guest CN", "secretariat"):
            shown = get_ok(viewers[viewer][0], f"/meetings/{big.code}/").content.decode()
            items = len(set(re.findall(r"BENCH item (\d+) ", shown)))
            people = len(set(re.findall(r"BENCH (\w\w) delegate (\d+)", shown)))
            print(f"the big page as {viewer} shows {items} of 60 agenda items and {people} of 300 participants")

        print(f"\n{'requests/s':<26}{'viewer':<14}{'small':>9}{'big':>9}")
        for viewer in ("anonymous", "secretariat"):
            page_client, api_client, api_headers = viewers[viewer]
            bare = _rate(partial(get_ok, page_client, "/bench/bare/"), args.seconds)
            print(f"{'bare view (HttpResponse)':<26}{viewer:<14}{bare:>9.0f}{'':>9}")
            for what, url_of in endpoints.items():
                client, headers = (api_client, api_headers) if what == "API" else (page_client, {})
                small_rate, big_rate = (
                    _rate(partial(get_ok, client, url_of(code), headers), args.seconds)
                    for code in (small.code, big.code)
                )
                share = f"(big: {big_rate / bare:.1%} of bare)"
                print(f"{what:<26}{viewer:<14}{small_rate:>9.0f}{big_rate:>9.0f}   {share}")
        print(f"\ntotal: {time.perf_counter() - started:.1f} s")

        if grew:
            print("\nFAIL: the query count grows with the size of the meeting; statements that grew:")
            for line in grew:
                print(f"  {line}")
            return 1
        print("OK: the query count does not grow with agenda items, delegations or participants")
        return 0


if __name__ == "__main__":
    sys.exit(main())
