"""The access policy's rules one by one, as ``./dev mutate`` found them untested (docs/mutation.md).

The matrix (test_matrix.py) checks the demo accounts, whose roles are all global; here accounts
hold roles in one format only, sign in at the edge of the re-prompt time, come with an API token,
belong to the secretariat without its role, to an organisation, or to a state without a say; and
the refusals say what was refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.access.policy import (
    can,
    effective_clearance,
    get_visible_or_404,
    has_fresh_session_2fa,
    reauth_minutes,
    require,
    visible,
    visible_after_reauth,
    visible_audit_events,
)
from kenes.audit import log
from kenes.audit.models import AuditEvent
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Document, Format, Invitation, InvitationStatus, Meeting
from kenes.people.actions import create_account
from kenes.people.models import Account, Affiliation, Role
from kenes.states.models import Organisation, State
from kenes.texts import actions as text_actions
from kenes.texts.models import Amendment, Text
from tests.conftest import verified

pytestmark = pytest.mark.django_db

OP = "test"
FM, HOS = "ca_foreign_ministers", "ca_heads_of_state"
RESTRICTED_KG_UZ = "demo-scs-threat-summary"  # restricted, distributed to KG and UZ
PRIVATE_KZ = "demo-fm-2027-kz-notes"  # members, private to Kazakhstan
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _account(
    name: str,
    *,
    iso2: str | None = None,
    organisation: str | None = None,
    clearance: str = Classification.MEMBERS,
    roles: list[tuple[str | None, str]] | None = None,
) -> Account:
    """A test account of a state (``iso2``), an organisation or else the secretariat, with roles
    given as (format code or None for every format, role)."""
    affiliation = Affiliation.STATE if iso2 else Affiliation.ORGANISATION if organisation else Affiliation.SECRETARIAT
    account = create_account(
        OP, email=f"{name}@test.kenes.invalid", full_name=f"Test {name} (fictional)", password=None,
        affiliation=affiliation, state=State.objects.get(iso2=iso2) if iso2 else None,
        organisation=Organisation.objects.get(code=organisation) if organisation else None, clearance=clearance,
        roles=[(Format.objects.get(code=f) if f else None, r) for f, r in (roles or [(None, Role.DELEGATE)])],
    )  # fmt: skip
    if account.requires_two_factor:
        TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return account


def _document(code: str, level: str, *, fmt: str = FM, meeting: str | None = None, **extra: Any) -> Document:
    return meeting_actions.create_document(
        OP, fmt=Format.objects.get(code=fmt), meeting=Meeting.objects.get(code=meeting) if meeting else None,
        code=code, title_en=f"TEST {code} (fictional)", kind="note", classification=level, body="TEST.", **extra,
    )  # fmt: skip


def _signed_in(account: Account, minutes_ago: float) -> Account:
    """After a TOTP sign-in ``minutes_ago`` (the clock stands still at NOW in these tests)."""
    account.is_verified = lambda: True  # type: ignore[method-assign]
    account.kenes_strong_auth_at = NOW - dt.timedelta(minutes=minutes_ago)  # type: ignore[attr-defined]
    return account


def _readable(account: Any, *codes: str) -> set[str]:
    return set(visible(account, Document.objects.filter(code__in=codes)).values_list("code", flat=True))


# --- The re-prompt time of restricted material ------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_restricted_material_opens_up_to_the_re_prompt_time_and_not_a_moment_later(
    accounts: dict[str, Any], settings: Any
) -> None:
    restricted = Document.objects.get(code=RESTRICTED_KG_UZ)
    settings.KENES_RESTRICTED_REAUTH_MINUTES = 5
    assert reauth_minutes() == 5
    assert can(_signed_in(accounts["kg"], 5), "view", restricted)  # exactly at the limit: still fresh
    assert has_fresh_session_2fa(_signed_in(accounts["kg"], 5))
    assert effective_clearance(_signed_in(accounts["kg"], 5)) == Classification.RESTRICTED
    stale = _signed_in(accounts["kg"], 5.01)
    assert not has_fresh_session_2fa(stale)
    assert effective_clearance(stale) == Classification.MEMBERS
    assert not can(stale, "view", restricted)
    assert can(stale, "view", Document.objects.get(code="demo-fm-2027-briefing"))  # members material stays open


@time_machine.travel(NOW, tick=False)
def test_without_the_setting_the_re_prompt_time_is_a_quarter_of_an_hour(
    accounts: dict[str, Any], settings: Any
) -> None:
    del settings.KENES_RESTRICTED_REAUTH_MINUTES
    assert reauth_minutes() == 15
    assert has_fresh_session_2fa(_signed_in(accounts["kg"], 15))
    assert not has_fresh_session_2fa(_signed_in(accounts["kg"], 15.5))


@time_machine.travel(NOW, tick=False)
def test_a_session_without_a_recorded_totp_time_or_with_a_token_is_never_fresh(accounts: dict[str, Any]) -> None:
    kg = accounts["kg"]
    kg.is_verified = lambda: True
    assert not has_fresh_session_2fa(kg)  # no time of the last code on record
    kg.kenes_strong_auth_at = NOW.isoformat()  # not a time
    assert not has_fresh_session_2fa(kg)
    assert effective_clearance(kg) == Classification.MEMBERS
    token = _signed_in(Account.objects.get(pk=kg.pk), 0)
    token.kenes_token_auth = True
    assert not has_fresh_session_2fa(token)
    assert effective_clearance(token) == Classification.MEMBERS
    unverified = _signed_in(Account.objects.get(pk=kg.pk), 0)
    unverified.is_verified = lambda: False
    assert not has_fresh_session_2fa(unverified)
    assert effective_clearance(unverified) == Classification.PUBLIC


@time_machine.travel(NOW, tick=False)
def test_re_entering_the_code_would_open_restricted_material_to_a_stale_session(accounts: dict[str, Any]) -> None:
    restricted = Document.objects.filter(code=RESTRICTED_KG_UZ)
    stale = _signed_in(accounts["kg"], 60)
    assert effective_clearance(stale, assume_fresh=True) == Classification.RESTRICTED
    assert not visible(stale, restricted).exists()
    assert visible_after_reauth(stale, restricted).exists()
    # Only for a session that passed TOTP: not for a token, not before the code.
    token = _signed_in(Account.objects.get(pk=stale.pk), 60)
    token.kenes_token_auth = True
    assert not visible_after_reauth(token, restricted).exists()
    assert not visible_after_reauth(Account.objects.get(pk=stale.pk), restricted).exists()  # no code yet
    assert not visible_after_reauth(AnonymousUser(), restricted).exists()
    # And only for what the account is entitled to: Uzbekistan's focal point is not cleared restricted.
    assert not visible_after_reauth(_signed_in(accounts["uz"], 60), restricted).exists()


# --- The level an account reads at ------------------------------------------------------------


def test_clearance_is_public_for_no_one_the_anonymous_the_inactive_and_before_the_second_factor(
    accounts: dict[str, Any],
) -> None:
    assert effective_clearance(None) == Classification.PUBLIC
    assert effective_clearance(AnonymousUser()) == Classification.PUBLIC
    kz = verified(accounts["kz"])
    assert effective_clearance(kz) == Classification.MEMBERS
    kz.is_active = False
    assert effective_clearance(kz) == Classification.PUBLIC
    assert not can(kz, "view", Document.objects.get(code="demo-fm-2027-agenda"))
    assert effective_clearance(accounts["uz"]) == Classification.PUBLIC  # members clearance, no code entered
    assert effective_clearance(accounts["ru"]) == Classification.PARTICIPANTS  # needs no second factor


def test_a_token_reads_at_most_at_the_clearance_it_was_made_with(accounts: dict[str, Any]) -> None:
    kz = accounts["kz"]
    kz.kenes_token_auth = True
    kz.kenes_token_clearance = Classification.PARTICIPANTS
    assert effective_clearance(kz) == Classification.PARTICIPANTS
    assert not can(kz, "view", Document.objects.get(code="demo-fm-2027-briefing"))
    assert can(kz, "view", Document.objects.get(code="demo-fm-2027-agenda"))
    kz.kenes_token_clearance = Classification.RESTRICTED  # a cap above the account's own opens nothing more
    assert effective_clearance(kz) == Classification.MEMBERS


def test_an_operators_command_reads_like_the_public() -> None:
    """Only ``require()`` lets a command pass; asked what it reads, the policy answers: public."""
    assert effective_clearance("load_demo") == Classification.PUBLIC
    press, briefing = "demo-fm-2027-press", "demo-fm-2027-briefing"
    assert _readable("load_demo", press, briefing) == {press}
    assert not can("load_demo", "edit", Document.objects.get(code=press))


# --- Roles scoped to a format -----------------------------------------------------------------


def test_a_member_delegate_reads_beyond_public_only_in_the_format_of_its_role() -> None:
    _document("test-fm-members", "members")
    _document("test-fm-participants", "participants")
    _document("test-hos-members", "members", fmt=HOS)
    _document("test-hos-participants", "participants", fmt=HOS)
    _document("test-hos-public", "public", fmt=HOS)
    delegate = verified(_account("kz-fm", iso2="KZ", roles=[(FM, Role.DELEGATE)]))
    everything = ("test-fm-members", "test-fm-participants", "test-hos-members", "test-hos-participants")
    assert _readable(delegate, *everything, "test-hos-public") == {
        "test-fm-members", "test-fm-participants", "test-hos-public",
    }  # fmt: skip
    everywhere = verified(_account("kz-all", iso2="KZ", roles=[(None, Role.OBSERVER)]))
    assert _readable(everywhere, *everything) == set(everything)


def test_the_secretariat_reads_the_formats_it_serves_and_only_with_the_secretariat_role() -> None:
    _document("test-fm-members", "members")
    _document("test-fm-participants", "participants")
    _document("test-hos-members", "members", fmt=HOS)
    codes = ("test-fm-members", "test-fm-participants", "test-hos-members")
    fm_only = verified(_account("sec-fm", roles=[(FM, Role.SECRETARIAT)]))
    assert _readable(fm_only, *codes) == {"test-fm-members", "test-fm-participants"}
    # A role everywhere, but the secretariat role only in one format: the others stay closed.
    mixed = verified(_account("sec-mixed", roles=[(None, Role.OBSERVER), (FM, Role.SECRETARIAT)]))
    assert _readable(mixed, *codes) == {"test-fm-members", "test-fm-participants"}
    without_the_role = verified(_account("sec-none", roles=[(None, Role.OBSERVER)]))
    assert _readable(without_the_role, *codes) == set()
    # The secretariat role makes no one secretariat who is not: a guest state's account holding it.
    guest = verified(_account("ru-sec", iso2="RU", roles=[(None, Role.SECRETARIAT)]))
    assert _readable(guest, *codes) == set()
    in_one_format = verified(_account("ru-sec-fm", iso2="RU", roles=[(FM, Role.SECRETARIAT)]))
    assert _readable(in_one_format, *codes) == set()


def test_membership_counts_on_the_day_asked_about() -> None:
    """Azerbaijan has been a member since 2025-11-16, before that guest of honour."""
    _document("test-fm-members", "members")
    az = verified(_account("az", iso2="AZ"))
    assert _readable(az, "test-fm-members") == {"test-fm-members"}
    on = visible(az, Document.objects.filter(code="test-fm-members"), day=dt.date(2025, 11, 15))
    assert not on.exists()
    assert visible(az, Document.objects.filter(code="test-fm-members"), day=dt.date(2025, 11, 16)).exists()


# --- Guests -----------------------------------------------------------------------------------


def test_an_organisation_reads_the_guest_material_of_the_meetings_it_attends() -> None:
    """UNRCCA's invitation to the VI heads of state meeting was accepted; it is no member."""
    _document("test-vi-participants", "participants", fmt=HOS, meeting="ca_heads_of_state-VI")
    _document("test-vi-members", "members", fmt=HOS, meeting="ca_heads_of_state-VI")
    _document("test-hos-participants", "participants", fmt=HOS)  # of no meeting
    _document("test-fm-2027-participants", "participants", meeting="demo-fm-2027")
    codes = ("test-vi-participants", "test-vi-members", "test-hos-participants", "test-fm-2027-participants")
    unrcca = verified(_account("unrcca", organisation="UNRCCA", roles=[(None, Role.OBSERVER)]))
    assert _readable(unrcca, *codes) == {"test-vi-participants"}
    no_role_here = verified(_account("unrcca-fm", organisation="UNRCCA", roles=[(FM, Role.OBSERVER)]))
    assert _readable(no_role_here, *codes) == set()
    Organisation.objects.create(code="TESTORG", name_en="Test organisation (fictional)")
    not_invited = verified(_account("testorg", organisation="TESTORG", roles=[(None, Role.OBSERVER)]))
    assert _readable(not_invited, *codes) == set()  # UNRCCA's invitation is not another organisation's


def test_an_invitation_opens_guest_material_only_once_accepted() -> None:
    meeting = Meeting.objects.get(code="ca_heads_of_state-VI")
    _document("test-vi-participants", "participants", fmt=HOS, meeting=meeting.code)
    invitation = Invitation.objects.create(meeting=meeting, state=State.objects.get(iso2="RU"))
    assert invitation.status == InvitationStatus.PENDING
    guest = verified(_account("ru-hos", iso2="RU", roles=[(HOS, Role.DELEGATE)]))
    assert not _readable(guest, "test-vi-participants")
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ACCEPTED)
    assert _readable(guest, "test-vi-participants") == {"test-vi-participants"}
    # Another state's invitation opens nothing to Russia.
    Invitation.objects.filter(pk=invitation.pk).update(state=State.objects.get(iso2="CN"))
    assert not _readable(guest, "test-vi-participants")


def test_a_guest_state_reads_its_own_private_material_of_a_meeting_it_attends() -> None:
    ru = State.objects.get(iso2="RU")
    _document("test-ru-private", "participants", meeting="demo-fm-2027", owner_state=ru)
    _document("test-ru-private-vi", "participants", fmt=HOS, meeting="ca_heads_of_state-VI", owner_state=ru)
    guest = verified(
        _account("ru-guest", iso2="RU", clearance=Classification.PARTICIPANTS, roles=[(FM, Role.DELEGATE)])
    )
    assert _readable(guest, "test-ru-private", "test-ru-private-vi") == {"test-ru-private"}
    cn = verified(_account("cn-guest", iso2="CN", clearance="participants", roles=[(FM, Role.DELEGATE)]))
    assert _readable(cn, "test-ru-private") == set()


# --- Restricted and private material ----------------------------------------------------------


def test_restricted_material_is_for_cleared_member_states_on_its_distribution(accounts: dict[str, Any]) -> None:
    states = {s.iso2: s for s in State.objects.filter(iso2__in=["KZ", "KG", "RU"])}
    _document("test-restricted-kz", "restricted", distribution=[states["KZ"]])
    _document("test-restricted-ru", "restricted", meeting="demo-fm-2027", distribution=[states["RU"]])
    kz_officer = verified(_account("kz-officer", iso2="KZ", clearance=Classification.RESTRICTED))
    assert _readable(kz_officer, "test-restricted-kz", "test-restricted-ru") == {"test-restricted-kz"}
    kg = verified(accounts["kg"])  # cleared restricted, but not on this list
    assert _readable(kg, "test-restricted-kz") == set()
    # A guest is never a recipient of restricted material, even cleared and on the list.
    ru_officer = verified(_account("ru-officer", iso2="RU", clearance=Classification.RESTRICTED))
    assert _readable(ru_officer, "test-restricted-ru") == set()
    secretariat = verified(_account("sec-restricted", clearance=Classification.RESTRICTED,
                                    roles=[(None, Role.SECRETARIAT)]))  # fmt: skip
    assert _readable(secretariat, "test-restricted-kz") == set()


def test_private_material_is_for_its_delegation_at_its_clearance_in_the_formats_of_its_roles() -> None:
    kz = State.objects.get(iso2="KZ")
    _document("test-kz-public", "public", owner_state=kz)
    _document("test-kz-members-hos", "members", fmt=HOS, owner_state=kz)
    assert _readable(AnonymousUser(), "test-kz-public") == set()  # private even when public
    assert _readable(verified(_account("uz", iso2="UZ")), "test-kz-public", PRIVATE_KZ) == set()
    fm_only = verified(_account("kz-fm", iso2="KZ", roles=[(FM, Role.DELEGATE)]))
    assert _readable(fm_only, "test-kz-public", PRIVATE_KZ, "test-kz-members-hos") == {"test-kz-public", PRIVATE_KZ}
    low = _account("kz-low", iso2="KZ", clearance=Classification.PARTICIPANTS)
    assert _readable(low, "test-kz-public", PRIVATE_KZ) == {"test-kz-public"}


# --- Who may change -------------------------------------------------------------------------


def test_the_secretariat_edits_only_in_the_formats_it_serves() -> None:
    fm_doc, hos_doc = _document("test-fm-public", "public"), _document("test-hos-public", "public", fmt=HOS)
    hos_secretariat = verified(_account("sec-hos", roles=[(HOS, Role.SECRETARIAT), (None, Role.OBSERVER)]))
    assert can(hos_secretariat, "view", fm_doc) and not can(hos_secretariat, "edit", fm_doc)
    assert can(hos_secretariat, "edit", hos_doc)
    observer = verified(_account("sec-observer", roles=[(None, Role.OBSERVER)]))
    assert can(observer, "view", fm_doc) and not can(observer, "edit", fm_doc)
    state_with_the_role = verified(_account("kz-sec", iso2="KZ", roles=[(None, Role.SECRETARIAT)]))
    assert can(state_with_the_role, "view", fm_doc) and not can(state_with_the_role, "edit", fm_doc)


def test_no_one_edits_before_the_second_factor_or_signed_out(accounts: dict[str, Any]) -> None:
    public = Document.objects.get(code="demo-fm-2027-press")
    assert can(accounts["secretariat"], "view", public)
    assert not can(accounts["secretariat"], "edit", public)  # password only
    assert can(verified(accounts["secretariat"]), "edit", public)
    assert not can(AnonymousUser(), "edit", public)
    assert can(None, "view", public) and not can(None, "edit", public)  # no account at all (a task)


def test_private_material_is_edited_by_its_delegates_and_focal_points_in_its_format() -> None:
    kz = State.objects.get(iso2="KZ")
    notes = _document("test-kz-notes-hos", "members", fmt=HOS, owner_state=kz)
    focal = verified(_account("kz-focal", iso2="KZ", roles=[(HOS, Role.FOCAL_POINT)]))
    assert can(focal, "edit", notes)
    observer = verified(_account("kz-observer", iso2="KZ", roles=[(None, Role.OBSERVER)]))
    assert can(observer, "view", notes) and not can(observer, "edit", notes)
    elsewhere = verified(_account("kz-mixed", iso2="KZ", roles=[(HOS, Role.OBSERVER), (FM, Role.DELEGATE)]))
    assert can(elsewhere, "view", notes) and not can(elsewhere, "edit", notes)


def test_restricted_material_is_edited_by_security_officers_only(accounts: dict[str, Any]) -> None:
    restricted = Document.objects.get(code=RESTRICTED_KG_UZ)
    uz_delegate = verified(_account("uz-restricted", iso2="UZ", clearance=Classification.RESTRICTED))
    assert can(uz_delegate, "view", restricted) and not can(uz_delegate, "edit", restricted)
    uz_officer = verified(_account("uz-officer", iso2="UZ", clearance=Classification.RESTRICTED,
                                   roles=[(None, Role.SECURITY_OFFICER)]))  # fmt: skip
    assert can(uz_officer, "edit", restricted)


# --- The checks and their answers -------------------------------------------------------------


def test_the_policy_refuses_what_it_does_not_govern_and_names_it(accounts: dict[str, Any]) -> None:
    document = Document.objects.get(code="demo-fm-2027-press")
    with pytest.raises(ValueError, match="unknown verb 'delete'"):
        can(accounts["kz"], "delete", document)
    with pytest.raises(TypeError, match=r"^Account is not a protected model$"):
        can(accounts["kz"], "view", accounts["uz"])
    with pytest.raises(TypeError, match=r"^Account is not a protected model$"):
        visible(accounts["kz"], Account.objects.all())
    with pytest.raises(TypeError, match=r"^Format is not a protected model$"):
        visible_after_reauth(verified(accounts["kg"]), Format.objects.all())


def test_get_visible_or_404_finds_only_what_the_account_reads(accounts: dict[str, Any]) -> None:
    kz, uz = verified(accounts["kz"]), verified(accounts["uz"])
    assert get_visible_or_404(kz, Document.objects.all(), code=PRIVATE_KZ).code == PRIVATE_KZ
    with pytest.raises(Http404):
        get_visible_or_404(uz, Document.objects.all(), code=PRIVATE_KZ)


def test_require_answers_404_for_what_one_may_not_read_and_403_for_what_one_may_not_change(
    accounts: dict[str, Any],
) -> None:
    press, notes = Document.objects.get(code="demo-fm-2027-press"), Document.objects.get(code=PRIVATE_KZ)
    uz = verified(accounts["uz"])
    require(uz, "view", press)
    require(uz, "list", press)
    with pytest.raises(Http404):
        require(uz, "view", notes)
    with pytest.raises(Http404):
        require(uz, "edit", notes)  # not 403: the note does not exist for Uzbekistan
    with pytest.raises(PermissionDenied, match=r"^You may read this but not change it\.$"):
        require(uz, "edit", press)
    require(verified(accounts["secretariat"]), "edit", press)
    require("load_demo", "edit", notes)  # an operator's command stands outside the policy


# --- The audit log as the policy shows it ------------------------------------------------------


def test_the_audit_log_shows_events_only_about_what_the_reader_may_read(accounts: dict[str, Any]) -> None:
    secretariat = verified(accounts["secretariat"])
    text = text_actions.create_text(
        secretariat, fmt=Format.objects.get(code=FM), code="test-fm-members-text", title="TEST members text",
        kind="joint_statement", units=[{"kind": "operative", "content": "TEST paragraph."}],
        classification=Classification.MEMBERS,
    )  # fmt: skip
    unit = text.units.get()
    kz = verified(accounts["kz"])
    amendment = text_actions.propose_amendment(kz, unit, kind="replace", content="TEST other words.")
    gone = _document("test-gone", "public")
    with transaction.atomic():
        about_gone = log.record(OP, "test.about_gone", gone)
        about_nothing = log.record(OP, "test.about_nothing")
        about_account = log.record(OP, "test.about_account", accounts["uz"])
    Document.objects.filter(pk=gone.pk).delete()
    ours = AuditEvent.objects.filter(seq__gte=AuditEvent.objects.get(verb="text.created", target_id=str(text.pk)).seq)

    def shown(account: Any) -> set[str]:
        return set(visible_audit_events(account, ours).values_list("verb", flat=True))

    about_text = {"text.created", "amendment.proposed"}
    assert Amendment.objects.get(pk=amendment.pk).text_id == text.pk
    assert about_text | {"test.about_nothing", "test.about_account"} <= shown(kz)
    assert "test.about_gone" not in shown(kz)  # its document no longer exists
    ru = verified(accounts["ru"])  # a guest: the members text and its amendment are not for it
    assert shown(ru) & about_text == set()
    assert {"test.about_nothing", "test.about_account"} <= shown(ru)
    Text.objects.filter(pk=text.pk).update(classification=Classification.PUBLIC)
    assert about_text <= shown(ru)
    assert {about_gone.pk, about_nothing.pk, about_account.pk} <= set(ours.values_list("pk", flat=True))
