"""Reports on an instruction: a state files one (with an attachment), the secretariat reviews it."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.access.actors import require_strong_auth
from kenes.access.levels import Classification, rank
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint
from kenes.decisions.actions.common import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_COMMENT,
    MAX_REPORT,
    notify_account,
    notify_secretariat,
    publish_instruction_event,
)
from kenes.decisions.models import (
    Instruction,
    Progress,
    Report,
    Review,
)
from kenes.decisions.permissions import is_focal_point_of, may_report_for
from kenes.errors import ActionError
from kenes.inputs import checked
from kenes.meetings.permissions import require_secretariat


def _check_attachment(attachment: UploadedFile | None) -> None:
    if attachment is None:
        return
    name = attachment.name or ""
    if PurePath(name).suffix.lower() not in ATTACHMENT_TYPES:
        raise ActionError(
            _("Attach a document or an image (%(types)s).") % {"types": ", ".join(ATTACHMENT_TYPES)},
            field="attachment",
        )
    if (attachment.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ActionError(_("The attachment is larger than 10 MB."), field="attachment")
    if not attachment.size:
        raise ActionError(_("The attachment is empty."), field="attachment")


def file_report(
    actor: Any,
    instruction: Instruction,
    *,
    body: str,
    progress: str,
    attachment: UploadedFile | None = None,
    is_demo: bool = False,
) -> Report:
    """A focal point of an assignee state reports progress; the secretariat then reviews it."""

    require(actor, "view", instruction)
    state = getattr(actor, "state", None)
    if not getattr(actor, "is_authenticated", False) or state is None:
        raise PermissionDenied(_("Only the focal point of an assignee state files reports."))
    require_strong_auth(actor)
    formats = [instruction.format] + ([instruction.assignee_format] if instruction.assignee_format else [])
    if not is_focal_point_of(actor, state, formats):
        raise PermissionDenied(_("Only the focal point of an assignee state files reports."))
    if instruction.is_proposal:
        raise ActionError(_("This is a proposal, not a recorded decision: Kenes takes no reports on it."))
    if instruction.cancelled_at is not None:
        raise ActionError(_("This instruction is cancelled: it takes no more reports."))
    if not may_report_for(instruction, state):
        raise ActionError(
            _("%(state)s is not an assignee of this instruction: only its assignee states report on it.")
            % {"state": state.name},
            field="state",
        )
    body = checked(body, field="body", max_length=MAX_REPORT,
                   too_long=_("The report is longer than %(max)d characters.") % {"max": MAX_REPORT})  # fmt: skip
    if not body:
        raise ActionError(_("Write what was done."), field="body")
    if progress not in Progress.values:
        raise ActionError(_("Choose in progress or done."), field="progress")
    _check_attachment(attachment)
    level = instruction.classification
    if rank(level) < rank(Classification.MEMBERS):
        level = Classification.MEMBERS
    with transaction.atomic():
        current = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if current.cancelled_at is not None:
            raise ActionError(_("This instruction is cancelled: it takes no more reports."))
        report = Report(
            instruction=current, state=state, author=actor, body=body, progress=progress, classification=level,
            is_demo=is_demo,
        )  # fmt: skip
        if attachment is not None:
            report.attachment.save(attachment.name or "attachment", attachment, save=False)
        try:
            report.save()
        except Exception:
            if report.attachment:
                report.attachment.delete(save=False)
            raise
        if level == Classification.RESTRICTED:
            report.distribution.set(current.distribution.all())
        audit.record(actor, "report.filed", report, instruction=current.pk, state=state.iso2, progress=progress,
                     attachment=report.attachment_name)  # fmt: skip
        publish_instruction_event(current, "report.filed", report=report.pk)
    notify_secretariat(current, gettext_lazy("A progress report was filed on an instruction. Open Kenes to review it."))
    return report


def review_report(actor: Any, report: Report, *, accept: bool, comment: str = "") -> Report:
    """The secretariat accepts a report or returns it with a comment (returning needs one)."""
    require(actor, "view", report)
    instruction = report.instruction
    require_secretariat(actor, instruction.format)
    comment = checked(comment, field="comment", max_length=MAX_COMMENT,
                      too_long=_("The comment is longer than %(max)d characters.") % {"max": MAX_COMMENT})  # fmt: skip
    if not accept and not comment:
        raise ActionError(_("Say why the report is returned."), field="comment")
    with transaction.atomic():
        current = Report.objects.select_for_update().select_related("instruction").get(pk=report.pk)
        if current.instruction.cancelled_at is not None:
            raise ActionError(_("This instruction is cancelled: its reports are no longer reviewed."))
        if current.review != Review.SUBMITTED:
            raise ActionError(_("This report was already reviewed."))
        current.review = Review.ACCEPTED if accept else Review.RETURNED
        current.review_comment = comment
        current.reviewed_by = actor if getattr(actor, "pk", None) else None
        current.reviewed_at = timezone.now()
        current.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at"])
        audit.record(actor, "report.accepted" if accept else "report.returned", current,
                     instruction=current.instruction_id, comment=fingerprint(comment))  # fmt: skip
        publish_instruction_event(current.instruction, "report.reviewed", report=current.pk)
    if current.author_id:
        author = current.author
        message = (
            gettext_lazy("Your report on an instruction was accepted.") if accept
            else gettext_lazy("Your report on an instruction was returned with a comment. Open Kenes to read it.")
        )  # fmt: skip
        transaction.on_commit(lambda: notify_account(author, current.instruction, "report.reviewed", message))
    return current
