"""Formats (tracks) of a mechanism, their meetings, invitations and outcome documents."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.access.levels import Classification
from kenes.access.models import Protected
from kenes.states.dates import PartialDate
from kenes.states.models import Mechanism, Organisation, SourcedModel, State


class FormatLevel(models.TextChoices):
    HEADS_OF_STATE = "heads_of_state", _("Heads of state")
    FOREIGN_MINISTERS = "foreign_ministers", _("Foreign ministers")
    SECURITY_COUNCIL_SECRETARIES = "security_council_secretaries", _("Secretaries of the Security Councils")
    NATIONAL_COORDINATORS = "national_coordinators", _("National coordinators")
    C5_PLUS_X_SUMMIT = "c5_plus_x_summit", _("C5+X summit")
    C5_PLUS_X_MINISTERIAL = "c5_plus_x_ministerial", _("C5+X ministerial")


class ChairRule(models.TextChoices):
    HOST = "host", _("the host state chairs")
    ROTATION = "rotation", _("chair rotates in a fixed order")
    UNSET = "unset", _("not set")


class DecisionRule(models.TextChoices):
    CONSENSUS = "consensus", _("consensus of the member states")


class Format(SourcedModel):
    """A track of a mechanism, carrying its rules as data (validated in ``actions.update_format_rules``)."""

    code = models.CharField(max_length=64, unique=True)
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="formats")
    name_en = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=32, choices=FormatLevel.choices)
    partner_code = models.CharField(max_length=8, blank=True)
    cadence_text = models.TextField(blank=True)
    cadence_months = models.PositiveSmallIntegerField(_("meets at least once every N months"), null=True, blank=True)
    rules_basis = models.CharField(
        _("basis of the rules"),
        max_length=300,
        blank=True,
        help_text=_("The decision or document the rules come from."),
    )
    chair_rule = models.CharField(_("chair rule"), max_length=16, choices=ChairRule.choices, default=ChairRule.UNSET)
    rotation_order = models.CharField(
        _("rotation order"), max_length=100, blank=True, help_text=_("State codes in order, e.g. KZ;KG;TJ;TM;UZ.")
    )
    decision_rule = models.CharField(
        _("decision rule"), max_length=16, choices=DecisionRule.choices, default=DecisionRule.CONSENSUS
    )
    invitable = models.CharField(_("who may be invited"), max_length=100, default="guest;guest_of_honour;observer")
    default_classification = models.CharField(
        _("default classification"), max_length=16, choices=Classification.choices, default=Classification.PARTICIPANTS
    )
    working_languages = models.CharField(_("working languages"), max_length=50, default="ru")
    guests_may_comment = models.BooleanField(_("guests may comment on texts"), default=True)
    rules_version = models.PositiveIntegerField(default=1)

    @property
    def rotation(self) -> list[str]:
        return [code for code in self.rotation_order.split(";") if code]

    @property
    def invitable_standings(self) -> list[str]:
        return [code for code in self.invitable.split(";") if code]

    @property
    def languages(self) -> list[str]:
        return [code for code in self.working_languages.split(";") if code]

    class Meta:
        ordering = ["id"]
        verbose_name = _("format")
        verbose_name_plural = _("formats")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.shown_name()[0]

    def shown_name(self) -> tuple[str, str]:
        """The name in the reader's language where the sources give it, else the English one, with
        the language it is in (the data has no Russian names yet: pages mark them ``lang="en"``)."""
        from django.utils.translation import get_language

        if (get_language() or "").startswith("ru") and self.name_ru:
            return self.name_ru, "ru"
        return self.name_en, "en"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    CONVENED = "convened", _("convened")
    HELD = "held", _("held")
    POSTPONED = "postponed", _("postponed")
    CANCELLED = "cancelled", _("cancelled")
    UNVERIFIED = "unverified", _("unverified")


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("regular")
    EXTRAORDINARY = "extraordinary", _("extraordinary")


class Meeting(Protected, SourcedModel):
    ACCESS_FORMAT: ClassVar[str] = "format"
    ACCESS_MEETING: ClassVar[str | None] = "id"

    code = models.CharField(max_length=100, unique=True)
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="meetings")
    ordinal = models.CharField(max_length=16, blank=True)
    title_en = models.CharField(max_length=300, blank=True, help_text=_("Only for demo meetings."))
    title_ru = models.CharField(max_length=300, blank=True, help_text=_("Only for demo meetings."))
    start_text = models.CharField(max_length=10, blank=True)
    end_text = models.CharField(max_length=10, blank=True)
    start_sort = models.DateField(null=True, blank=True, editable=False)
    city_en = models.CharField(max_length=100, blank=True)
    country = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chair_state = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chair_person = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    kind = models.CharField(max_length=16, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    timezone = models.CharField(
        _("time zone of the venue"), max_length=64, blank=True, help_text=_("IANA zone, e.g. Asia/Bishkek.")
    )
    start_time = models.TimeField(_("opens at (local time)"), null=True, blank=True)
    end_time = models.TimeField(_("closes at (local time)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_sort", "code"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.display_title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.start_sort = PartialDate.parse(self.start_text).sort_key() if self.start_text else None
        super().save(*args, **kwargs)

    @property
    def display_title(self) -> str:
        return self.shown_name()[0]

    def shown_name(self) -> tuple[str, str]:
        """The meeting's own title in the reader's language (Russian, else English, else the other),
        or its format's name with the ordinal or the date; with the language it is written in."""
        from django.utils.translation import get_language

        ru = (get_language() or "").startswith("ru")
        own = [(self.title_ru, "ru"), (self.title_en, "en")]
        for title, language in own if ru else own[::-1]:
            if title:
                return title, language
        label, language = self.format.shown_name()
        if self.ordinal:
            return f"{label} {self.ordinal}".strip(), language
        return f"{label} ({self.start_text or '?'})", language

    @property
    def venue_timezone(self) -> str:
        """The venue's IANA zone: set on the meeting, else the host country's."""
        return self.timezone or (self.country.timezone if self.country else "")

    @property
    def start_date(self) -> dt.date | None:
        return PartialDate.parse(self.start_text).as_date() if self.start_text else None

    @property
    def end_date(self) -> dt.date | None:
        return PartialDate.parse(self.end_text).as_date() if self.end_text else self.start_date

    @property
    def dates_label(self) -> str:
        """The dates for the reader, as precise as the sources give them (kenes.formats)."""
        from kenes.formats import date_range

        return date_range(self.start_text, self.end_text)


class Standing(models.TextChoices):
    GUEST = "guest", _("guest")
    GUEST_OF_HONOUR = "guest_of_honour", _("guest of honour")
    OBSERVER = "observer", _("observer")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    REVOKED = "revoked", _("revoked")


class Invitation(models.Model):
    """A state or organisation invited to one meeting; only ``accepted`` grants access."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    state = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    standing = models.CharField(max_length=20, choices=Standing.choices, default=Standing.GUEST)
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    person = models.CharField(max_length=100, blank=True, help_text=_("As the source names the attendee."))

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__isnull=False, organisation__isnull=True)
                | models.Q(state__isnull=True, organisation__isnull=False),
                name="invitation_one_invitee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitee} → {self.meeting.code} ({self.status})"

    @property
    def invitee(self) -> State | Organisation:
        return self.state or self.organisation  # type: ignore[return-value]


class DocumentKind(models.TextChoices):
    JOINT_STATEMENT = "joint_statement", _("joint statement")
    TREATY = "treaty", _("treaty")
    CONCEPT = "concept", _("concept")
    ROADMAP = "roadmap", _("roadmap")
    PROGRAMME = "programme", _("programme")
    REGULATIONS = "regulations", _("regulations")
    DECISION = "decision", _("decision")
    AGREEMENT = "agreement", _("agreement")
    APPEAL = "appeal", _("appeal")
    ACTION_PLAN = "action_plan", _("action plan")
    CATALOGUE = "catalogue", _("catalogue")
    BRIEFING = "briefing", _("briefing note")
    NOTE = "note", _("note")


class Adopted(models.TextChoices):
    YES = "yes", _("adopted")
    NO = "no", _("not adopted")
    UNVERIFIED = "unverified", _("adoption unverified")


class Document(Protected, SourcedModel):
    """An outcome document of a meeting (real, from the reference data) or demo material."""

    ACCESS_FORMAT: ClassVar[str] = "format"
    ACCESS_MEETING: ClassVar[str | None] = "meeting"

    code = models.CharField(max_length=150, unique=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="documents")
    title_en = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    adopted = models.CharField(_("adoption"), max_length=12, choices=Adopted.choices, default=Adopted.NO)
    signatories = models.ManyToManyField(State, blank=True, related_name="+")
    body = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting__start_sort", "code"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title_en

    def shown_name(self) -> tuple[str, str]:
        """Document titles come from English sources; pages mark them ``lang="en"`` elsewhere."""
        return self.title_en, "en"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.meeting is not None and not self.format_id:
            self.format_id = self.meeting.format_id
        super().save(*args, **kwargs)


__all__ = ["Classification"]


class ProposalKind(models.TextChoices):
    ADOPT_DOCUMENT = "adopt_document", _("adopt a document")
    INVITE_GUESTS = "invite_guests", _("invite guests")
    NEW_FORMAT = "new_format", _("new format")
    MEETING_CADENCE = "meeting_cadence", _("meeting cadence")
    NEW_BODY = "new_body", _("new body")
    INITIATIVE = "initiative", _("initiative")


class Proposal(SourcedModel):
    """A proposal made at a meeting (the 2022 proposals of the IV meeting), as the source words it."""

    code = models.CharField(max_length=16, unique=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    text_en = models.TextField()
    text_ru = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.code


class AgendaStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    UNDER_DISCUSSION = "under_discussion", _("under discussion")
    DONE = "done", _("done")


class AgendaItem(Protected):
    """One item of a meeting's agenda, with its own classification.

    Numbers are not stored: each reader sees its visible items numbered 1, 2, 3…, so an item it may
    not see leaves no gap in the numbering.
    """

    ACCESS_FORMAT: ClassVar[str] = "meeting__format"
    ACCESS_MEETING: ClassVar[str | None] = "meeting"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AgendaStatus.choices, default=AgendaStatus.PENDING)
    documents = models.ManyToManyField(Document, blank=True, related_name="agenda_items")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class DelegationRole(models.TextChoices):
    HEAD = "head", _("head of delegation")
    MEMBER = "member", _("member")
    ADVISER = "adviser", _("adviser")
    EXPERT = "expert", _("expert")


class Accreditation(models.TextChoices):
    """A delegation member's accreditation: asked for by the focal point's list, decided by the secretariat."""

    REQUESTED = "requested", _("accreditation requested")
    APPROVED = "approved", _("accredited")
    REFUSED = "refused", _("accreditation refused")


class Delegation(models.Model):
    """A state's delegation to one meeting, kept by that state's focal point."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="delegations")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="delegations")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "state__name_en"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [models.UniqueConstraint(fields=["meeting", "state"], name="delegation_unique")]

    def __str__(self) -> str:
        return f"{self.state.iso2} @ {self.meeting.code}"


class DelegationMember(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=200)
    position_title = models.CharField(_("position"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=DelegationRole.choices, default=DelegationRole.MEMBER)
    order = models.PositiveIntegerField(default=0)
    accreditation = models.CharField(
        _("accreditation"), max_length=10, choices=Accreditation.choices, default=Accreditation.REQUESTED
    )
    accreditation_note = models.TextField(_("reason"), blank=True)  # why it was refused

    class Meta:
        ordering = ["delegation", "order", "id"]
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")

    def __str__(self) -> str:
        return self.full_name


class CadenceReminder(models.Model):
    """A reminder already sent, so each (format, due date, kind) is sent once."""

    format = models.ForeignKey(Format, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField()
    kind = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["format", "due_date", "kind"], name="cadence_reminder_once")]
