"""A meeting's documents: upload a new one, replace or reclassify it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprints
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked
from kenes.live.publish import publish_on_commit
from kenes.meetings.actions.limits import MAX_BODY, MAX_CODE, MAX_TITLE, too_long
from kenes.meetings.models import (
    Document,
    Format,
    Meeting,
)
from kenes.meetings.permissions import require_secretariat
from kenes.states.models import State


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
        changes["body"] = checked(body, field="body", max_length=MAX_BODY, strip=False, too_long=too_long(MAX_BODY))
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
    code = checked(code, field="code", max_length=MAX_CODE, too_long=too_long(MAX_CODE))
    title_en = checked(title_en, field="title_en", max_length=MAX_TITLE, too_long=too_long(MAX_TITLE))
    body = checked(body, field="body", max_length=MAX_BODY, strip=False, too_long=too_long(MAX_BODY))
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
