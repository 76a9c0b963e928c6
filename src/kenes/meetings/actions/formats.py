"""A format's rules (decision rule, chair rotation, cadence) and the cadence reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.audit import log as audit
from kenes.errors import ActionError, Conflict
from kenes.formats import long_date
from kenes.inputs import checked
from kenes.live.publish import publish_on_commit
from kenes.meetings.actions.limits import MAX_RULES_BASIS, too_long
from kenes.meetings.models import (
    CadenceReminder,
    ChairRule,
    DecisionRule,
    Format,
    Standing,
)
from kenes.meetings.permissions import require_secretariat


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
                          too_long=too_long(MAX_RULES_BASIS))  # fmt: skip
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
            for account in recipients:
                # Each in the recipient's own language, the date in its long form.
                with translation.override(account.preferred_language or settings.LANGUAGE_CODE):
                    if kind == "overdue":
                        text = _("%(format)s: the next meeting was due on %(due)s and is overdue.")
                    else:
                        text = _("%(format)s: the next meeting is due by %(due)s.")
                    params = {"format": fmt.name, "due": long_date(state.next_due)}
                    notify(account, "cadence.reminder", text % params, url=f"/formats/{fmt.code}/")
            audit.record(actor, "cadence.reminder_sent", fmt, kind=kind, due=state.next_due.isoformat(),
                         recipients=recipients.count())  # fmt: skip
        sent.append((fmt.code, kind))
    return sent
