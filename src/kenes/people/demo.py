"""Fictional demo accounts and demo material at every classification level.

Every person and text here is invented and marked as demo; real facts come only from the
reference data. Loading twice changes nothing.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.audit import log as audit
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Document, Format, Invitation, InvitationStatus, Meeting, MeetingStatus, Standing
from kenes.people import actions
from kenes.people.models import Account, Affiliation, Role
from kenes.states.models import State

DEMO_PASSWORD = "kenes-demo-2026"
ACTOR = "load_demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    what: str
    affiliation: str
    state: str | None
    clearance: str
    roles: tuple[tuple[str | None, str], ...]


GUEST_FORMATS = ("ca_heads_of_state", "ca_foreign_ministers")

ACCOUNTS = (
    DemoAccount(
        "secretariat@demo.kenes.invalid",
        "Aida Demo-Secretariat",
        "chairing state's secretariat",
        Affiliation.SECRETARIAT,
        None,
        Classification.MEMBERS,
        ((None, Role.SECRETARIAT),),
    ),
    DemoAccount(
        "delegate.kz@demo.kenes.invalid",
        "Arman Demo-Delegate",
        "member delegate (Kazakhstan)",
        Affiliation.STATE,
        "KZ",
        Classification.MEMBERS,
        ((None, Role.DELEGATE),),
    ),
    DemoAccount(
        "focal.uz@demo.kenes.invalid",
        "Dilnoza Demo-Focal",
        "focal point (Uzbekistan)",
        Affiliation.STATE,
        "UZ",
        Classification.MEMBERS,
        ((None, Role.FOCAL_POINT),),
    ),
    DemoAccount(
        "security.kg@demo.kenes.invalid",
        "Bakyt Demo-Security",
        "security officer (Kyrgyzstan)",
        Affiliation.STATE,
        "KG",
        Classification.RESTRICTED,
        ((None, Role.SECURITY_OFFICER), (None, Role.DELEGATE)),
    ),
    DemoAccount(
        "guest.ru@demo.kenes.invalid",
        "Ivan Demo-Guest",
        "guest delegate (Russia)",
        Affiliation.STATE,
        "RU",
        Classification.PARTICIPANTS,
        tuple((code, Role.DELEGATE) for code in GUEST_FORMATS),
    ),
    DemoAccount(
        "guest.cn@demo.kenes.invalid",
        "Li Demo-Guest",
        "guest delegate (China)",
        Affiliation.STATE,
        "CN",
        Classification.PARTICIPANTS,
        tuple((code, Role.DELEGATE) for code in GUEST_FORMATS),
    ),
)

DEMO_NOTE = "DEMO — fictional material for trying Kenes; not a real document."


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
                password=DEMO_PASSWORD,
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
    if Meeting.objects.filter(code="demo-fm-2027").exists():
        return
    fm = Format.objects.get(code="ca_foreign_ministers")
    heads = Format.objects.get(code="ca_heads_of_state")
    scs = Format.objects.get(code="ca_security_council_secretaries")
    states = {s.iso2: s for s in State.objects.all()}
    meeting = meeting_actions.create_meeting(
        ACTOR,
        fmt=fm,
        code="demo-fm-2027",
        title_en="DEMO — Foreign ministers' consultation (fictional)",
        start_text="2027-03-10",
        end_text="2027-03-10",
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
        code="demo-hos-extra-2027",
        title_en="DEMO — Extraordinary leaders' session (fictional)",
        start_text="2027-06-01",
        end_text="2027-06-01",
        city_en="Demo City",
        classification=Classification.PARTICIPANTS,
        kind="extraordinary",
        is_demo=True,
    )
    invitation = meeting_actions.invite(ACTOR, revoked, state=states["CN"], standing=Standing.GUEST)
    meeting_actions.answer_invitation(ACTOR, invitation, accept=True)
    meeting_actions.revoke_invitation(ACTOR, invitation)
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


__all__ = ["Document", "Invitation", "InvitationStatus"]
