"""The silence procedure and adoption: circulate, break, adopt when due or by consensus, sign."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint
from kenes.errors import ActionError
from kenes.inputs import checked
from kenes.states.models import State
from kenes.texts.actions.common import MAX_REASON, new_version, not_frozen, publish_text_event
from kenes.texts.models import (
    AdoptedBy,
    Signature,
    SilenceBreak,
    Text,
    TextStatus,
)
from kenes.texts.permissions import member_states, require_chair, require_delegation
from kenes.texts.queries import silence_zones
from kenes.texts.rules import canonical_text, sha256


def is_clean(text: Text) -> tuple[bool, list[str]]:
    """Clean: no bracket left in any language version and every unit agreed by the members."""
    from kenes.texts.queries import unit_states

    problems = []
    for unit, state in unit_states(text):
        if state != "agreed":
            problems.append(f"{unit.uid}: {state}")
    return not problems, problems


def circulate_for_silence(actor: Any, text: Text, *, deadline: dt.datetime, timezone_name: str) -> Text:
    """The chair circulates a clean text; it is adopted at ``deadline`` unless a member breaks silence."""
    require(actor, "view", text)
    require_chair(actor, text)
    not_frozen(text)
    zones = silence_zones(text)
    if timezone_name not in zones:
        message = _("Choose the time zone of a member state: %(zones)s.") % {"zones": ", ".join(zones)}
        raise ActionError(message, field="timezone")
    if timezone.is_naive(deadline):
        deadline = deadline.replace(tzinfo=zoneinfo.ZoneInfo(timezone_name))
    if deadline <= timezone.now() + dt.timedelta(minutes=1):
        raise ActionError(_("The deadline must be in the future."), field="deadline")
    clean, problems = is_clean(text)
    if not clean:
        raise ActionError(
            _("Only a clean text goes under silence; still open: %(units)s.") % {"units": ", ".join(problems[:10])},
            field="deadline",
        )
    with transaction.atomic():
        current = Text.objects.select_for_update().get(pk=text.pk)
        if current.status != TextStatus.DRAFTING:
            raise ActionError(_("This text is not under negotiation."))
        current.status, current.silence_deadline, current.silence_timezone = TextStatus.SILENCE, deadline, timezone_name
        current.save(update_fields=["status", "silence_deadline", "silence_timezone"])
        new_version(actor, current, "circulated under silence procedure")
        audit.record(actor, "silence.started", current, deadline=deadline.isoformat(), timezone=timezone_name)
        publish_text_event(current, "silence.started")
    _notify_members(current, _("A text is circulated under silence procedure. Open Kenes for the deadline."))
    return current


def record_silence_break(actor: Any, text: Text, state: State, reason: str) -> None:
    current = Text.objects.select_for_update().get(pk=text.pk)
    if current.status != TextStatus.SILENCE:
        return
    assert current.silence_deadline is not None
    if timezone.now() >= current.silence_deadline:
        raise ActionError(_("The silence deadline has passed: it is too late to break silence."))
    SilenceBreak.objects.create(
        text=current, state=state, reason=reason[:MAX_REASON], deadline=current.silence_deadline,
        author=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    current.status, current.silence_deadline = TextStatus.DRAFTING, None
    current.save(update_fields=["status", "silence_deadline"])
    text.status, text.silence_deadline = current.status, None
    audit.record(actor, "silence.broken", current, state=state.iso2, reason=fingerprint(reason))
    publish_text_event(current, "silence.broken", state=state.iso2)
    transaction.on_commit(
        lambda: _notify_members(current, _("Silence was broken on a text. Open Kenes for the details."))
    )


def break_silence(actor: Any, text: Text, *, reason: str) -> Text:
    """A member delegation objects in writing before the deadline: the text goes back to negotiation."""
    require(actor, "view", text)
    state = require_delegation(actor, text)  # guests cannot break silence
    reason = checked(reason, field="reason", max_length=MAX_REASON,
                     too_long=_("The reason is longer than %(max)d characters.") % {"max": MAX_REASON})  # fmt: skip
    if not reason:
        raise ActionError(_("Breaking silence gives its reason."), field="reason")
    with transaction.atomic():
        current = Text.objects.select_for_update().get(pk=text.pk)
        if current.status != TextStatus.SILENCE:
            raise ActionError(_("This text is not under silence procedure."))
        record_silence_break(actor, current, state, reason)
    return Text.objects.get(pk=text.pk)


def _hashes(text: Text) -> dict[str, str]:
    units = list(text.units.filter(removed=False).prefetch_related("versions").order_by("order"))
    out = {}
    for language in text.language_list:
        pairs = [(u.uid, next((v.content for v in u.versions.all() if v.language == language), "")) for u in units]
        if all(content for _uid, content in pairs):
            out[language] = sha256(canonical_text(pairs))
    return out


def _adopt(actor: Any, text: Text, how: str) -> Text:
    text.adopted_hashes = _hashes(text)
    text.save(update_fields=["adopted_hashes"])
    new_version(actor, text, f"adopted by {how}")
    audit.record(actor, "text.adopted", text, by=how, hashes=text.adopted_hashes)
    publish_text_event(text, "text.adopted")
    # In the adoption's own transaction, not on commit: the notifications exist exactly when the
    # adoption does, whatever befalls the worker or Redis after the commit (decision 0022).
    _notify_members(text, _("A text was adopted. Open Kenes to read and sign it."))
    return text


def adopt_due_silences(now: dt.datetime | None = None) -> list[str]:
    """Adopt every text whose silence deadline has passed. Safe to run from any number of workers:
    the conditional update lets exactly one of them adopt a given text."""
    now = now or timezone.now()
    adopted = []
    for pk in Text.objects.filter(status=TextStatus.SILENCE, silence_deadline__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            won = Text.objects.filter(pk=pk, status=TextStatus.SILENCE, silence_deadline__lte=now).update(
                status=TextStatus.ADOPTED, adopted_at=now, adopted_by=AdoptedBy.SILENCE
            )
            if not won:
                continue  # another worker adopted it, or silence was broken
            text = Text.objects.get(pk=pk)
            _adopt("silence procedure", text, AdoptedBy.SILENCE)
            adopted.append(text.code)
    return adopted


def adopt_by_consensus(actor: Any, text: Text) -> Text:
    require(actor, "view", text)
    require_chair(actor, text)
    not_frozen(text)
    clean, problems = is_clean(text)
    if not clean:
        raise ActionError(
            _("Only a clean text is adopted; still open: %(units)s.") % {"units": ", ".join(problems[:10])}
        )
    with transaction.atomic():
        won = Text.objects.filter(pk=text.pk, status=TextStatus.DRAFTING).update(
            status=TextStatus.ADOPTED, adopted_at=timezone.now(), adopted_by=AdoptedBy.CONSENSUS
        )
        if not won:
            raise ActionError(_("This text is not under negotiation."))
        current = Text.objects.get(pk=text.pk)
        _adopt(actor, current, AdoptedBy.CONSENSUS)
    return current


def sign(actor: Any, text: Text) -> Signature:
    """A member delegation signs the adopted text; the signature records the hashes it signed."""
    require(actor, "view", text)
    state = require_delegation(actor, text)
    if text.status != TextStatus.ADOPTED:
        raise ActionError(_("Only an adopted text is signed."))
    signed = _("Your delegation has already signed this text.")
    with transaction.atomic():
        if Signature.objects.filter(text=text, state=state).exists():
            raise ActionError(signed)
        try:
            signature = Signature.objects.create(text=text, state=state, signer=actor, signer_name=actor.full_name,
                                                 hashes=text.adopted_hashes)  # fmt: skip
        except IntegrityError as exc:  # a colleague's signature, committed since the check above
            raise ActionError(signed) from exc
        audit.record(actor, "text.signed", signature, text=text.code, state=state.iso2, hashes=text.adopted_hashes)
        publish_text_event(text, "text.signed", state=state.iso2)
    return signature


def _notify_members(text: Text, message: str) -> None:
    """Notify the member delegations' accounts and the secretariat of the format: a link only."""
    from django.db.models import Q

    from kenes.access.policy import can
    from kenes.people.models import Account
    from kenes.people.notify import notify

    members = [s.pk for s in member_states(text)]
    recipients = Account.objects.filter(
        Q(state_id__in=members) | Q(affiliation="secretariat"), is_active=True
    ).distinct()
    for account in recipients:
        account.kenes_token_auth = True  # type: ignore[attr-defined]  # judged at their clearance, as after a strong sign-in
        if can(account, "view", text):
            notify(account, "text.notice", message, url=f"/texts/{text.code}/")
