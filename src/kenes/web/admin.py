"""The admin shows data for inspection only: every change goes through an action (see actions.py)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_q.models import Failure, OrmQ, Schedule, Success

from kenes.access.models import Protected
from kenes.access.policy import visible, visible_audit_events
from kenes.audit.models import AuditEvent
from kenes.meetings.models import Document, Format, Invitation, Meeting
from kenes.people.models import Account, ApiToken, FormatRole
from kenes.states.models import Participation, Source, State

# The admin demands a verified second factor, like every page that shows more than public material.
admin.site.__class__ = OTPAdminSite
# Editable third-party admin pages would change data outside the audited actions (and TOTP
# pages would show secrets): they are not offered. django-q2's pages would let an administrator
# schedule any importable function with any arguments, that is run code on the server: its
# schedules and task results are shown read-only below (``manage setup_schedules`` writes them).
for _model in (TOTPDevice, StaticDevice, Group, Schedule, Success, Failure, OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if issubclass(self.model, Protected):
            return visible(request.user, queryset)
        return queryset

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(State)
class StateAdmin(ReadOnlyAdmin):
    list_display = ["iso2", "name_en", "timezone"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["state", "mechanism", "status", "from_text", "until_text"]


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ["code", "title"]


@admin.register(Format)
class FormatAdmin(ReadOnlyAdmin):
    """The format's rules are editable here too, through the same audited action as the page and API."""

    list_display = ["code", "name_en", "level", "partner_code", "cadence_months", "chair_rule"]
    RULE_FIELDS = (
        "cadence_months",
        "rules_basis",
        "chair_rule",
        "rotation_order",
        "decision_rule",
        "invitable",
        "default_classification",
        "working_languages",
        "guests_may_comment",
    )
    fields = ("code", "name_en", "mechanism", "level", "partner_code", "cadence_text", *RULE_FIELDS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", "name_en", "mechanism", "level", "partner_code", "cadence_text")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from django.core.exceptions import PermissionDenied, ValidationError

        from kenes.errors import ActionError
        from kenes.meetings.actions import update_format_rules

        data = form.cleaned_data
        try:
            update_format_rules(
                request.user,
                Format.objects.get(pk=obj.pk),
                expected_version=Format.objects.get(pk=obj.pk).rules_version,
                cadence_months=data["cadence_months"],
                chair_rule=data["chair_rule"],
                rotation_order=data["rotation_order"].split(";"),
                decision_rule=data["decision_rule"],
                invitable=[c for c in data["invitable"].split(";") if c],
                default_classification=data["default_classification"],
                working_languages=data["working_languages"].split(";"),
                rules_basis=data["rules_basis"],
                guests_may_comment=data["guests_may_comment"],
            )
        except (ActionError, PermissionDenied) as exc:
            raise ValidationError(getattr(exc, "message", str(exc))) from exc

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        from django.contrib import messages
        from django.core.exceptions import ValidationError
        from django.shortcuts import redirect

        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["code", "format", "start_text", "status", "classification"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "state", "organisation", "standing", "status"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_en", "classification", "owner_state"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "affiliation", "state", "clearance"]
    exclude = ["password"]


@admin.register(FormatRole)
class FormatRoleAdmin(ReadOnlyAdmin):
    list_display = ["account", "format", "role"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["account", "name", "hint", "created_at", "revoked_at"]
    exclude = ["digest"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The log as far as the reader may see what it is about: an event about protected material
    the reader cannot read is neither listed nor found (finding 3 of the security review)."""

    list_display = ["seq", "created_at", "actor_label", "verb", "target_type", "target_id"]
    search_fields = ["verb", "actor_label", "target_type", "target_id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible_audit_events(request.user, super().get_queryset(request))


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "func", "schedule_type", "minutes", "next_run", "repeats"]


@admin.register(Success)
class TaskDoneAdmin(ReadOnlyAdmin):
    list_display = ["name", "func", "started", "stopped"]


@admin.register(Failure)
class TaskFailedAdmin(ReadOnlyAdmin):
    list_display = ["name", "func", "started", "stopped", "attempt_count"]
