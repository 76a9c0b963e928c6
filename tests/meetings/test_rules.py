"""The rules of issue 3 at the level of actions: cadence, chair, lifecycle, invitations, agenda,
delegations, reminders and the scheduling assistant. Each bad input is a clear error that changes
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenes.access.policy import can
from kenes.audit.models import AuditEvent
from kenes.errors import ActionError, Conflict
from kenes.meetings import actions, queries
from kenes.meetings.cadence import CadenceState, add_months, compliance
from kenes.meetings.models import (
    AgendaItem,
    CadenceReminder,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
)
from kenes.meetings.scheduling import Busy, SchedulingError, suggest
from kenes.people.models import Notification
from kenes.states.models import State
from tests.conftest import days_ahead, verified

NAURYZ_2027 = {dt.date(2027, 3, 21), dt.date(2027, 3, 22), dt.date(2027, 3, 23)}


def _rules(fmt: Format, **overrides: Any) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "expected_version": fmt.rules_version,
        "cadence_months": fmt.cadence_months,
        "chair_rule": fmt.chair_rule,
        "rotation_order": fmt.rotation,
        "invitable": fmt.invitable_standings,
        "default_classification": fmt.default_classification,
        "working_languages": fmt.languages,
    }
    rules.update(overrides)
    return rules


@pytest.fixture
def sec(accounts: dict[str, Any]) -> Any:
    return verified(accounts["secretariat"])


@pytest.fixture
def fm() -> Format:
    return Format.objects.get(code="ca_foreign_ministers")


# --- cadence ---------------------------------------------------------------------------------


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 9, 13), 6) == dt.date(2024, 3, 13)
    assert add_months(dt.date(2025, 11, 16), 12) == dt.date(2026, 11, 16)


def test_compliance_states() -> None:
    held = [dt.date(2025, 11, 16)]
    assert compliance(12, held, dt.date(2026, 6, 1)).state == CadenceState.OK
    soon = compliance(12, held, dt.date(2026, 10, 1))
    assert soon.state == CadenceState.DUE_SOON and soon.reminder_due == "60"
    assert compliance(12, held, dt.date(2026, 11, 10)).reminder_due == "7"
    late = compliance(12, held, dt.date(2026, 11, 27))
    assert late.state == CadenceState.OVERDUE and late.days_left == -11 and late.reminder_due == "overdue"
    assert compliance(None, held, dt.date(2026, 1, 1)).state == CadenceState.NO_RULE
    assert compliance(6, [], dt.date(2026, 1, 1)).state == CadenceState.NEVER_HELD
    # A meeting "held" in the future does not count yet.
    assert compliance(12, [dt.date(2027, 1, 1)], dt.date(2026, 1, 1)).state == CadenceState.NEVER_HELD


@pytest.mark.django_db
def test_compliance_comes_from_meetings_actually_held(sec: Any, fm: Format) -> None:
    actions.update_format_rules(sec, fm, **_rules(fm, cadence_months=6))
    fm.refresh_from_db()
    state = queries.format_compliance(fm, today=dt.date(2026, 11, 27), account=sec)
    assert state.last_held == dt.date(2023, 9, 13)  # the real ministers' meeting
    assert state.next_due == dt.date(2024, 3, 13)
    assert state.state == CadenceState.OVERDUE
    meeting = actions.create_meeting(sec, fmt=fm, start_text="2026-11-20", city_en="Test City")
    assert queries.format_compliance(fm, today=dt.date(2026, 11, 27), account=sec).state == CadenceState.OVERDUE
    actions.change_meeting_status(sec, meeting, MeetingStatus.CONVENED)
    actions.change_meeting_status(sec, meeting, MeetingStatus.HELD, today=dt.date(2026, 11, 27))
    after = queries.format_compliance(fm, today=dt.date(2026, 11, 27), account=sec)
    assert after.last_held == dt.date(2026, 11, 20) and after.state == CadenceState.OK


@pytest.mark.django_db
def test_only_agreed_cadences_come_from_the_data(fm: Format) -> None:
    """The leaders' annual rule is in the data (2019 Procedures); the ministers' six months is a
    2022 proposal, so their format has no rule until the secretariat records one."""
    heads = Format.objects.get(code="ca_heads_of_state")
    assert heads.cadence_months == 12 and "2019 Procedures" in heads.rules_basis
    assert fm.cadence_months is None
    state = queries.format_compliance(heads, today=dt.date(2026, 11, 27))
    assert state.last_held == dt.date(2025, 11, 16) and state.next_due == dt.date(2026, 11, 16)


# --- format rules ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cadence_months": 0}, "cadence_months"),
        ({"cadence_months": 61}, "cadence_months"),
        ({"chair_rule": "rotation", "rotation_order": []}, "rotation_order"),
        ({"chair_rule": "rotation", "rotation_order": ["KZ", "RU"]}, "rotation_order"),
        ({"rotation_order": ["KZ", "KZ"]}, "rotation_order"),
        ({"invitable": ["spectator"]}, "invitable"),
        ({"default_classification": "secret"}, "default_classification"),
        ({"working_languages": ["fr"]}, "working_languages"),
        ({"chair_rule": "lottery"}, "chair_rule"),
    ],
)
def test_bad_rules_are_refused(sec: Any, fm: Format, overrides: dict[str, Any], field: str) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ActionError) as excinfo:
        actions.update_format_rules(sec, fm, **_rules(fm, **overrides))
    assert excinfo.value.field == field
    fm.refresh_from_db()
    assert fm.rules_version == 1 and fm.cadence_months is None
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_rules_need_the_secretariat_and_the_current_version(accounts: dict[str, Any], sec: Any, fm: Format) -> None:
    with pytest.raises(PermissionDenied):
        actions.update_format_rules(verified(accounts["kz"]), fm, **_rules(fm, cadence_months=6))
    actions.update_format_rules(sec, fm, **_rules(fm, cadence_months=6))
    with pytest.raises(Conflict):
        actions.update_format_rules(sec, fm, **_rules(fm, cadence_months=3, expected_version=1))
    assert Format.objects.get(pk=fm.pk).cadence_months == 6


@pytest.mark.django_db
def test_next_chair_follows_the_rotation(sec: Any) -> None:
    heads = Format.objects.get(code="ca_heads_of_state")
    chair, reason = queries.next_chair(heads)
    assert chair is None and "no chair rule" in reason
    actions.update_format_rules(
        sec, heads, **_rules(heads, chair_rule="rotation", rotation_order=["KZ", "UZ", "KG", "TM", "TJ", "AZ"])
    )
    heads.refresh_from_db()
    chair, reason = queries.next_chair(heads)  # the last meeting with a chair was VII in Uzbekistan
    assert chair is not None and chair.iso2 == "KG"
    assert "Uzbekistan" in reason


# --- meetings --------------------------------------------------------------------------------


@pytest.mark.clock
@pytest.mark.django_db
def test_create_meeting_numbers_and_validates(sec: Any) -> None:
    heads = Format.objects.get(code="ca_heads_of_state")
    kz = State.objects.get(iso2="KZ")
    day, next_day, extra_day = (days_ahead(n).isoformat() for n in (300, 299, 320))  # clear of the demo sessions
    assert actions.next_ordinal(heads) == "IX"  # I–VIII exist (VIII unverified)
    with pytest.raises(ActionError) as overlap:
        actions.create_meeting(sec, fmt=heads, start_text="2025-11-16", city_en="X")
    assert overlap.value.field == "start_text" and "overlap" in overlap.value.message
    with pytest.raises(ActionError) as chair:
        actions.create_meeting(sec, fmt=heads, start_text=day, chair_state=State.objects.get(iso2="RU"))
    assert chair.value.field == "chair_state"
    with pytest.raises(ActionError) as backwards:
        actions.create_meeting(sec, fmt=heads, start_text=day, end_text=next_day)
    assert backwards.value.field == "end_text"
    with pytest.raises(ActionError):
        actions.create_meeting(sec, fmt=heads, start_text="5 May 2027")
    with pytest.raises(ActionError):
        actions.create_meeting(sec, fmt=heads, start_text=day, timezone_name="Mars/Olympus")
    assert not Meeting.objects.filter(format=heads, start_text=day).exists()
    meeting = actions.create_meeting(sec, fmt=heads, start_text=day, country=kz, city_en="Astana")
    assert meeting.ordinal == "IX" and meeting.code == "ca_heads_of_state-IX"
    assert meeting.classification == heads.default_classification
    extra = actions.create_meeting(sec, fmt=heads, start_text=extra_day, kind="extraordinary")
    assert extra.ordinal == ""


@pytest.mark.clock
@pytest.mark.django_db
def test_lifecycle_transitions(sec: Any, fm: Format) -> None:
    start = days_ahead(60)  # before the demo meeting of this format (about 100 days ahead)
    meeting = actions.create_meeting(sec, fmt=fm, start_text=start.isoformat())
    with pytest.raises(ActionError, match="cannot become"):
        actions.change_meeting_status(sec, meeting, MeetingStatus.HELD)
    meeting = actions.change_meeting_status(sec, meeting, MeetingStatus.CONVENED, expected_version=1)
    with pytest.raises(ActionError, match="before it starts"):
        actions.change_meeting_status(sec, meeting, MeetingStatus.HELD, today=start - dt.timedelta(days=1))
    with pytest.raises(Conflict):
        actions.change_meeting_status(sec, meeting, MeetingStatus.POSTPONED, expected_version=1)
    meeting = actions.change_meeting_status(sec, meeting, MeetingStatus.POSTPONED)
    meeting = actions.reschedule_meeting(sec, meeting, start_text=days_ahead(300).isoformat())
    assert meeting.status == MeetingStatus.PLANNED and meeting.version == 4
    cancelled = actions.change_meeting_status(sec, meeting, MeetingStatus.CANCELLED)
    with pytest.raises(ActionError):
        actions.change_meeting_status(sec, cancelled, MeetingStatus.PLANNED)
    verbs = list(
        AuditEvent.objects.filter(target_id=str(meeting.pk), target_type="meetings.meeting").values_list(
            "verb", flat=True
        )
    )
    assert verbs.count("meeting.status_changed") == 3 and "meeting.rescheduled" in verbs


# --- invitations -----------------------------------------------------------------------------


def _focal_point(iso2: str) -> Any:
    from kenes.people.actions import create_account

    return verified(
        create_account(
            "test",
            email=f"focal.{iso2.lower()}@example.test",
            full_name=f"Focal {iso2}",
            password=None,
            affiliation="state",
            state=State.objects.get(iso2=iso2),
            clearance="participants",
            roles=[(None, "focal_point")],
        )
    )


@pytest.mark.clock
@pytest.mark.django_db
def test_invitation_rules(
    sec: Any, fm: Format, accounts: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    meeting = actions.create_meeting(sec, fmt=fm, start_text=days_ahead(60).isoformat())  # not over: answerable
    with pytest.raises(ActionError, match="member"):
        actions.invite(sec, meeting, state=State.objects.get(iso2="KZ"))
    with pytest.raises(ActionError, match="member"):  # Azerbaijan is a member since 2025-11-16
        actions.invite(sec, meeting, state=State.objects.get(iso2="AZ"))
    from kenes.people.models import Account

    focal_cn = verified(Account.objects.get(email="focal.cn@demo.kenes.invalid"))  # the demo's, as in the README
    with django_capture_on_commit_callbacks(execute=True):
        invitation = actions.invite(sec, meeting, state=State.objects.get(iso2="CN"), standing="guest")
    assert Notification.objects.filter(account=focal_cn, verb="invitation.sent").exists()
    assert [m.to for m in mail.outbox] == [[focal_cn.email]]
    assert "/meetings/" in mail.outbox[0].body and "DEMO" not in mail.outbox[0].body
    with pytest.raises(ActionError, match="already invited"):
        actions.invite(sec, meeting, state=State.objects.get(iso2="CN"))
    # Someone else's invitation: Russia's focal point, and China's mere delegate, cannot answer it.
    with pytest.raises(PermissionDenied):
        actions.answer_invitation(_focal_point("RU"), invitation, accept=True)
    with pytest.raises(PermissionDenied):
        actions.answer_invitation(verified(accounts["cn"]), invitation, accept=True)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING
    assert not can(verified(accounts["cn"]), "view", meeting)
    actions.answer_invitation(focal_cn, invitation, accept=True)
    assert can(verified(accounts["cn"]), "view", meeting)
    with pytest.raises(ActionError, match="already been answered"):
        actions.answer_invitation(focal_cn, invitation, accept=False)
    actions.revoke_invitation(sec, invitation)
    assert not can(verified(accounts["cn"]), "view", meeting)


@pytest.mark.clock
@pytest.mark.django_db
def test_a_format_may_exclude_a_standing(sec: Any, fm: Format) -> None:
    actions.update_format_rules(sec, fm, **_rules(fm, invitable=["guest"]))
    fm.refresh_from_db()
    meeting = actions.create_meeting(sec, fmt=fm, start_text=days_ahead(60).isoformat())
    with pytest.raises(ActionError) as excinfo:
        actions.invite(sec, meeting, state=State.objects.get(iso2="CN"), standing="observer")
    assert excinfo.value.field == "standing"


# --- agenda ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agenda_numbering_hides_members_only_items(sec: Any, accounts: dict[str, Any]) -> None:
    meeting = Meeting.objects.get(code="demo-fm-2027")
    opening = actions.add_agenda_item(sec, meeting, title="Opening (demo)", classification="participants")
    secret = actions.add_agenda_item(sec, meeting, title="Members-only item (demo)", classification="members")
    actions.add_agenda_item(sec, meeting, title="Closing (demo)", classification="participants")
    cn = [(n, i.title) for n, i in queries.agenda_for(verified(accounts["cn"]), meeting)]
    kz = [(n, i.title) for n, i in queries.agenda_for(verified(accounts["kz"]), meeting)]
    assert cn == [(1, "Opening (demo)"), (2, "Closing (demo)")]
    assert kz == [(1, "Opening (demo)"), (2, "Members-only item (demo)"), (3, "Closing (demo)")]
    actions.move_agenda_item(sec, secret, to_position=1)
    assert next(i.title for _n, i in queries.agenda_for(sec, meeting)) == "Members-only item (demo)"
    with pytest.raises(ActionError):
        actions.move_agenda_item(sec, opening, to_position=9)
    with pytest.raises(ActionError) as lower:
        actions.add_agenda_item(sec, meeting, title="Public item", classification="public")
    assert lower.value.field == "classification"
    with pytest.raises(Http404):  # a guest cannot even address a members-only item
        actions.update_agenda_item(verified(accounts["cn"]), secret, status="done")
    with pytest.raises(PermissionDenied):
        actions.update_agenda_item(verified(accounts["kz"]), secret, status="done")
    actions.remove_agenda_item(sec, opening)
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("position", flat=True)) == [1, 2]


# --- delegations -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_delegation_is_kept_by_its_focal_point(accounts: dict[str, Any]) -> None:
    meeting = Meeting.objects.get(code="demo-fm-2027")
    uz = verified(accounts["uz"])
    members = [
        {"full_name": "Demo Head (fictional)", "position_title": "Minister", "role": "head"},
        {"full_name": "Demo Adviser (fictional)", "role": "adviser"},
    ]
    delegation = actions.save_delegation(uz, meeting, members=members)
    assert delegation.state.iso2 == "UZ" and delegation.members.count() == 2
    with pytest.raises(ActionError, match="one head"):
        actions.save_delegation(uz, meeting, members=[*members, {"full_name": "Second", "role": "head"}])
    with pytest.raises(Conflict):
        actions.save_delegation(uz, meeting, members=members, expected_version=1)
    with pytest.raises(PermissionDenied):  # a delegate, not the focal point
        actions.save_delegation(verified(accounts["kz"]), meeting, members=members)
    assert delegation.members.count() == 2


# --- reminders -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminders_are_sent_once_per_step(sec: Any, fm: Format, django_capture_on_commit_callbacks: Any) -> None:
    actions.update_format_rules(sec, fm, **_rules(fm, cadence_months=6))
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.send_cadence_reminders("test", today=dt.date(2026, 11, 27))
    assert ("ca_foreign_ministers", "overdue") in first
    assert actions.send_cadence_reminders("test", today=dt.date(2026, 11, 28)) == []
    notice = Notification.objects.filter(account=sec, verb="cadence.reminder").first()
    assert notice is not None and "overdue" in notice.text and notice.url == "/formats/ca_foreign_ministers/"
    assert CadenceReminder.objects.filter(format=fm, kind="overdue").count() == 1
    assert any("overdue" in m.body for m in mail.outbox)


# --- scheduling ------------------------------------------------------------------------------


def test_suggestions_avoid_weekends_and_holidays() -> None:
    results = suggest(
        start=dt.date(2027, 3, 15),
        end=dt.date(2027, 4, 15),
        days=2,
        holiday_codes=["KZ", "KG", "TJ", "TM", "UZ"],
        deadline=dt.date(2027, 3, 31),
        host="KG",
    )
    assert results
    for s in results:
        span = {s.start + dt.timedelta(days=i) for i in range((s.end - s.start).days + 1)}
        assert not span & NAURYZ_2027
        assert all(d.weekday() < 5 for d in span)
        assert s.host == "KG"
    assert results[0].meets_deadline is True
    near_nauryz = [s for s in results if s.start <= dt.date(2027, 3, 26) and s.end >= dt.date(2027, 3, 18)]
    assert any("Nowruz" in reason for s in near_nauryz for reason in s.avoided)


def test_suggestions_avoid_clashes() -> None:
    busy = [Busy("Other summit", dt.date(2027, 5, 3), dt.date(2027, 5, 5))]
    results = suggest(start=dt.date(2027, 5, 3), end=dt.date(2027, 5, 14), days=1, holiday_codes=[], busy=busy)
    assert all(s.start > dt.date(2027, 5, 5) for s in results)
    assert any("Other summit" in r for s in results for r in s.avoided)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [(dt.date(2027, 5, 3), dt.date(2027, 5, 1), 1), (dt.date(2027, 1, 1), dt.date(2028, 6, 1), 1),
     (dt.date(2027, 1, 1), dt.date(2027, 2, 1), 0), (dt.date(2027, 1, 1), dt.date(2027, 2, 1), 9)],
)  # fmt: skip
def test_bad_windows_are_refused(start: dt.date, end: dt.date, days: int) -> None:
    with pytest.raises(SchedulingError):
        suggest(start=start, end=end, days=days, holiday_codes=[])


@pytest.mark.django_db
def test_date_suggestions_for_a_format(sec: Any, fm: Format) -> None:
    result = queries.date_suggestions(sec, fm, start=dt.date(2027, 3, 15), end=dt.date(2027, 4, 15), days=2,
                                      guests=["CN"])  # fmt: skip
    assert set(result["states"]) >= {"KZ", "KG", "TJ", "TM", "UZ", "AZ", "CN"}
    assert "CN" in result["holiday_calendars"]
    spans = [(s.start, s.end) for s in result["suggestions"]]
    assert spans and all(not ({a + dt.timedelta(days=i) for i in range((b - a).days + 1)} & NAURYZ_2027)
                         for a, b in spans)  # fmt: skip


@pytest.mark.django_db
def test_unnumbered_formats_stay_unnumbered(sec: Any, fm: Format) -> None:
    """The ministers' meeting of 2023 has no ordinal in the sources: the next one is not "I"."""
    meeting = actions.create_meeting(sec, fmt=fm, start_text="2027-02-10")
    assert meeting.ordinal == "" and meeting.code == "ca_foreign_ministers-2027-02-10"
    scs = Format.objects.get(code="ca_security_council_secretaries")  # no meeting recorded yet
    assert actions.create_meeting(sec, fmt=scs, start_text="2027-02-10").ordinal == "I"


def test_organisation_codes_have_no_holiday_calendar() -> None:
    from kenes.meetings.scheduling import holidays_on

    assert holidays_on(dt.date(2027, 3, 22), ["GCC", "EU"]) == []
    assert [code for code, _name in holidays_on(dt.date(2027, 3, 22), ["KZ", "GCC"])] == ["KZ"]
