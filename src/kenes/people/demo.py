"""Fictional demo accounts and demo material at every classification level.

Every person and text here is invented and marked as demo; real facts come only from the
reference data. Loading twice changes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.audit import log as audit
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Document, Format, Invitation, InvitationStatus, Meeting, MeetingStatus, Standing
from kenes.people import actions
from kenes.people.demo_accounts import ACCOUNTS, GUEST_FORMATS, MEMBER_STATES, DemoAccount
from kenes.people.models import Account
from kenes.states.models import State

DEMO_PASSWORD = "kenes-demo-2026"
ACTOR = "load_demo"


DEMO_NOTE = "DEMO — fictional material for trying Kenes; not a real document."

# The demo material is dated from the day ``load_demo`` runs, so it stays in the future whenever the
# demo (or the test database) is built; only the codes keep the year they were first written with.
# The real reference data keeps its real dates.
DEMO_MEETING = "demo-fm-2027"  # the foreign ministers' consultation, about 100 days ahead
DEMO_EXTRA_MEETING = "demo-hos-extra-2027"  # the extraordinary leaders' session, about 180 days ahead
DEMO_MEETING_DAYS_AHEAD = 100
DEMO_EXTRA_MEETING_DAYS_AHEAD = 180


def demo_day(days_ahead: int, today: dt.date | None = None) -> dt.date:
    """``days_ahead`` days after today, moved on to the next Tuesday, Wednesday or Thursday."""
    day = (today or timezone.localdate()) + dt.timedelta(days=days_ahead)
    while day.weekday() not in (1, 2, 3):
        day += dt.timedelta(days=1)
    return day


@cache
def demo_password_hash() -> str:
    """The demo password hashed once per process: Argon2 takes about 0.1 s a call, and every demo
    account shares the one published password anyway (the test suite loads the demo ~100 times)."""
    return make_password(DEMO_PASSWORD)


def ensure_accounts() -> list[tuple[DemoAccount, Account, str | None]]:
    """The demo accounts, with the base32 TOTP secret of those that need two-factor sign-in."""
    formats = {f.code: f for f in Format.objects.filter(code__in=GUEST_FORMATS)}
    result = []
    for spec in ACCOUNTS:
        account = Account.objects.filter(email=spec.email).first()
        if account is None:
            roles = [(formats[code] if code else None, role) for code, role in spec.roles]
            account = actions.create_account(
                ACTOR,
                email=spec.email,
                full_name=spec.full_name,
                password=None,
                password_hash=demo_password_hash(),
                affiliation=spec.affiliation,
                state=State.objects.get(iso2=spec.state) if spec.state else None,
                clearance=spec.clearance,
                roles=roles,
                is_demo=True,
                check_password=False,
            )
        secret = None
        if account.requires_two_factor:
            device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
            if device is None:
                with transaction.atomic():
                    device = TOTPDevice.objects.create(user=account, name="Demo authenticator", confirmed=True)
                    audit.record(ACTOR, "account.two_factor_enabled", account, demo=True)
            secret = base64.b32encode(device.bin_key).decode()
        result.append((spec, account, secret))
    return result


def ensure_material() -> None:
    """A fictional meeting with guests and one document at every level, plus a revoked invitation."""
    if Meeting.objects.filter(code=DEMO_MEETING).exists():
        return
    meeting_day = demo_day(DEMO_MEETING_DAYS_AHEAD).isoformat()
    extra_day = demo_day(DEMO_EXTRA_MEETING_DAYS_AHEAD).isoformat()
    fm = Format.objects.get(code="ca_foreign_ministers")
    heads = Format.objects.get(code="ca_heads_of_state")
    scs = Format.objects.get(code="ca_security_council_secretaries")
    states = {s.iso2: s for s in State.objects.all()}
    meeting = meeting_actions.create_meeting(
        ACTOR,
        fmt=fm,
        code=DEMO_MEETING,
        title_en="DEMO — Foreign ministers' consultation (fictional)",
        start_text=meeting_day,
        end_text=meeting_day,
        city_en="Demo City",
        classification=Classification.PARTICIPANTS,
        status=MeetingStatus.PLANNED,
        ordinal="",  # fictional: kept out of the real numbering
        is_demo=True,
    )
    for iso2 in ("RU", "CN"):
        invitation = meeting_actions.invite(ACTOR, meeting, state=states[iso2], standing=Standing.GUEST)
        meeting_actions.answer_invitation(ACTOR, invitation, accept=True)
    docs = (
        ("demo-fm-2027-press", "DEMO press note (fictional)", "note", Classification.PUBLIC),
        (
            "demo-fm-2027-agenda",
            "DEMO draft agenda shared with guests (fictional)",
            "note",
            Classification.PARTICIPANTS,
        ),
        ("demo-fm-2027-briefing", "DEMO members-only briefing (fictional)", "briefing", Classification.MEMBERS),
    )
    for code, title, kind, level in docs:
        meeting_actions.create_document(
            ACTOR,
            fmt=fm,
            meeting=meeting,
            code=code,
            title_en=title,
            kind=kind,
            classification=level,
            body=DEMO_NOTE,
            is_demo=True,
        )
    meeting_actions.create_document(
        ACTOR,
        fmt=fm,
        meeting=meeting,
        code="demo-fm-2027-kz-notes",
        title_en="DEMO Kazakhstan delegation's private notes (fictional)",
        kind="note",
        classification=Classification.MEMBERS,
        owner_state=states["KZ"],
        body=DEMO_NOTE,
        is_demo=True,
    )
    meeting_actions.create_document(
        ACTOR,
        fmt=scs,
        code="demo-scs-threat-summary",
        title_en="DEMO restricted threat summary (fictional)",
        kind="briefing",
        classification=Classification.RESTRICTED,
        distribution=[states["KG"], states["UZ"]],
        body=DEMO_NOTE,
        is_demo=True,
    )
    revoked = meeting_actions.create_meeting(
        ACTOR,
        fmt=heads,
        code=DEMO_EXTRA_MEETING,
        title_en="DEMO — Extraordinary leaders' session (fictional)",
        start_text=extra_day,
        end_text=extra_day,
        city_en="Demo City",
        classification=Classification.PARTICIPANTS,
        kind="extraordinary",
        is_demo=True,
    )
    invitation = meeting_actions.invite(ACTOR, revoked, state=states["CN"], standing=Standing.GUEST)
    meeting_actions.answer_invitation(ACTOR, invitation, accept=True)
    meeting_actions.revoke_invitation(ACTOR, invitation)
    # Left unanswered: Russia's focal point finds it in its notifications and answers it (journey b).
    meeting_actions.invite(ACTOR, revoked, state=states["RU"], standing=Standing.GUEST)
    meeting_actions.create_document(
        ACTOR,
        fmt=heads,
        meeting=revoked,
        code="demo-hos-extra-2027-agenda",
        title_en="DEMO agenda of the extraordinary session (fictional)",
        kind="note",
        classification=Classification.PARTICIPANTS,
        body=DEMO_NOTE,
        is_demo=True,
    )


DEMO_DRAFT_TEXT = "demo-fm-2027-coordinated-approaches"
DEMO_MEMBERS_TEXT = "demo-fm-2027-members-concept"


def ensure_texts() -> None:
    """Two fictional drafts at the demo meeting: a joint statement shared with the guests, whose
    operative paragraph carries the 2022 proposal ("at least once every six months", proposed at the
    IV Consultative Meeting, see the reference data) against an invented alternative, and a
    members-only concept note. Everything else in them is invented and marked DEMO."""
    from kenes.texts import actions as text_actions
    from kenes.texts.models import Text

    meeting = Meeting.objects.filter(code=DEMO_MEETING).first()
    if meeting is None:
        return
    fm = Format.objects.get(code="ca_foreign_ministers")
    drafts = (
        (
            DEMO_DRAFT_TEXT,
            "DEMO — Joint statement on coordinated approaches (fictional draft)",
            "joint_statement",
            Classification.PARTICIPANTS,
            [
                (
                    "preamble",
                    "ДЕМО (вымышленный проект). Министры иностранных дел государств Центральной Азии, стремясь "
                    "к выработке согласованных подходов к ключевым вопросам региональной и международной "
                    "проблематики,",
                    "DEMO (fictional draft). The Ministers of Foreign Affairs of the Central Asian states, seeking "
                    "to work out coordinated approaches to key issues of regional and international affairs,",
                ),
                (
                    "preamble",
                    "ссылаясь на предложение, высказанное на IV Консультативной встрече глав государств "
                    "Центральной Азии (2022), о регулярных совещаниях министров иностранных дел,",
                    "recalling the proposal made at the IV Consultative Meeting of the Heads of State of Central "
                    "Asia (2022) on regular meetings of the ministers of foreign affairs,",
                ),
                (
                    "operative",
                    "договариваются проводить совещания министров иностранных дел "
                    "[не реже одного раза в полгода {KZ} | ежегодно];",
                    "agree to hold meetings of the ministers of foreign affairs "
                    "[at least once every six months {KZ} | annually];",
                ),
                (
                    "operative",
                    "поручают национальным координаторам подготовить к следующему совещанию "
                    "[проект дорожной карты | перечень приоритетных вопросов] (демо).",
                    "instruct the national coordinators to prepare for the next meeting "
                    "[a draft roadmap | a list of priority issues] (demo).",
                ),
            ],
        ),
        (
            DEMO_MEMBERS_TEXT,
            "DEMO — Members' concept note on the ministers' consultations (fictional, members only)",
            "concept",
            Classification.MEMBERS,
            [
                (
                    "operative",
                    "ДЕМО: государства-члены обмениваются [проектами повесток дня | тезисами] до каждого "
                    "совещания (вымышленный текст).",
                    "DEMO: the member states exchange [draft agendas | talking points] before each meeting "
                    "(fictional text).",
                ),
                (
                    "operative",
                    "ДЕМО: секретариат председательствующего государства ведёт реестр договорённостей.",
                    "DEMO: the secretariat of the chairing state keeps a register of what was agreed.",
                ),
            ],
        ),
    )
    for code, title, kind, level, paragraphs in drafts:
        if Text.objects.filter(code=code).exists():
            continue
        text = text_actions.create_text(
            ACTOR,
            fmt=fm,
            meeting=meeting,
            code=code,
            title=title,
            kind=kind,
            classification=level,
            working_language="ru",
            languages=["ru", "en"],
            units=[{"kind": unit_kind, "content": ru} for unit_kind, ru, _en in paragraphs],
            is_demo=True,
        )
        units = list(text.units.order_by("order"))
        for unit, (_kind, _ru, en) in zip(units, paragraphs, strict=True):
            text_actions.edit_unit(ACTOR, unit, language="en", content=en)
        for unit, (_kind, ru, _en) in zip(units, paragraphs, strict=True):
            # the English was written from the Russian: the Russian stands as it was, up to date
            text_actions.edit_unit(ACTOR, unit, language="ru", content=ru)


__all__ = ["ACCOUNTS", "GUEST_FORMATS", "DemoAccount", "Document", "Invitation", "InvitationStatus"]


# --- Decisions and instructions (issue 5) -------------------------------------------------------

# Adopted today, so it belongs to the format, not to a demo meeting that lies months ahead: a text
# "adopted" before its meeting has met is a date no reader could make sense of.
DEMO_TEXT = "demo-fm-joint-statement"


def _as_signed_in(account: Account) -> Account:
    account.kenes_token_auth = True  # type: ignore[attr-defined]  # judged at its clearance, as after 2FA
    return account


def ensure_decisions() -> None:
    """A fictional adopted text of the foreign ministers' format (no meeting) with a decision, an
    instruction to Uzbekistan and a demo report.

    Its second operative paragraph is left unmarked, to try marking a decision. Everything here is
    fictional and marked demo; no report is ever invented on a real instruction.
    """
    from kenes.decisions import actions as decision_actions
    from kenes.texts import actions as text_actions
    from kenes.texts.models import Text

    if Text.objects.filter(code=DEMO_TEXT).exists() or not Meeting.objects.filter(code=DEMO_MEETING).exists():
        return
    by_email = {a.email: a for a in Account.objects.filter(is_demo=True)}
    # Every member delegation states its position through its own demo delegate.
    members = [by_email[f"delegate.{iso2.lower()}@demo.kenes.invalid"] for iso2 in MEMBER_STATES]
    text = text_actions.create_text(
        ACTOR,
        fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=None,
        code=DEMO_TEXT,
        title="DEMO joint statement of the foreign ministers (fictional)",
        kind="joint_statement",
        classification=Classification.MEMBERS,
        languages=["ru", "en"],
        units=[
            {"kind": "preamble", "content": "Ссылаясь на итоги встречи (демо, вымышленный текст),"},
            {"kind": "operative", "content": "Поручить министерствам транспорта подготовить региональный план "
                                             "безопасности дорожного движения (демо)."},
            {"kind": "operative", "content": "Поручить национальным координаторам ежегодно докладывать о ходе "
                                             "выполнения дорожной карты (демо)."},
        ],
        is_demo=True,
    )  # fmt: skip
    english = {
        "PP1": "Recalling the outcome of the meeting (demo, fictional text),",
        "OP1": "Instruct the ministries of transport to prepare a regional road-safety plan (demo).",
        "OP2": "Instruct the national coordinators to report annually on the implementation of the roadmap (demo).",
    }
    for unit in text.units.order_by("order"):
        text_actions.edit_unit(ACTOR, unit, language="en", content=english[unit.uid])
    for unit in text.units.order_by("order"):
        for account in members:
            text_actions.state_position(_as_signed_in(account), unit, stance="support")
    text = text_actions.adopt_by_consensus(ACTOR, Text.objects.get(pk=text.pk))
    decision = decision_actions.mark_decision(ACTOR, text, text.units.get(uid="OP1"), is_demo=True)
    focal_uz = by_email["focal.uz@demo.kenes.invalid"]
    instruction = decision_actions.create_instruction(
        ACTOR,
        decision,
        title="DEMO: prepare a regional road-safety plan (fictional)",
        assignee_kind="states",
        states=[decision_actions.AssigneeSpec(State.objects.get(iso2="UZ"), focal_uz, "Ministry of Transport (demo)")],
        due_date=timezone.localdate() + dt.timedelta(days=180),
        is_demo=True,
    )
    decision_actions.file_report(
        _as_signed_in(focal_uz),
        instruction,
        body="DEMO — fictional progress report: a working group was set up and met twice.",
        progress="in_progress",
        is_demo=True,
    )


def ensure_security() -> None:
    """One fictional restricted threat report, distributed to KG and UZ, marked DEMO."""
    from kenes.security import actions as security_actions
    from kenes.security.models import ThreatReport

    if ThreatReport.objects.filter(is_demo=True).exists():
        return
    states = {s.iso2: s for s in State.objects.filter(iso2__in=["KG", "UZ"])}
    security_actions.file_report(
        ACTOR,
        author_state=states["KG"],
        title="DEMO restricted threat report: fictional exercise scenario",
        category="other",
        severity=2,
        occurred_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=1),
        place="Demo City (fictional)",
        summary="DEMO — a fictional scenario for trying the security channel; no real event.",
        details=DEMO_NOTE,
        distribution=[states["KG"], states["UZ"]],
        is_demo=True,
    )
