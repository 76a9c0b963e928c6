"""Decisions (units of adopted texts), the instructions they give, and the reports on them.

An instruction's audience is the format and meeting of the text it comes from (or of the meeting
where a proposal was made): ``format`` and ``meeting`` are copied from there when it is created and
never change, since an adopted text is frozen. Its status is never stored: ``rules.status`` derives
it from the reports, the due date, the meetings held and the cancellation.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kenes.access.models import Protected
from kenes.meetings.models import Format, Meeting, Proposal
from kenes.states.models import State
from kenes.texts.models import Text, Unit


class Decision(models.Model):
    """A unit (paragraph) of an adopted text that the secretariat marked as a decision.

    It is read through its text: whoever may read the text may read the decision.
    """

    text = models.ForeignKey(Text, on_delete=models.PROTECT, related_name="decisions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="decisions")
    adopted_on = models.DateField(_("adopted on"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip
    marked_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("demo material"), default=False)

    class Meta:
        ordering = ["-adopted_on", "text", "unit__order"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [models.UniqueConstraint(fields=["unit"], name="decision_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.text.code} {self.unit.uid}"


class Basis(models.TextChoices):
    DECISION = "decision", _("decision")
    PROPOSAL = "proposal", _("proposal (adoption not recorded)")


class AssigneeKind(models.TextChoices):
    FORMAT = "format", _("a format")
    BODY = "body", _("a named body")
    STATES = "states", _("one or more states")


class Instruction(Protected):
    """What a decision asks of an assignee, by a due date or on a recurrence.

    ``decision`` is set for an instruction given by an adopted text; ``proposal`` for one that the
    reference data records only as a proposal (never both).
    """

    ACCESS_FORMAT: ClassVar[str] = "format"
    ACCESS_MEETING: ClassVar[str | None] = "meeting"

    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="instructions")  # fmt: skip
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="instructions")  # fmt: skip
    format = models.ForeignKey(
        Format, on_delete=models.PROTECT, related_name="+",
        help_text=_("The format of the text or meeting the instruction comes from."),
    )  # fmt: skip
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    basis_date = models.DateField(_("date of the decision"))
    title = models.CharField(_("instruction"), max_length=300)
    assignee_kind = models.CharField(_("assignee"), max_length=8, choices=AssigneeKind.choices)
    assignee_format = models.ForeignKey(Format, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="instructions")  # fmt: skip
    assignee_body = models.CharField(_("body"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    recurrence_months = models.PositiveSmallIntegerField(_("every N months"), null=True, blank=True)
    meets = models.BooleanField(
        _("asks the format to meet on the recurrence"), default=False,
        help_text=_("A recurring instruction to a format to meet: it sets the format's cadence rule."),
    )  # fmt: skip
    # The cadence rule this instruction imposed, and the rule it replaced (restored on cancelling).
    imposes_cadence = models.BooleanField(default=False)
    imposed_basis = models.CharField(max_length=300, blank=True)
    previous_cadence_months = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_rules_basis = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")  # fmt: skip
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-basis_date", "-id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__isnull=False, proposal__isnull=True)
                | models.Q(decision__isnull=True, proposal__isnull=False),
                name="instruction_one_basis",
            ),
            models.CheckConstraint(
                condition=models.Q(recurrence_months__isnull=True)
                | models.Q(recurrence_months__gte=1, recurrence_months__lte=60),
                name="instruction_recurrence_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def basis(self) -> str:
        return Basis.DECISION if self.decision_id else Basis.PROPOSAL

    @property
    def is_proposal(self) -> bool:
        return self.proposal_id is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def tied_to_cadence(self) -> bool:
        """Its compliance is the assignee format's cadence, computed from the meetings held."""
        return self.imposes_cadence and self.assignee_format_id is not None and self.recurrence_months is not None


class Assignee(models.Model):
    """A state an instruction is addressed to, with a ministry (optional) and its responsible focal point."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="assignees")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    ministry = models.CharField(_("ministry"), max_length=200, blank=True)
    focal_point = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="responsible_for")  # fmt: skip

    class Meta:
        ordering = ["instruction", "state__name_en"]
        verbose_name = _("assignee state")
        verbose_name_plural = _("assignee states")
        constraints = [models.UniqueConstraint(fields=["instruction", "state"], name="assignee_once")]

    def __str__(self) -> str:
        return f"{self.state.iso2} ← {self.instruction_id}"


class Progress(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("report progress", "in progress")
    DONE = "done", pgettext_lazy("report progress", "done")


class Review(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("report review", "awaiting review")
    ACCEPTED = "accepted", pgettext_lazy("report review", "accepted")
    RETURNED = "returned", pgettext_lazy("report review", "returned")


def _attachment_path(report: Report, filename: str) -> str:
    base = (filename or "attachment").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = get_valid_filename(base)[-100:] or "attachment"
    return f"reports/{report.instruction_id}/{uuid.uuid4().hex}/{name}"


class Report(Protected):
    """A progress report by an assignee state's focal point.

    Classified like its instruction but never below ``members``: a state's report on what it did is
    member material even when the instruction itself is public.
    """

    ACCESS_FORMAT: ClassVar[str] = "instruction__format"
    ACCESS_MEETING: ClassVar[str | None] = "instruction__meeting"

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="reports")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip
    body = models.TextField(_("report"))
    progress = models.CharField(_("progress"), max_length=12, choices=Progress.choices)
    attachment = models.FileField(_("attachment"), upload_to=_attachment_path, blank=True, max_length=250)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.SUBMITTED)
    review_comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instruction", "created_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.state.iso2} report on {self.instruction_id}"

    @property
    def attachment_name(self) -> str:
        return (self.attachment.name or "").rsplit("/", 1)[-1] if self.attachment else ""

    def attachment_url(self) -> str:
        from django.urls import reverse

        return reverse("report_attachment", args=[self.instruction_id, self.pk]) if self.attachment else ""


class InstructionReminder(models.Model):
    """A reminder already sent, so each (instruction, due date, kind) goes out once."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField()
    kind = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instruction", "due_date", "kind"], name="instruction_reminder_once")
        ]


class WeeklySummary(models.Model):
    """A focal point's weekly summary already sent for an ISO week (``2026-W48``)."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "week"], name="weekly_summary_once")]
