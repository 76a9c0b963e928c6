"""The pages of formats and meetings: rules, planning, status, invitations, agenda, delegations,
the cadence dashboard and notifications, through the real views and the Django test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from kenes.formats import short_date
from kenes.meetings import actions
from kenes.meetings.models import AgendaItem, Delegation, Format, Invitation, InvitationStatus, Meeting, MeetingStatus
from kenes.people.actions import create_account
from kenes.people.models import Account, Notification
from kenes.states.models import State
from tests.conftest import days_ahead, demo_meeting_day

pytestmark = pytest.mark.django_db

FM = "ca_foreign_ministers"
DEMO = "demo-fm-2027"
PASSWORD = "a-long-password-123"


def _client_for(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def cn_focal(db: Any) -> Account:
    """China's focal point: answers China's invitations (participants clearance, no 2FA)."""
    return create_account(
        "test",
        email="focal.cn@test.kenes.invalid",
        full_name="Wei Test-Focal",
        password=PASSWORD,
        affiliation="state",
        state=State.objects.get(iso2="CN"),
        clearance="participants",
        roles=[(None, "focal_point")],
    )


def _rules(fmt: Format, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": str(fmt.rules_version),
        "cadence_months": "6",
        "rules_basis": "Joint statement of the IV meeting (2022)",
        "chair_rule": "rotation",
        "rotation_order": "KZ;KG;TJ;TM;UZ",
        "decision_rule": "consensus",
        "invitable": ["guest", "guest_of_honour"],
        "default_classification": "participants",
        "working_languages": ["ru", "en"],
    }
    data.update(changes)
    return data


def _text(response: Any) -> str:
    return response.content.decode()


def _planned(fmt_code: str = FM, start: str = "", end: str = "") -> Meeting:
    """A planned meeting, by default 60 and 61 days ahead: still to come, and before the format's demo meeting."""
    start, end = start or days_ahead(60).isoformat(), end or days_ahead(61).isoformat()
    return actions.create_meeting(
        "test", fmt=Format.objects.get(code=fmt_code), start_text=start, end_text=end, city_en="Astana",
        country=State.objects.get(iso2="KZ"), classification="participants",
    )  # fmt: skip


# --- format page and its rules ----------------------------------------------------------------


def test_format_page_shows_rules_and_compliance_to_everyone() -> None:
    page = _text(Client().get(f"/formats/{FM}/"))
    assert "Rules" in page
    assert "no cadence set" in page
    assert "Cadence compliance" in page
    assert "no chair rule is set for this format" in page
    assert "Edit rules" not in page
    assert "Plan next meeting" not in page


@pytest.mark.clock
def test_secretariat_edits_the_rules(signed_in: Any) -> None:
    client = signed_in("secretariat")
    fmt = Format.objects.get(code=FM)
    assert "Edit rules" in _text(client.get(f"/formats/{FM}/"))
    response = client.post(f"/formats/{FM}/rules/", _rules(fmt))
    assert response.status_code == 302
    fmt.refresh_from_db()
    assert (fmt.cadence_months, fmt.chair_rule, fmt.rotation_order) == (6, "rotation", "KZ;KG;TJ;TM;UZ")
    assert fmt.working_languages == "ru;en"
    page = _text(client.get(f"/formats/{FM}/"))
    assert "at least once every 6 months" in page
    assert "Kazakhstan" in page and "first in the rotation order" in page
    assert "overdue" in page  # last held 2023-09-13: due 2024-03-13
    assert short_date(dt.date(2024, 3, 13)) in page
    assert "Plan next meeting" in page


def test_a_cadence_of_zero_is_refused_and_changes_nothing(signed_in: Any) -> None:
    client = signed_in("secretariat")
    fmt = Format.objects.get(code=FM)
    before = (fmt.rules_version, fmt.cadence_months, fmt.chair_rule)
    response = client.post(f"/formats/{FM}/rules/", _rules(fmt, cadence_months="0", rules_basis="my basis"))
    assert response.status_code == 400
    page = _text(response)
    assert "The cadence is at least once every 1 to 60 months." in page
    assert 'value="my basis"' in page  # the input is kept
    fmt.refresh_from_db()
    assert (fmt.rules_version, fmt.cadence_months, fmt.chair_rule) == before


def test_rules_bad_input_and_stale_version(signed_in: Any) -> None:
    client = signed_in("secretariat")
    fmt = Format.objects.get(code=FM)
    response = client.post(f"/formats/{FM}/rules/", _rules(fmt, rotation_order="KZ;CN"))
    assert response.status_code == 400
    assert "CN is not a member" in _text(response)
    response = client.post(f"/formats/{FM}/rules/", _rules(fmt, cadence_months="six"))
    assert response.status_code == 400
    assert "whole number of months" in _text(response)
    response = client.post(f"/formats/{FM}/rules/", _rules(fmt, version=str(fmt.rules_version - 1), rules_basis="mine"))
    assert response.status_code == 409
    assert "Someone else changed these rules" in _text(response)
    assert 'value="mine"' in _text(response)
    fmt.refresh_from_db()
    assert fmt.cadence_months is None


def test_only_the_secretariat_edits_rules_or_plans(signed_in: Any) -> None:
    client = signed_in("kz")
    fmt = Format.objects.get(code=FM)
    response = client.post(f"/formats/{FM}/rules/", _rules(fmt))
    assert response.status_code == 403
    assert "Only the secretariat of this format may do this." in _text(response)
    assert client.get(f"/formats/{FM}/plan/").status_code == 403
    assert client.get(f"/formats/{FM}/new-meeting/").status_code == 403
    assert Client().get(f"/formats/{FM}/plan/").status_code == 302  # to the sign-in page
    fmt.refresh_from_db()
    assert fmt.cadence_months is None


# --- planning -----------------------------------------------------------------------------------


def test_plan_page_suggests_dates_that_avoid_nauryz(signed_in: Any) -> None:
    client = signed_in("secretariat")
    response = client.get(f"/formats/{FM}/plan/", {"start": "2027-03-15", "end": "2027-04-15", "days": "2"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows, "no suggestions"
    nauryz = {dt.date(2027, 3, 21), dt.date(2027, 3, 22), dt.date(2027, 3, 23)}
    for row in rows:
        span = {row["start"] + dt.timedelta(days=i) for i in range((row["end"] - row["start"]).days + 1)}
        assert not span & nauryz, row
        assert all(day.weekday() < 5 for day in span), row
    page = _text(response)
    assert "Plan this date" in page
    assert "Public holidays avoided" in page and "Nowruz" in page
    assert "Weekends avoided" in page
    assert 'id="suggestions"' in page and "<html" in page


def test_holiday_names_in_russian_where_the_package_has_them(signed_in: Any) -> None:
    """Tajik, Turkmen and Kyrgyz calendars have Russian names in ``holidays``; Kazakhstan's and
    Uzbekistan's have none, so theirs stay English, marked lang="en"."""
    client = signed_in("secretariat")
    client.cookies["django_language"] = "ru"
    page = _text(client.get(f"/formats/{FM}/plan/", {"start": "2027-03-15", "end": "2027-04-15", "days": "2"}))
    assert '<span lang="ru">Международный праздник Навруз</span> (TJ)' in page
    assert '<span lang="ru">Народный праздник Нооруз</span> (KG)' in page
    assert '<span lang="en">Nowruz Holiday</span> (KZ)' in page


@pytest.mark.clock
def test_plan_results_come_as_a_fragment_for_htmx(signed_in: Any) -> None:
    client = signed_in("secretariat")
    demo_day = demo_meeting_day()  # about 100 days ahead
    window = {"start": (demo_day - dt.timedelta(days=3)).isoformat(),
              "end": (demo_day + dt.timedelta(days=14)).isoformat(), "days": "1"}  # fmt: skip
    response = client.get(f"/formats/{FM}/plan/", window, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = _text(response)
    assert page.lstrip().startswith('<section id="suggestions"')
    assert "<html" not in page
    # the demo meeting in the window is a clash, said so
    assert "Other meetings avoided" in page and "DEMO" in page


def test_plan_page_bad_window_is_explained(signed_in: Any) -> None:
    client = signed_in("secretariat")
    response = client.get(f"/formats/{FM}/plan/", {"start": "2027-04-01", "end": "2027-03-01", "days": "2"})
    assert response.status_code == 400
    assert "The window ends before it starts." in _text(response)
    response = client.get(f"/formats/{FM}/plan/", {"start": "2027-04-01", "end": "2027-05-01", "days": "9"})
    assert response.status_code == 400
    assert "A meeting lasts 1 to 7 days." in _text(response)


def test_create_a_meeting_from_a_suggestion(signed_in: Any) -> None:
    client = signed_in("secretariat")
    fmt = Format.objects.get(code=FM)
    assert client.post(f"/formats/{FM}/rules/", _rules(fmt)).status_code == 302
    plan = client.get(f"/formats/{FM}/plan/", {"start": "2027-04-05", "end": "2027-05-31", "days": "2"})
    first = plan.context["rows"][0]
    assert first["host"].iso2 == "KZ"
    form = client.get(first["plan_url"])
    assert form.status_code == 200
    page = _text(form)
    assert f'value="{first["start"].isoformat()}"' in page
    assert 'value="Astana"' in page and 'value="Asia/Almaty"' in page
    assert '<option value="KZ" selected>' in page  # host country and chair
    assert '<option value="participants" selected>' in page
    data = {
        "start_text": first["start"].isoformat(),
        "end_text": first["end"].isoformat(),
        "kind": "regular",
        "city_en": "Astana",
        "country": "KZ",
        "chair_state": "KZ",
        "timezone": "Asia/Almaty",
        "classification": "participants",
    }
    response = client.post(f"/formats/{FM}/new-meeting/", data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(format=fmt, start_text=first["start"].isoformat())
    assert response["Location"] == f"/meetings/{meeting.code}/"
    assert (meeting.chair_state.iso2, meeting.timezone, meeting.status) == ("KZ", "Asia/Almaty", "planned")
    page = _text(client.get(response["Location"]))
    assert "Asia/Almaty" in page and "UTC+05:00" in page


def test_new_meeting_form_says_no_empty_ordinal_and_takes_russian_and_english_titles(signed_in: Any) -> None:
    """The sources number no foreign ministers' meeting: the form says so (never "()"), and the
    meeting gets its own title in Russian and English, shown in the reader's language."""
    from django.utils import translation

    client = signed_in("secretariat")
    assert actions.next_ordinal(Format.objects.get(code=FM)) == ""
    page = _text(client.get(f"/formats/{FM}/new-meeting/"))
    assert "()" not in page
    assert "The sources do not number this format's meetings" in page
    assert 'name="title_ru"' in page and 'name="title_en"' in page
    titles = {"title_ru": "ДЕМО — Совещание министров (тест)", "title_en": "DEMO — Ministers' meeting (test)"}
    data = {"start_text": "2027-05-12", "kind": "regular", "city_en": "Khiva", "country": "UZ", "chair_state": "UZ",
            "timezone": "", "classification": "participants", **titles}  # fmt: skip
    response = client.post(f"/formats/{FM}/new-meeting/", data)
    assert response.status_code == 302, _text(response)[:2000]
    meeting = Meeting.objects.get(format__code=FM, start_text="2027-05-12")
    assert (meeting.title_ru, meeting.title_en) == (titles["title_ru"], titles["title_en"])
    with translation.override("ru"):
        assert meeting.display_title == titles["title_ru"]
    with translation.override("en"):
        assert meeting.display_title == titles["title_en"]
    client.cookies["django_language"] = "ru"
    page = _text(client.get(f"/formats/{FM}/new-meeting/"))
    assert "Источники не нумеруют встречи этого формата" in page and "()" not in page


def test_create_meeting_bad_input_keeps_the_form(signed_in: Any) -> None:
    client = signed_in("secretariat")
    count = Meeting.objects.count()
    data = {"start_text": "2027-05-12", "end_text": "2027-05-10", "kind": "regular", "city_en": "Khiva",
            "country": "UZ", "chair_state": "", "timezone": "", "classification": "participants"}  # fmt: skip
    response = client.post(f"/formats/{FM}/new-meeting/", data)
    assert response.status_code == 400
    assert "The meeting ends before it starts." in _text(response)
    assert 'value="Khiva"' in _text(response)
    data.update(end_text="2027-05-12", chair_state="CN")
    response = client.post(f"/formats/{FM}/new-meeting/", data)
    assert response.status_code == 400
    assert "The chair must be a member state" in _text(response)
    assert Meeting.objects.count() == count


# --- meeting status -----------------------------------------------------------------------------


@pytest.mark.clock
def test_status_buttons_follow_the_transitions(signed_in: Any) -> None:
    client = signed_in("secretariat")
    meeting = _planned()
    page = _text(client.get(f"/meetings/{meeting.code}/"))
    for label in ("Convene", "Postpone", "Cancel the meeting"):
        assert label in page
    assert "Mark as held" not in page
    response = client.post(f"/meetings/{meeting.code}/status/", {"to": "convened", "version": meeting.version})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED
    page = _text(client.get(f"/meetings/{meeting.code}/"))
    assert "Mark as held" in page and "Convene<" not in page
    # a stale form is refused, not applied
    response = client.post(f"/meetings/{meeting.code}/status/", {"to": "postponed", "version": meeting.version - 1})
    assert response.status_code == 409
    assert "Someone else changed this meeting" in _text(response)
    # a future meeting cannot be held yet
    response = client.post(f"/meetings/{meeting.code}/status/", {"to": "held", "version": meeting.version})
    assert response.status_code == 400
    assert "cannot be marked held before it starts" in _text(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED


@pytest.mark.clock
def test_reschedule_form(signed_in: Any) -> None:
    client = signed_in("secretariat")
    meeting = _planned()
    moved, moved_end = days_ahead(67).isoformat(), days_ahead(68).isoformat()
    data = {"start_text": moved, "end_text": moved_end, "city_en": "Almaty", "version": meeting.version}
    assert client.post(f"/meetings/{meeting.code}/reschedule/", data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.start_text, meeting.city_en) == (moved, "Almaty")
    data = {"start_text": days_ahead(69).isoformat(), "end_text": days_ahead(50).isoformat(), "city_en": "Almaty",
            "version": meeting.version}  # fmt: skip
    response = client.post(f"/meetings/{meeting.code}/reschedule/", data)
    assert response.status_code == 400
    assert "The meeting ends before it starts." in _text(response)


def test_members_and_guests_see_no_secretariat_controls(signed_in: Any) -> None:
    clients = {who: signed_in(who) for who in ("kz", "cn")}
    for client in clients.values():
        page = _text(client.get(f"/meetings/{DEMO}/"))
        assert "Convene" not in page and "Add an item" not in page and "Export members (CSV)" not in page
    response = clients["kz"].post(f"/meetings/{DEMO}/status/", {"to": "convened", "version": 1})
    assert response.status_code == 403
    assert Meeting.objects.get(code=DEMO).status == MeetingStatus.PLANNED


# --- invitations --------------------------------------------------------------------------------


@pytest.mark.clock
def test_invite_answer_and_revoke(signed_in: Any, cn_focal: Account) -> None:
    secretariat = signed_in("secretariat")
    meeting = _planned()
    page = _text(secretariat.get(f"/meetings/{meeting.code}/"))
    assert "Guests take part without a say in decisions." in page
    assert '<option value="CN"' in page and '<option value="KZ"' not in page  # members are not invited

    response = secretariat.post(f"/meetings/{meeting.code}/invitations/", {"state": "KZ", "standing": "guest"})
    assert response.status_code == 400
    assert "members are not invited as guests" in _text(response)
    response = secretariat.post(f"/meetings/{meeting.code}/invitations/", {"state": "CN", "standing": "guest"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(meeting=meeting, state__iso2="CN")
    assert invitation.status == InvitationStatus.PENDING

    focal = _client_for(cn_focal.email)
    # China's focal point is told, and the page shows the invitation (not the meeting's material) to answer it
    assert Notification.objects.filter(account=cn_focal, url=f"/meetings/{meeting.code}/").exists()
    pending = focal.get(f"/meetings/{meeting.code}/")
    assert pending.status_code == 200
    assert "An invitation for your delegation" in _text(pending)
    assert "Agenda" not in _text(pending)
    # China's demo delegate (not its focal point) cannot answer, nor can another state's focal point
    assert signed_in("cn").post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/answer/",
                                {"answer": "accept"}).status_code == 403  # fmt: skip
    assert signed_in("uz").post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/answer/",
                                {"answer": "accept"}).status_code == 403  # fmt: skip
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING

    response = focal.post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/answer/", {"answer": "accept"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    page = _text(focal.get(f"/meetings/{meeting.code}/"))
    assert "Agenda" in page and "Accept<" not in page
    # answering twice is explained
    response = focal.post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/answer/", {"answer": "decline"})
    assert response.status_code == 400
    assert "already been answered" in _text(response)

    assert "Revoke" in _text(secretariat.get(f"/meetings/{meeting.code}/"))
    response = secretariat.post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert focal.get(f"/meetings/{meeting.code}/").status_code == 404  # access is gone at once


@pytest.mark.clock
def test_declining_an_invitation(cn_focal: Account, signed_in: Any) -> None:
    meeting = _planned()
    invitation = actions.invite("test", meeting, state=State.objects.get(iso2="CN"))
    focal = _client_for(cn_focal.email)
    response = focal.post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/answer/", {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert focal.get(f"/meetings/{meeting.code}/").status_code == 404


@pytest.mark.clock
def test_a_guest_sees_no_other_invitations_than_accepted_ones(signed_in: Any) -> None:
    meeting = _planned()
    actions.invite("test", meeting, state=State.objects.get(iso2="RU"))
    cn = actions.invite("test", meeting, state=State.objects.get(iso2="CN"))
    actions.answer_invitation("test", cn, accept=True)
    page = _text(signed_in("cn").get(f"/meetings/{meeting.code}/"))
    assert "China" in page and "Russia" not in page
    assert "Russia" in _text(signed_in("kz").get(f"/meetings/{meeting.code}/"))


def test_invisible_meetings_are_404_for_every_action(signed_in: Any) -> None:
    client = signed_in("cn")  # its invitation to the extraordinary demo session was revoked
    code = "demo-hos-extra-2027"
    assert client.get(f"/meetings/{code}/").status_code == 404
    for url in ("status/", "reschedule/", "invitations/", "agenda/", "delegation/"):
        assert client.post(f"/meetings/{code}/{url}", {}).status_code == 404, url
    assert client.get(f"/meetings/{code}/delegations.csv").status_code == 404


# --- agenda -------------------------------------------------------------------------------------


def _add(client: Client, title: str, level: str, **extra: Any) -> Any:
    return client.post(f"/meetings/{DEMO}/agenda/", {"title": title, "classification": level, **extra})


def _numbers_and_titles(page: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<span class="agenda-num" aria-hidden="true">(\d+)</span>.*?</span>([^<]+)</p>', page, flags=re.S
    )


def test_agenda_add_reorder_status_and_what_a_guest_sees(signed_in: Any) -> None:
    secretariat = signed_in("secretariat")
    briefing = Meeting.objects.get(code=DEMO).documents.get(code="demo-fm-2027-agenda")
    assert _add(secretariat, "Opening of the meeting", "participants", presenter="Chair",
                documents=[str(briefing.pk)]).status_code == 302  # fmt: skip
    assert _add(secretariat, "Members-only consultation on water", "members").status_code == 302
    assert _add(secretariat, "Closing statement", "participants").status_code == 302
    page = _text(secretariat.get(f"/meetings/{DEMO}/"))
    assert _numbers_and_titles(page) == [
        ("1", "Opening of the meeting"),
        ("2", "Members-only consultation on water"),
        ("3", "Closing statement"),
    ]
    assert "DEMO draft agenda shared with guests (fictional)" in page

    # China's delegate: the members-only item is not there, not even as a gap in the numbering
    guest_page = _text(signed_in("cn").get(f"/meetings/{DEMO}/"))
    assert "Members-only consultation on water" not in guest_page
    assert _numbers_and_titles(guest_page) == [("1", "Opening of the meeting"), ("2", "Closing statement")]

    # reorder through HTMX: the agenda section comes back alone
    closing = AgendaItem.objects.get(title="Closing statement")
    response = secretariat.post(
        f"/meetings/{DEMO}/agenda/{closing.pk}/move/", {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = _text(response)
    assert fragment.startswith('<section id="agenda"') and "<html" not in fragment
    assert [t for _n, t in _numbers_and_titles(fragment)] == [
        "Opening of the meeting",
        "Closing statement",
        "Members-only consultation on water",
    ]
    # and without JavaScript: a plain POST and back to the meeting page
    opening = AgendaItem.objects.get(title="Opening of the meeting")
    response = secretariat.post(f"/meetings/{DEMO}/agenda/{opening.pk}/move/", {"direction": "down"})
    assert response.status_code == 302 and response["Location"].endswith("#agenda")
    assert list(AgendaItem.objects.filter(meeting__code=DEMO).values_list("title", flat=True)) == [
        "Closing statement",
        "Opening of the meeting",
        "Members-only consultation on water",
    ]
    guest_page = _text(signed_in("cn").get(f"/meetings/{DEMO}/"))
    assert _numbers_and_titles(guest_page) == [("1", "Closing statement"), ("2", "Opening of the meeting")]

    # moving the first item up is explained, not applied
    response = secretariat.post(f"/meetings/{DEMO}/agenda/{closing.pk}/move/", {"direction": "up"},
                                HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 400
    assert "There is no such place on the agenda." in _text(response)

    # status
    opening.refresh_from_db()
    response = secretariat.post(
        f"/meetings/{DEMO}/agenda/{opening.pk}/status/", {"status": "done", "version": opening.version},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    opening.refresh_from_db()
    assert opening.status == "done"
    response = secretariat.post(
        f"/meetings/{DEMO}/agenda/{opening.pk}/status/", {"status": "pending", "version": opening.version - 1}
    )
    assert response.status_code == 409
    assert "Someone else changed this item" in _text(response)

    # a guest cannot reorder, and an item it may not see does not exist for it
    members_item = AgendaItem.objects.get(title="Members-only consultation on water")
    guest = signed_in("cn")
    assert guest.post(f"/meetings/{DEMO}/agenda/{members_item.pk}/move/", {"direction": "up"}).status_code == 404
    assert guest.post(f"/meetings/{DEMO}/agenda/{opening.pk}/move/", {"direction": "up"}).status_code == 403


def test_agenda_bad_input(signed_in: Any) -> None:
    secretariat = signed_in("secretariat")
    response = _add(secretariat, "   ", "participants")
    assert response.status_code == 400
    assert "Give the item a title" in _text(response)
    response = _add(secretariat, "Too open", "public", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "classified at least as high as its meeting" in _text(response)
    assert 'value="Too open"' in _text(response)
    assert not AgendaItem.objects.filter(meeting__code=DEMO).exists()


# --- delegations --------------------------------------------------------------------------------


def _rows(*rows: tuple[str, str, str]) -> dict[str, str]:
    data = {"rows": str(len(rows) + 1)}
    for index, (name, position, role) in enumerate(rows):
        data.update({f"full_name_{index}": name, f"position_title_{index}": position, f"role_{index}": role})
    data.update({f"full_name_{len(rows)}": "", f"position_title_{len(rows)}": "", f"role_{len(rows)}": "member"})
    return data


def test_focal_point_keeps_the_delegation_list(signed_in: Any) -> None:
    uz = signed_in("uz")
    page = _text(uz.get(f"/meetings/{DEMO}/"))
    assert "Your delegation's list" in page
    response = uz.post(
        f"/meetings/{DEMO}/delegation/",
        _rows(("Dilnoza Demo-Minister", "Minister of Foreign Affairs", "head"), ("Timur Demo-Adviser", "", "adviser")),
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(meeting__code=DEMO, state__iso2="UZ")
    assert [m.full_name for m in delegation.members.all()] == ["Dilnoza Demo-Minister", "Timur Demo-Adviser"]
    kz = signed_in("kz")
    page = _text(kz.get(f"/meetings/{DEMO}/"))
    assert "Dilnoza Demo-Minister" in page and "head of delegation" in page
    assert "Your delegation" not in page  # a delegate, not the focal point

    # two heads: refused, nothing changed, the input kept
    data = _rows(("A Demo", "", "head"), ("B Demo", "", "head"))
    data["version"] = str(delegation.version)
    response = uz.post(f"/meetings/{DEMO}/delegation/", data)
    assert response.status_code == 400
    assert "A delegation has one head." in _text(response)
    assert 'value="B Demo"' in _text(response)
    assert delegation.members.count() == 2
    # a stale list
    data = _rows(("C Demo", "", "head"))
    data["version"] = str(delegation.version - 1)
    response = uz.post(f"/meetings/{DEMO}/delegation/", data)
    assert response.status_code == 409
    assert 'value="C Demo"' in _text(response)
    # a delegate is refused
    assert kz.post(f"/meetings/{DEMO}/delegation/", _rows(("X", "", "head"))).status_code == 403


def test_members_csv_for_the_secretariat_only(signed_in: Any) -> None:
    meeting = Meeting.objects.get(code=DEMO)
    actions.save_delegation(
        "test", meeting, state=State.objects.get(iso2="UZ"),
        members=[{"full_name": "=HYPERLINK(1)", "position_title": "Minister", "role": "head"}],
    )  # fmt: skip
    secretariat = signed_in("secretariat")
    page = _text(secretariat.get(f"/meetings/{DEMO}/"))
    assert "Export members (CSV)" in page
    response = secretariat.get(f"/meetings/{DEMO}/delegations.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "State,State code,No.,Full name,Position,Role" in body
    assert "Uzbekistan,UZ,1,'=HYPERLINK(1),Minister,head of delegation" in body
    response = signed_in("kz").get(f"/meetings/{DEMO}/delegations.csv")
    assert response.status_code == 403
    assert Client().get(f"/meetings/{DEMO}/delegations.csv").status_code == 302


def test_meeting_page_queries_do_not_grow_with_agenda_and_delegations(signed_in: Any) -> None:
    client = signed_in("secretariat")
    meeting = Meeting.objects.get(code=DEMO)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/meetings/{DEMO}/").status_code == 200
        return len(queries)

    actions.add_agenda_item("test", meeting, title="One")
    actions.save_delegation("test", meeting, state=State.objects.get(iso2="UZ"),
                            members=[{"full_name": "A", "role": "head"}])  # fmt: skip
    few = count()
    for n in range(6):
        actions.add_agenda_item("test", meeting, title=f"Item {n}", classification="members")
    for iso2 in ("KZ", "KG", "TJ"):
        actions.save_delegation("test", meeting, state=State.objects.get(iso2=iso2),
                                members=[{"full_name": f"{iso2} {i}", "role": "member"} for i in range(5)])  # fmt: skip
    assert count() == few


# --- cadence dashboard and notifications --------------------------------------------------------


@pytest.mark.clock
def test_cadence_dashboard(signed_in: Any) -> None:
    page = _text(Client().get("/cadence/"))
    assert "Cadence" in page and "no rule" in page
    client = signed_in("secretariat")
    fmt = Format.objects.get(code=FM)
    client.post(f"/formats/{FM}/rules/", _rules(fmt))
    response = client.get("/cadence/")
    assert response.status_code == 200
    page = _text(response)
    assert escape(fmt.name_en) in page
    assert "cadence-overdue" in page and short_date(dt.date(2024, 3, 13)) in page and "days overdue" in page
    assert 'href="/cadence/"' in page  # in the header


@pytest.mark.clock
def test_notifications_page_badge_and_mark_all_read(cn_focal: Account) -> None:
    meeting = _planned()
    actions.invite("test", meeting, state=State.objects.get(iso2="CN"))
    focal = _client_for(cn_focal.email)
    page = _text(focal.get("/"))
    assert '<span class="badge" title="unread"' in page  # the bell's badge (the work panel has its own counts)
    response = focal.get("/notifications/")
    assert response.status_code == 200
    page = _text(response)
    assert "Your delegation is invited to a meeting." in page
    assert f'href="/meetings/{meeting.code}/"' in page
    assert "Mark all as read" in page
    assert focal.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(account=cn_focal, read_at__isnull=True).exists()
    assert '<span class="badge" title="unread"' not in _text(focal.get("/"))
    assert Client().get("/notifications/").status_code == 302


def test_notification_links_stay_inside_kenes(cn_focal: Account) -> None:
    Notification.objects.create(account=cn_focal, verb="test", text="Elsewhere", url="//evil.example/x")
    page = _text(_client_for(cn_focal.email).get("/notifications/"))
    assert "Elsewhere" in page and "evil.example" not in page


@pytest.mark.clock
def test_the_pages_speak_russian(signed_in: Any) -> None:
    from kenes.i18n_compile import compile_all

    compile_all()
    client = signed_in("secretariat")
    assert client.post("/i18n/setlang/", {"language": "ru", "next": "/"}).status_code == 302
    fmt = Format.objects.get(code=FM)
    client.post(f"/formats/{FM}/rules/", _rules(fmt))
    page = _text(client.get(f"/formats/{FM}/"))
    assert "Правила" in page and "не реже одного раза в 6 месяцев" in page and "Запланировать следующую встречу" in page
    page = _text(client.get(f"/formats/{FM}/plan/", {"start": "2027-03-15", "end": "2027-04-15", "days": "2"}))
    assert "Предлагаемые даты" in page and "Запланировать на эту дату" in page
    page = _text(client.get(f"/meetings/{DEMO}/"))
    assert "Повестка дня" in page and "Гости участвуют без права голоса" in page and "Созвать" in page
    page = _text(client.get("/cadence/"))
    assert "Периодичность" in page and "просрочено" in page
