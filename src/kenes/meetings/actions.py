"""Changes to meetings and documents: permission-checked, validated, transactional, audited."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.access.actors import holds_role
from kenes.access.levels import Classification, rank
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint, fingerprints
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked, refuse_forbidden
from kenes.live.bus import publish_on_commit
from kenes.meetings.models import (
    AgendaItem,
    AgendaStatus,
    CadenceReminder,
    ChairRule,
    DecisionRule,
    Delegation,
    DelegationMember,
    DelegationRole,
    Document,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Standing,
)
from kenes.meetings.permissions import require_secretariat, require_security_channel
from kenes.states.dates import PartialDate
from kenes.states.models import Organisation, State

# Length limits, one per field, in characters (issue 10): enforced here, published in the API schema.
MAX_TITLE = 300  # a meeting's, a document's or an agenda item's title
MAX_CODE = 100  # a meeting's or a document's code
MAX_CITY = 100
MAX_NAME = 200  # a presenter; a delegation member's name and position
MAX_BODY = 200_000  # a document's text: some 30,000 words
MAX_RULES_BASIS = 300


def _too_long(max_length: int) -> str:
    return _("This is longer than %(max)d characters.") % {"max": max_length}


def _local_time(value: dt.time | None, field: str) -> dt.time | None:
    """A meeting's local opening or closing time: a time of day at the venue, with no UTC offset
    (the venue's time zone says where it is)."""
    if value is not None and value.tzinfo is not None:
        raise ActionError(
            _("Give the local time at the venue without a UTC offset; the time zone says where it is."), field=field
        )
    return value


def update_document(
    actor: Any,
    document: Document,
    *,
    expected_version: int | None = None,
    title_en: str | None = None,
    body: str | None = None,
    classification: str | None = None,
) -> Document:
    """Edit a document's title, text or classification.

    ``expected_version`` is the version the editor loaded: if someone saved in between, the
    change is refused (409) instead of silently overwriting theirs.
    """
    require(actor, "edit", document)
    changes: dict[str, Any] = {}
    if title_en is not None:
        title_en = checked(title_en, field="title_en", max_length=MAX_TITLE,
                           too_long=_("The title is longer than %(max)d characters.") % {"max": MAX_TITLE})  # fmt: skip
        if not title_en:
            raise ActionError(_("The title cannot be empty."), field="title_en")
        changes["title_en"] = title_en
    if body is not None:
        changes["body"] = checked(body, field="body", max_length=MAX_BODY, strip=False, too_long=_too_long(MAX_BODY))
    if classification is not None:
        if classification not in Classification.values:
            raise ActionError(_("Unknown classification."), field="classification")
        if classification == Classification.RESTRICTED and document.classification != Classification.RESTRICTED:
            raise ActionError(
                _("Material is made restricted in the security channel, with its distribution."),
                field="classification",
            )
        if document.classification == Classification.RESTRICTED and classification != Classification.RESTRICTED:
            raise ActionError(_("Restricted material cannot be declassified here."), field="classification")
        changes["classification"] = classification
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(
                _("Someone else saved this document since you opened it. Reload it and apply your change again.")
            )
        before = {field: getattr(current, field) for field in changes}
        changed = {field: value for field, value in changes.items() if before[field] != value}
        if not changed:
            return current
        for field, value in changed.items():
            setattr(current, field, value)
        current.version += 1
        current.save()
        audit.record(
            actor,
            "document.updated",
            current,
            fields=sorted(changed),
            before=fingerprints({f: before[f] for f in changed}),
            after=fingerprints(changed),
            version=current.version,
        )
        publish_on_commit(
            f"format:{current.format_id}",
            {"verb": "document.updated", "document": current.pk, "version": current.version},
        )
    return current


def _parse_day(value: str, field: str) -> dt.date:
    try:
        day = PartialDate.parse(value).as_date()
    except ValueError:
        day = None
    if day is None:
        raise ActionError(_("Dates are written YYYY-MM-DD."), field=field)
    return day


def _roman(number: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def _from_roman(text: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(ch not in values for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def next_ordinal(fmt: Format) -> str:
    """The next Roman ordinal of a format's regular meetings (the data numbers them I, II, …).

    A format whose meetings so far went unnumbered (the ministers' meeting of 2023) gets no
    number: calling the next one "I" would claim it is the first.
    """
    held = Meeting.objects.filter(format=fmt, kind=MeetingKind.REGULAR, is_demo=False).exclude(
        status__in=[MeetingStatus.POSTPONED, MeetingStatus.CANCELLED, MeetingStatus.UNVERIFIED]
    )
    ordinals = list(held.values_list("ordinal", flat=True))
    if any(not ordinal for ordinal in ordinals):
        return ""
    numbers = [_from_roman(o) for o in Meeting.objects.filter(format=fmt).values_list("ordinal", flat=True)]
    return _roman(max([n for n in numbers if n] or [0]) + 1)


def _validate_schedule(
    fmt: Format,
    *,
    start: dt.date,
    end: dt.date,
    chair_state: State | None,
    timezone_name: str,
    exclude: int | None = None,
) -> None:
    from kenes.states.queries import members_on

    if end < start:
        raise ActionError(_("The meeting ends before it starts."), field="end_text")
    if (end - start).days > 14:
        raise ActionError(_("A meeting lasts at most 15 days."), field="end_text")
    if timezone_name and timezone_name not in zoneinfo.available_timezones():
        raise ActionError(_("Unknown time zone."), field="timezone")
    if chair_state is not None and not members_on(fmt.mechanism_id, start).filter(pk=chair_state.pk).exists():
        raise ActionError(_("The chair must be a member state on the meeting's dates."), field="chair_state")
    others = Meeting.objects.filter(format=fmt, start_sort__lte=end).exclude(
        status__in=[MeetingStatus.CANCELLED, MeetingStatus.POSTPONED]
    )
    if exclude:
        others = others.exclude(pk=exclude)
    for other in others.only("start_text", "end_text", "code"):
        o_start, o_end = other.start_date, other.end_date
        if o_start and o_end and not (o_end < start or o_start > end):
            raise ActionError(
                _("These dates overlap another meeting of this format (%(code)s).") % {"code": other.code},
                field="start_text",
            )


def create_meeting(
    actor: Any,
    *,
    fmt: Format,
    code: str = "",
    title_en: str = "",
    title_ru: str = "",
    start_text: str = "",
    end_text: str = "",
    city_en: str = "",
    country: State | None = None,
    chair_state: State | None = None,
    timezone_name: str = "",
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    kind: str = MeetingKind.REGULAR,
    ordinal: str | None = None,
    classification: str | None = None,
    status: str = MeetingStatus.PLANNED,
    is_demo: bool = False,
    distribution: list[State] | None = None,
) -> Meeting:
    """Plan a meeting of ``fmt``. Regular meetings get the format's next ordinal; the host chairs
    where the format says so; the classification defaults to the format's.

    A restricted meeting is made only from the security channel, with its ``distribution``."""
    classification = classification or fmt.default_classification
    if classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    if classification == Classification.RESTRICTED and not distribution:  # nobody could read it
        raise ActionError(
            _("Material is made restricted in the security channel, with its distribution."), field="classification"
        )
    if classification == Classification.RESTRICTED:
        require_security_channel(actor, fmt, distribution)
    else:
        require_secretariat(actor, fmt)
        if distribution:
            raise ActionError(_("Only restricted material has a distribution list."), field="distribution")
    if kind not in MeetingKind.values:
        raise ActionError(_("Unknown kind of meeting."), field="kind")
    title_en = checked(title_en, field="title_en", max_length=MAX_TITLE, too_long=_too_long(MAX_TITLE))
    title_ru = checked(title_ru, field="title_ru", max_length=MAX_TITLE, too_long=_too_long(MAX_TITLE))
    city_en = checked(city_en, field="city_en", max_length=MAX_CITY, too_long=_too_long(MAX_CITY))
    code = checked(code, field="code", max_length=MAX_CODE, too_long=_too_long(MAX_CODE))
    timezone_name = refuse_forbidden(timezone_name, "timezone")
    start_time, end_time = _local_time(start_time, "start_time"), _local_time(end_time, "end_time")
    if status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        raise ActionError(_("A new meeting is planned or convened."), field="status")
    start = _parse_day(start_text, "start_text")
    end = _parse_day(end_text or start_text, "end_text")
    if chair_state is None and fmt.chair_rule == ChairRule.HOST:
        chair_state = country
    _validate_schedule(fmt, start=start, end=end, chair_state=chair_state, timezone_name=timezone_name)
    if ordinal is None:
        ordinal = next_ordinal(fmt) if kind == MeetingKind.REGULAR else ""
    code = code or (f"{fmt.code}-{ordinal}" if ordinal else f"{fmt.code}-{start.isoformat()}")
    taken = _("A meeting with this code already exists.")
    if Meeting.objects.filter(code=code).exists():
        raise ActionError(taken, field="code")
    with transaction.atomic():
        try:
            meeting = Meeting.objects.create(
                format=fmt,
                code=code,
                title_en=title_en,
                title_ru=title_ru,
                ordinal=ordinal,
                kind=kind,
                start_text=start.isoformat(),
                end_text=end.isoformat(),
                city_en=city_en,
                country=country,
                chair_state=chair_state,
                timezone=timezone_name,
                start_time=start_time,
                end_time=end_time,
                classification=classification,
                status=status,
                is_demo=is_demo,
            )
        except IntegrityError as exc:  # created by a concurrent request since the check above
            raise ActionError(taken, field="code") from exc
        if distribution:
            meeting.distribution.set(distribution)
        audit.record(
            actor, "meeting.created", meeting, code=code, classification=classification, start=start.isoformat()
        )
        publish_on_commit(f"format:{fmt.pk}", {"verb": "meeting.created", "meeting": meeting.pk})
    return meeting


# Which status may follow which; every step is its own audited action.
TRANSITIONS: dict[str, set[str]] = {
    MeetingStatus.PLANNED: {MeetingStatus.CONVENED, MeetingStatus.POSTPONED, MeetingStatus.CANCELLED},
    MeetingStatus.CONVENED: {MeetingStatus.HELD, MeetingStatus.POSTPONED, MeetingStatus.CANCELLED},
    MeetingStatus.POSTPONED: {MeetingStatus.PLANNED, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: set(),
    MeetingStatus.CANCELLED: set(),
    MeetingStatus.UNVERIFIED: set(),
}


def change_meeting_status(
    actor: Any, meeting: Meeting, to: str, *, expected_version: int | None = None, today: dt.date | None = None
) -> Meeting:
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    if to not in MeetingStatus.values:
        raise ActionError(_("Unknown status."), field="status")
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Someone else changed this meeting since you opened it. Reload it and try again."))
        if to not in TRANSITIONS.get(current.status, set()):
            raise ActionError(
                _("A %(from)s meeting cannot become %(to)s.")
                % {"from": current.get_status_display(), "to": MeetingStatus(to).label},
                field="status",
            )
        if to == MeetingStatus.HELD and current.start_date and current.start_date > (today or timezone.localdate()):
            raise ActionError(_("A meeting cannot be marked held before it starts."), field="status")
        before = current.status
        current.status = to
        current.version += 1
        current.save(update_fields=["status", "version", "start_sort"])
        audit.record(actor, "meeting.status_changed", current, before=before, after=to, version=current.version)
        publish_on_commit(f"meeting:{current.pk}", {"verb": "meeting.status_changed", "meeting": current.pk})
    return current


def reschedule_meeting(
    actor: Any,
    meeting: Meeting,
    *,
    start_text: str,
    end_text: str = "",
    expected_version: int | None = None,
    city_en: str | None = None,
    country: State | None = None,
) -> Meeting:
    """New dates (and optionally venue) for a planned, convened or postponed meeting."""
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    start = _parse_day(start_text, "start_text")
    end = _parse_day(end_text or start_text, "end_text")
    if city_en is not None:
        city_en = checked(city_en, field="city_en", max_length=MAX_CITY, too_long=_too_long(MAX_CITY))
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Someone else changed this meeting since you opened it. Reload it and try again."))
        if current.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
            raise ActionError(_("A held or cancelled meeting keeps its dates."), field="start_text")
        _validate_schedule(
            current.format,
            start=start,
            end=end,
            chair_state=current.chair_state,
            timezone_name=current.timezone,
            exclude=current.pk,
        )
        before = (current.start_text, current.end_text)
        current.start_text, current.end_text = start.isoformat(), end.isoformat()
        if city_en is not None:
            current.city_en = city_en
        if country is not None:
            current.country = country
        if current.status == MeetingStatus.POSTPONED:
            current.status = MeetingStatus.PLANNED
        current.version += 1
        current.save()
        audit.record(
            actor, "meeting.rescheduled", current, before=list(before), after=[current.start_text, current.end_text]
        )
        publish_on_commit(f"meeting:{current.pk}", {"verb": "meeting.rescheduled", "meeting": current.pk})
    return current


def create_document(
    actor: Any,
    *,
    fmt: Format,
    code: str,
    title_en: str,
    kind: str,
    classification: str,
    meeting: Meeting | None = None,
    body: str = "",
    owner_state: State | None = None,
    distribution: list[State] | None = None,
    is_demo: bool = False,
) -> Document:
    if owner_state is None:
        require_secretariat(actor, fmt)
    elif not isinstance(actor, str) and getattr(actor, "state_id", None) != owner_state.pk:
        raise PermissionDenied(_("Only a delegation writes its own private notes."))
    if classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    if classification == Classification.RESTRICTED and not distribution:
        raise ActionError(_("Restricted material needs a distribution list of states."), field="distribution")
    if distribution and classification != Classification.RESTRICTED:
        raise ActionError(_("Only restricted material has a distribution list."), field="distribution")
    if meeting is not None and meeting.format_id != fmt.pk:
        raise ActionError(_("The meeting belongs to another format."), field="meeting")
    code = checked(code, field="code", max_length=MAX_CODE, too_long=_too_long(MAX_CODE))
    title_en = checked(title_en, field="title_en", max_length=MAX_TITLE, too_long=_too_long(MAX_TITLE))
    body = checked(body, field="body", max_length=MAX_BODY, strip=False, too_long=_too_long(MAX_BODY))
    taken = _("A document with this code already exists.")
    if Document.objects.filter(code=code).exists():
        raise ActionError(taken, field="code")
    with transaction.atomic():
        try:
            document = Document.objects.create(
                format=fmt,
                meeting=meeting,
                code=code,
                title_en=title_en,
                kind=kind,
                classification=classification,
                body=body,
                owner_state=owner_state,
                is_demo=is_demo,
            )
        except IntegrityError as exc:  # created by a concurrent request since the check above
            raise ActionError(taken, field="code") from exc
        if distribution:
            document.distribution.set(distribution)
        audit.record(
            actor,
            "document.created",
            document,
            classification=classification,
            distribution=[s.iso2 for s in distribution or []],
            private_to=owner_state.iso2 if owner_state else None,
        )
        publish_on_commit(f"format:{fmt.pk}", {"verb": "document.created", "document": document.pk})
    return document


def invite(
    actor: Any,
    meeting: Meeting,
    *,
    state: State | None = None,
    organisation: Organisation | None = None,
    standing: str = Standing.GUEST,
) -> Invitation:
    """Invite a non-member state, or an organisation, with a standing the format allows."""
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    from kenes.states.queries import members_on

    if (state is None) == (organisation is None):
        raise ActionError(_("Invite one state or one organisation."), field="state")
    if standing not in Standing.values:
        raise ActionError(_("Unknown standing."), field="standing")
    if standing not in meeting.format.invitable_standings:
        raise ActionError(_("This format does not invite with that standing."), field="standing")
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise ActionError(_("Invitations are sent before a meeting, not after it or once cancelled."))
    if state is not None and members_on(meeting.format.mechanism_id, meeting.start_sort).filter(pk=state.pk).exists():
        raise ActionError(_("This state is a member: members are not invited as guests."), field="state")
    with transaction.atomic():
        existing = (
            Invitation.objects.select_for_update()
            .filter(meeting=meeting, state=state, organisation=organisation)
            .first()
        )
        if existing is not None and existing.status != InvitationStatus.REVOKED:
            raise ActionError(_("This party is already invited."), field="state")
        if existing is not None:  # a revoked invitation may be sent again
            existing.status, existing.standing = InvitationStatus.PENDING, standing
            existing.save(update_fields=["status", "standing"])
            invitation = existing
        else:
            invitation = Invitation.objects.create(
                meeting=meeting, state=state, organisation=organisation, standing=standing
            )
        party = state.iso2 if state else organisation.code if organisation else ""
        audit.record(actor, "invitation.sent", invitation, meeting=meeting.code, party=party, standing=standing)
        publish_on_commit(f"meeting:{meeting.pk}", {"verb": "invitation.sent", "invitation": invitation.pk})
    _notify_focal_points(invitation)
    return invitation


def _notify_focal_points(invitation: Invitation) -> None:
    """Tell the invited delegation's focal points: a link, no protected content."""
    from kenes.people.models import Account, Role
    from kenes.people.notify import notify

    if invitation.state_id is None:
        return
    recipients = Account.objects.filter(
        state_id=invitation.state_id, is_active=True, roles__role=Role.FOCAL_POINT
    ).distinct()
    for account in recipients:
        notify(
            account,
            "invitation.sent",
            gettext_lazy("Your delegation is invited to a meeting. Open Kenes to answer."),  # in the reader's language
            url=f"/meetings/{invitation.meeting.code}/",
        )


def _is_over(meeting: Meeting) -> bool:
    """Held, cancelled, or past its last day."""
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        return True
    last_day = meeting.end_date or meeting.start_date
    return last_day is not None and last_day < timezone.localdate()


def answer_invitation(actor: Any, invitation: Invitation, *, accept: bool) -> Invitation:
    """The invited state's focal point accepts or declines."""
    from kenes.people.models import Role

    if not isinstance(actor, str):
        if invitation.state_id is None or actor.state_id != invitation.state_id:
            raise PermissionDenied(_("Only the invited delegation answers its invitation."))
        if not holds_role(actor, [Role.FOCAL_POINT], invitation.meeting.format_id):
            raise PermissionDenied(_("Only the delegation's focal point answers an invitation."))
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.status != InvitationStatus.PENDING:
            raise ActionError(_("This invitation has already been answered or was revoked."))
        if _is_over(current.meeting):
            # Accepting afterwards would open the meeting's participants material to the guest.
            raise ActionError(_("This meeting is over or cancelled: its invitations can no longer be answered."))
        current.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        current.save(update_fields=["status"])
        audit.record(actor, f"invitation.{current.status}", current)
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": f"invitation.{current.status}"})
    return current


def revoke_invitation(actor: Any, invitation: Invitation) -> Invitation:
    """Revoking takes the guest's access away at once: the policy reads only accepted invitations."""
    require_secretariat(actor, invitation.meeting.format)
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.status == InvitationStatus.REVOKED:
            return current
        current.status = InvitationStatus.REVOKED
        current.save(update_fields=["status"])
        audit.record(actor, "invitation.revoked", current)
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": "invitation.revoked"})
    return current


# --- Format rules ---------------------------------------------------------------------------


def update_format_rules(
    actor: Any,
    fmt: Format,
    *,
    expected_version: int,
    cadence_months: int | None,
    chair_rule: str,
    rotation_order: list[str],
    decision_rule: str = DecisionRule.CONSENSUS,
    invitable: list[str],
    default_classification: str,
    working_languages: list[str],
    rules_basis: str = "",
    guests_may_comment: bool | None = None,
) -> Format:
    """Change a format's rules; each is validated and the change is audited with before/after."""
    from django.conf import settings

    from kenes.states.queries import members_on

    require_secretariat(actor, fmt)
    if cadence_months is not None and not 1 <= cadence_months <= 60:
        raise ActionError(_("The cadence is at least once every 1 to 60 months."), field="cadence_months")
    if chair_rule not in ChairRule.values:
        raise ActionError(_("Unknown chair rule."), field="chair_rule")
    rotation = [code.strip().upper() for code in rotation_order if code.strip()]
    if len(set(rotation)) != len(rotation):
        raise ActionError(_("A state appears twice in the rotation order."), field="rotation_order")
    members = set(members_on(fmt.mechanism_id).values_list("iso2", flat=True))
    strangers = [code for code in rotation if code not in members]
    if strangers:
        raise ActionError(
            _("Only member states take the chair: %(codes)s is not a member.") % {"codes": ", ".join(strangers)},
            field="rotation_order",
        )
    if chair_rule == ChairRule.ROTATION and not rotation:
        raise ActionError(_("A rotating chair needs the rotation order."), field="rotation_order")
    if decision_rule not in DecisionRule.values:
        raise ActionError(_("Unknown decision rule."), field="decision_rule")
    if any(code not in Standing.values for code in invitable):
        raise ActionError(_("Unknown standing among those who may be invited."), field="invitable")
    if default_classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="default_classification")
    known = {code for code, _name in settings.LANGUAGES}
    languages = [code.strip() for code in working_languages if code.strip()]
    if not languages or any(code not in known for code in languages):
        raise ActionError(_("Working languages must be among Kenes's languages."), field="working_languages")
    rules_basis = checked(rules_basis, field="rules_basis", max_length=MAX_RULES_BASIS,
                          too_long=_too_long(MAX_RULES_BASIS))  # fmt: skip
    with transaction.atomic():
        current = Format.objects.select_for_update().get(pk=fmt.pk)
        if current.rules_version != expected_version:
            raise Conflict(_("Someone else changed these rules since you opened them. Reload and try again."))
        fields = {
            "cadence_months": cadence_months,
            "chair_rule": chair_rule,
            "rotation_order": ";".join(rotation),
            "decision_rule": decision_rule,
            "invitable": ";".join(invitable),
            "default_classification": default_classification,
            "working_languages": ";".join(languages),
            "rules_basis": rules_basis,
            "guests_may_comment": current.guests_may_comment if guests_may_comment is None else guests_may_comment,
        }
        before = {name: getattr(current, name) for name in fields}
        for name, value in fields.items():
            setattr(current, name, value)
        current.rules_version += 1
        current.save()
        audit.record(actor, "format.rules_changed", current, before=before, after=fields)
        publish_on_commit(f"format:{current.pk}", {"verb": "format.rules_changed", "format": current.pk})
    return current


# --- Agenda ---------------------------------------------------------------------------------


def _check_item_level(meeting: Meeting, classification: str, *, restricted_ok: bool = False) -> None:
    if classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    if classification == Classification.RESTRICTED and not restricted_ok:  # it would have no distribution
        raise ActionError(
            _("Material is made restricted in the security channel, with its distribution."), field="classification"
        )
    if rank(classification) < rank(meeting.classification):
        raise ActionError(_("An agenda item is classified at least as high as its meeting."), field="classification")


def add_agenda_item(
    actor: Any,
    meeting: Meeting,
    *,
    title: str,
    classification: str | None = None,
    presenter: str = "",
    documents: list[Document] | None = None,
    distribution: list[State] | None = None,
) -> AgendaItem:
    """An item on ``meeting``'s agenda. A restricted item (on a restricted meeting) is added only from
    the security channel, with its ``distribution``."""
    require(actor, "view", meeting)
    classification = classification or meeting.classification
    if classification == Classification.RESTRICTED and distribution:
        require_security_channel(actor, meeting.format, distribution)
    else:
        require_secretariat(actor, meeting.format)
        if distribution and classification != Classification.RESTRICTED:
            raise ActionError(_("Only restricted material has a distribution list."), field="distribution")
    message = _("Give the item a title of at most %(max)d characters.") % {"max": MAX_TITLE}
    title = checked(title, field="title", max_length=MAX_TITLE, too_long=message)
    if not title:
        raise ActionError(message, field="title")
    presenter = checked(presenter, field="presenter", max_length=MAX_NAME, too_long=_too_long(MAX_NAME))
    _check_item_level(meeting, classification, restricted_ok=bool(distribution))
    for document in documents or []:
        if document.meeting_id not in (None, meeting.pk) or document.format_id != meeting.format_id:
            raise ActionError(_("Only documents of this meeting can be linked."), field="documents")
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)  # serialise positions per meeting
        last = AgendaItem.objects.filter(meeting=meeting).aggregate(Max("position"))["position__max"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting, position=last + 1, title=title, classification=classification, presenter=presenter
        )
        if documents:
            item.documents.set(documents)
        if distribution:
            item.distribution.set(distribution)
        audit.record(actor, "agenda.item_added", item, meeting=meeting.code, classification=classification)
        publish_on_commit(f"meeting:{meeting.pk}", {"verb": "agenda.item_added", "item": item.pk})
    return item


def update_agenda_item(
    actor: Any,
    item: AgendaItem,
    *,
    expected_version: int | None = None,
    title: str | None = None,
    presenter: str | None = None,
    status: str | None = None,
    classification: str | None = None,
) -> AgendaItem:
    require(actor, "view", item)
    require_secretariat(actor, item.meeting.format)
    changes: dict[str, Any] = {}
    if title is not None:
        message = _("Give the item a title of at most %(max)d characters.") % {"max": MAX_TITLE}
        title = checked(title, field="title", max_length=MAX_TITLE, too_long=message)
        if not title:
            raise ActionError(message, field="title")
        changes["title"] = title
    if presenter is not None:
        changes["presenter"] = checked(presenter, field="presenter", max_length=MAX_NAME, too_long=_too_long(MAX_NAME))
    if status is not None:
        if status not in AgendaStatus.values:
            raise ActionError(_("Unknown status."), field="status")
        changes["status"] = status
    if classification is not None:
        _check_item_level(item.meeting, classification)
        changes["classification"] = classification
    with transaction.atomic():
        current = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Someone else changed this item since you opened it. Reload it and try again."))
        before = {name: getattr(current, name) for name in changes}
        for name, value in changes.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        audit.record(actor, "agenda.item_updated", current, before=fingerprints(before), after=fingerprints(changes))
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": "agenda.item_updated", "item": current.pk})
    return current


def move_agenda_item(actor: Any, item: AgendaItem, *, to_position: int) -> list[AgendaItem]:
    """Put ``item`` at ``to_position`` (1-based among all items) and renumber the rest."""
    require(actor, "view", item)
    require_secretariat(actor, item.meeting.format)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=item.meeting_id)
        items = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "id"))
        if not 1 <= to_position <= len(items):
            raise ActionError(_("There is no such place on the agenda."), field="position")
        moving = next(i for i in items if i.pk == item.pk)
        items.remove(moving)
        items.insert(to_position - 1, moving)
        for index, entry in enumerate(items, start=1):
            if entry.position != index:
                entry.position = index
                entry.save(update_fields=["position"])
        audit.record(actor, "agenda.item_moved", moving, to_position=to_position)
        publish_on_commit(f"meeting:{item.meeting_id}", {"verb": "agenda.reordered", "meeting": item.meeting_id})
    return items


def remove_agenda_item(actor: Any, item: AgendaItem) -> None:
    require(actor, "view", item)
    require_secretariat(actor, item.meeting.format)
    with transaction.atomic():
        meeting_id = item.meeting_id
        audit.record(actor, "agenda.item_removed", item, meeting=item.meeting.code, title=fingerprint(item.title))
        item.delete()
        for index, entry in enumerate(AgendaItem.objects.filter(meeting_id=meeting_id).order_by("position"), 1):
            if entry.position != index:
                entry.position = index
                entry.save(update_fields=["position"])
        publish_on_commit(f"meeting:{meeting_id}", {"verb": "agenda.item_removed", "meeting": meeting_id})


# --- Delegations ----------------------------------------------------------------------------


def save_delegation(
    actor: Any,
    meeting: Meeting,
    *,
    members: list[dict[str, str]],
    expected_version: int | None = None,
    state: State | None = None,
) -> Delegation:
    """Replace the actor's state's delegation list for ``meeting`` (its focal point keeps it)."""
    from kenes.people.models import Role
    from kenes.states.queries import members_on

    require(actor, "view", meeting)
    if isinstance(actor, str):
        if state is None:
            raise ActionError(_("Name the state of the delegation."), field="state")
    else:
        state = actor.state
        if state is None or not holds_role(actor, [Role.FOCAL_POINT], meeting.format_id):
            raise PermissionDenied(_("A delegation's list is kept by its own focal point."))
    assert state is not None
    is_member = members_on(meeting.format.mechanism_id, meeting.start_sort).filter(pk=state.pk).exists()
    invited = meeting.invitations.filter(state=state, status=InvitationStatus.ACCEPTED).exists()
    if not (is_member or invited):
        raise ActionError(_("Only member states and accepted guests send a delegation."), field="state")
    cleaned = []
    for index, row in enumerate(members):
        message = _("Each member needs a name of at most %(max)d characters.") % {"max": MAX_NAME}
        name = checked(row.get("full_name"), field=f"members.{index}.full_name", max_length=MAX_NAME, too_long=message)
        position = checked(row.get("position_title"), field=f"members.{index}.position_title", max_length=MAX_NAME,
                           too_long=_too_long(MAX_NAME))  # fmt: skip
        role = row.get("role") or DelegationRole.MEMBER
        if not name:
            raise ActionError(message, field=f"members.{index}.full_name")
        if role not in DelegationRole.values:
            raise ActionError(_("Unknown role in the delegation."), field=f"members.{index}.role")
        cleaned.append({"full_name": name, "position_title": position, "role": role})
    if sum(1 for row in cleaned if row["role"] == DelegationRole.HEAD) > 1:
        raise ActionError(_("A delegation has one head."), field="members")
    with transaction.atomic():
        delegation, _created = Delegation.objects.select_for_update().get_or_create(meeting=meeting, state=state)
        if expected_version is not None and delegation.version != expected_version:
            raise Conflict(_("Someone else changed this delegation since you opened it. Reload it and try again."))
        delegation.members.all().delete()
        DelegationMember.objects.bulk_create(
            DelegationMember(delegation=delegation, order=index, **row) for index, row in enumerate(cleaned)
        )
        delegation.version += 1
        delegation.save(update_fields=["version"])
        audit.record(actor, "delegation.saved", delegation, meeting=meeting.code, state=state.iso2,
                     members=len(cleaned))  # fmt: skip
        publish_on_commit(f"meeting:{meeting.pk}", {"verb": "delegation.saved", "delegation": delegation.pk})
    return delegation


# --- Cadence reminders ----------------------------------------------------------------------


def send_cadence_reminders(actor: Any, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Remind each format's secretariat at 60, 30 and 7 days before a meeting is due and when it is
    overdue, once per (format, due date, kind). Run daily (``./dev manage send_reminders``)."""
    from kenes.meetings.queries import format_compliance
    from kenes.people.models import Account, Affiliation, Role
    from kenes.people.notify import notify

    today = today or timezone.localdate()
    sent = []
    for fmt in Format.objects.filter(cadence_months__isnull=False):
        state = format_compliance(fmt, today=today)
        kind = state.reminder_due
        if kind is None or state.next_due is None:
            continue
        with transaction.atomic():
            _reminder, created = CadenceReminder.objects.get_or_create(format=fmt, due_date=state.next_due, kind=kind)
            if not created:
                continue
            recipients = Account.objects.filter(
                Q(roles__format=fmt) | Q(roles__format__isnull=True),
                affiliation=Affiliation.SECRETARIAT,
                roles__role=Role.SECRETARIAT,
                is_active=True,
            ).distinct()
            if kind == "overdue":
                text = _("%(format)s: the next meeting was due on %(due)s and is overdue.")
            else:
                text = _("%(format)s: the next meeting is due by %(due)s.")
            for account in recipients:
                notify(account, "cadence.reminder", text % {"format": fmt.name, "due": state.next_due.isoformat()},
                       url=f"/formats/{fmt.code}/")  # fmt: skip
            audit.record(actor, "cadence.reminder_sent", fmt, kind=kind, due=state.next_due.isoformat(),
                         recipients=recipients.count())  # fmt: skip
        sent.append((fmt.code, kind))
    return sent


# --- Calendar feed --------------------------------------------------------------------------


def rotate_calendar_token(actor: Any) -> str:
    """A new secret address for the actor's calendar feed; the old one stops working at once.

    Like an API token, only the SHA-256 of the secret is stored: the address is returned (and
    shown) once, and a copy of the database opens no one's feed."""
    import secrets

    from kenes.people.models import Account, feed_digest

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Account.objects.filter(pk=actor.pk).update(calendar_token=feed_digest(token))
        audit.record(actor, "calendar.feed_rotated", actor)
    actor.calendar_token = feed_digest(token)
    return token


def revoke_calendar_token(actor: Any) -> None:
    from kenes.people.models import Account

    with transaction.atomic():
        Account.objects.filter(pk=actor.pk).update(calendar_token=None)
        audit.record(actor, "calendar.feed_revoked", actor)
    actor.calendar_token = None
