"""A meeting's agenda: add, edit, move and remove items."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kenes.access.levels import Classification, rank
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint, fingerprints
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked
from kenes.live.publish import publish_on_commit
from kenes.meetings.actions.limits import MAX_NAME, MAX_TITLE, too_long
from kenes.meetings.models import (
    AgendaItem,
    AgendaStatus,
    Document,
    Meeting,
)
from kenes.meetings.permissions import require_secretariat, require_security_channel
from kenes.states.models import State


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
    presenter = checked(presenter, field="presenter", max_length=MAX_NAME, too_long=too_long(MAX_NAME))
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
        changes["presenter"] = checked(presenter, field="presenter", max_length=MAX_NAME, too_long=too_long(MAX_NAME))
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
