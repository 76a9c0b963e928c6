"""The one access policy of Kenes: who may read and change a protected object.

Every page, API endpoint, export, feed, search and notification asks ``visible()`` for the
objects an account may read, or ``can()`` about one object. There is no other place where these
rules are written: ``can(account, "view", obj)`` is ``visible()`` narrowed to ``obj``.

The rules (see docs/architecture.md, "Access policy"):

* ``public``: everyone, signed in or not.
* ``participants``: accounts of the member states of the format's mechanism, of states and
  organisations whose invitation to that meeting is *accepted* (guests), and the secretariat.
* ``members``: accounts of the member states (on the day of the request) and the secretariat.
* ``restricted``: accounts cleared ``restricted`` whose state is a member and on the distribution,
  and only while the session carries a fresh two-factor sign-in (``has_fresh_session_2fa``): an
  API token or a session whose last TOTP is older than ``KENES_RESTRICTED_REAUTH_MINUTES`` reads at
  most ``members`` (docs/decisions/0021-restricted-needs-fresh-session-2fa.md).
* delegation-private (``owner_state`` set): accounts of that state only, at their clearance.

An account reads at most up to its clearance, only in formats where it holds a role, and an
account that must use two-factor authentication reads only public material until it has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.actors import is_strongly_authenticated, lacks_second_factor
from kenes.access.levels import Classification, levels_up_to, rank
from kenes.access.models import Protected

Verb = Literal["view", "list", "edit"]
VERBS: tuple[str, ...] = ("view", "list", "edit")


def reauth_minutes() -> int:
    from django.conf import settings

    return int(getattr(settings, "KENES_RESTRICTED_REAUTH_MINUTES", 15))


def has_fresh_session_2fa(account: Any) -> bool:
    """True when this *session* passed TOTP and the last TOTP is recent.

    The time of the last TOTP sign-in is put on the account by ``FreshStrongAuthMiddleware`` as
    ``kenes_strong_auth_at``; an API token is not a session 2FA and never counts.
    """
    if getattr(account, "kenes_token_auth", False) or not is_strongly_authenticated(account):
        return False
    at = getattr(account, "kenes_strong_auth_at", None)
    if not isinstance(at, dt.datetime):
        return False
    return timezone.now() - at <= dt.timedelta(minutes=reauth_minutes())


def effective_clearance(account: Any, *, assume_fresh: bool = False) -> str:
    """The level an account reads at now. ``assume_fresh`` answers "after a new TOTP code": it
    only tells a stale session that re-entering its code would open something."""
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return Classification.PUBLIC
    if account.requires_two_factor and not is_strongly_authenticated(account):
        return Classification.PUBLIC
    clearance = str(account.clearance)
    # A token reads at most at the clearance its account had when it was made (finding 4).
    token_cap = getattr(account, "kenes_token_clearance", None)
    if token_cap and rank(token_cap) < rank(clearance):
        clearance = str(token_cap)
    if clearance == Classification.RESTRICTED and not (assume_fresh or has_fresh_session_2fa(account)):
        return Classification.MEMBERS
    return clearance


# Explicit "everything" and "nothing": an empty Q() would vanish when OR-ed with another Q.
_ALL = Q(pk__isnull=False)
_NONE = Q(pk__in=[])


@dataclass(frozen=True)
class _Audience:
    """What an account's state, organisation and roles open up, as lazy sub-queries."""

    clearance: str
    all_formats: bool
    role_format_ids: frozenset[int]
    secretariat_all: bool
    secretariat_format_ids: frozenset[int]
    state_id: int | None
    organisation_id: int | None
    day: dt.date

    def role_q(self, format_path: str) -> Q:
        if self.all_formats:
            return _ALL
        return Q(**{f"{format_path}__in": self.role_format_ids})

    def secretariat_q(self, format_path: str) -> Q:
        if self.secretariat_all:
            return _ALL
        if not self.secretariat_format_ids:
            return _NONE
        return Q(**{f"{format_path}__in": self.secretariat_format_ids})


def _audience(account: Any, day: dt.date | None, assume_fresh: bool = False) -> _Audience | None:
    clearance = effective_clearance(account, assume_fresh=assume_fresh)
    if clearance == Classification.PUBLIC:
        return None
    from kenes.people.models import Affiliation, Role

    roles = list(account.roles.values_list("format_id", "role"))
    secretariat = account.affiliation == Affiliation.SECRETARIAT
    return _Audience(
        clearance=clearance,
        all_formats=any(format_id is None for format_id, _ in roles),
        role_format_ids=frozenset(f for f, _ in roles if f is not None),
        secretariat_all=secretariat and any(f is None and r == Role.SECRETARIAT for f, r in roles),
        secretariat_format_ids=frozenset(
            f for f, r in roles if secretariat and f is not None and r == Role.SECRETARIAT
        ),
        state_id=account.state_id,
        organisation_id=account.organisation_id,
        day=day or timezone.localdate(),
    )


def _member_format_ids(audience: _Audience) -> QuerySet[Any]:
    from kenes.meetings.models import Format
    from kenes.states.models import Participation, ParticipationStatus

    mechanisms = (
        Participation.objects.on(audience.day)
        .filter(state_id=audience.state_id or 0, status=ParticipationStatus.MEMBER)
        .values("mechanism_id")
    )
    return Format.objects.filter(mechanism_id__in=mechanisms).values("id")


def _invited_meeting_ids(audience: _Audience) -> QuerySet[Any]:
    from kenes.meetings.models import Invitation, InvitationStatus

    invitee = Q(state_id=audience.state_id) if audience.state_id else Q(organisation_id=audience.organisation_id)
    return Invitation.objects.filter(invitee, status=InvitationStatus.ACCEPTED).values("meeting_id")


def _filter(model: type[Protected], account: Any, day: dt.date | None, assume_fresh: bool = False) -> Q:
    fmt = model.ACCESS_FORMAT
    meeting = model.ACCESS_MEETING
    open_q = Q(owner_state__isnull=True)
    visible_q = Q(classification=Classification.PUBLIC) & open_q
    audience = _audience(account, day, assume_fresh)
    if audience is None:
        return visible_q
    levels = levels_up_to(audience.clearance)
    role = audience.role_q(fmt)

    member_q = _NONE
    if audience.state_id:
        member_q = Q(**{f"{fmt}__in": _member_format_ids(audience)}) & role
    has_secretariat = audience.secretariat_all or audience.secretariat_format_ids
    secretariat_q = audience.secretariat_q(fmt) if has_secretariat else _NONE
    guest_q = _NONE
    if meeting and (audience.state_id or audience.organisation_id):
        guest_q = Q(**{f"{meeting}__in": _invited_meeting_ids(audience)}) & role

    if Classification.PARTICIPANTS in levels:
        visible_q |= Q(classification=Classification.PARTICIPANTS) & open_q & (member_q | secretariat_q | guest_q)
    if Classification.MEMBERS in levels:
        visible_q |= Q(classification=Classification.MEMBERS) & open_q & (member_q | secretariat_q)
    if Classification.RESTRICTED in levels and audience.state_id:
        on_list = model.distribution.through.objects.filter(  # type: ignore[attr-defined]
            **{f"{model._meta.model_name}_id": OuterRef("pk"), "state_id": audience.state_id}
        )
        visible_q |= Q(classification=Classification.RESTRICTED) & open_q & member_q & Q(Exists(on_list))
    if audience.state_id:
        visible_q |= Q(owner_state_id=audience.state_id, classification__in=levels) & (member_q | guest_q)
    return visible_q


def visible(account: Any, queryset: QuerySet[Any], *, day: dt.date | None = None) -> QuerySet[Any]:
    """``queryset`` narrowed to what ``account`` may read (on ``day``, today by default)."""
    model = queryset.model
    if not issubclass(model, Protected):
        raise TypeError(f"{model.__name__} is not a protected model")
    return queryset.filter(_filter(model, account, day))


def visible_after_reauth(account: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """What ``account`` would read after re-entering its TOTP code in this session: used only to
    send a stale session that is entitled to an object back to the code page instead of a 404."""
    model = queryset.model
    if not issubclass(model, Protected):
        raise TypeError(f"{model.__name__} is not a protected model")
    if getattr(account, "kenes_token_auth", False) or not is_strongly_authenticated(account):
        return queryset.none()
    return queryset.filter(_filter(model, account, None, assume_fresh=True))


def can(account: Any, verb: str, obj: Model, *, day: dt.date | None = None) -> bool:
    """May ``account`` do ``verb`` (view, list, edit) to ``obj``?"""
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    if not isinstance(obj, Protected):
        raise TypeError(f"{type(obj).__name__} is not a protected model")
    if not visible(account, type(obj)._default_manager.filter(pk=obj.pk), day=day).exists():
        return False
    if verb in ("view", "list"):
        return True
    return _may_edit(account, obj)


def _may_edit(account: Any, obj: Protected) -> bool:
    from kenes.people.models import Affiliation, Role

    if not getattr(account, "is_authenticated", False) or lacks_second_factor(account):
        return False
    if rank(effective_clearance(account)) < rank(obj.classification):
        return False
    format_id = getattr(obj, f"{obj.ACCESS_FORMAT}_id")
    roles = {r for f, r in account.roles.values_list("format_id", "role") if f is None or f == format_id}
    if obj.owner_state_id is not None:
        return account.state_id == obj.owner_state_id and bool(roles & {Role.FOCAL_POINT, Role.DELEGATE})
    if obj.classification == Classification.RESTRICTED:
        return Role.SECURITY_OFFICER in roles
    if account.affiliation == Affiliation.SECRETARIAT:
        return Role.SECRETARIAT in roles
    return False


def get_visible_or_404(account: Any, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The object an account may read, or 404: an object it may not read does not exist for it."""
    try:
        return visible(account, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("Not found") from exc


def require(account: Any, verb: str, obj: Model) -> None:
    """Raise 404 when ``account`` may not read ``obj`` (its existence does not leak), 403 when it
    may read but not ``verb`` it.

    An operator's management command acts as a string naming itself (``"load_demo"``): whoever runs
    commands on the server already holds the database, so the policy does not stand in its way.
    """
    if isinstance(account, str):
        return
    if not can(account, "view", obj):
        raise Http404("Not found")
    if verb != "view" and not can(account, verb, obj):
        raise PermissionDenied(_("You may read this but not change it."))


def _protected_parents(model: type[Model], depth: int = 2) -> list[tuple[str, type[Protected]]]:
    """The nearest protected objects ``model`` belongs to, as lookups (``unit__text``, Text)."""
    frontier: list[tuple[str, type[Model]]] = [("", model)]
    for _level in range(depth):
        found: list[tuple[str, type[Protected]]] = []
        further: list[tuple[str, type[Model]]] = []
        for prefix, current in frontier:
            for field in current._meta.get_fields():
                related = field.related_model
                if not (field.concrete and (field.many_to_one or field.one_to_one)) or related in (None, model):
                    continue
                if isinstance(related, type) and issubclass(related, Protected):
                    found.append((f"{prefix}{field.name}", related))
                elif isinstance(related, type):
                    further.append((f"{prefix}{field.name}__", related))
        if found:
            return found
        frontier = further
    return []


def _audit_targets() -> list[tuple[str, type[Model], list[tuple[str, type[Protected]]]]]:
    from django.apps import apps

    targets: list[tuple[str, type[Model], list[tuple[str, type[Protected]]]]] = []
    for model in apps.get_models():
        if issubclass(model, Protected):
            targets.append((model._meta.label_lower, model, []))
        elif parents := _protected_parents(model):
            targets.append((model._meta.label_lower, model, parents))
    return targets


def visible_audit_events(account: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Audit events narrowed to those about something ``account`` may read.

    An event about a protected object, or about a part of one (an amendment of a text, an
    assessment of a report), is shown only while ``visible()`` shows that object; an event about a
    protected object that no longer exists is not shown. Events about anything else (accounts,
    formats, the reference data) and events without a target are shown.
    """
    from django.db.models import CharField
    from django.db.models.functions import Cast

    targets = _audit_targets()
    keep = ~Q(target_type__in=[label for label, _model, _parents in targets])
    for label, model, parents in targets:
        objects = model._default_manager.all()
        if not parents:
            objects = visible(account, objects)
        for path, parent in parents:
            readable = visible(account, parent._default_manager.all()).values("pk")
            objects = objects.filter(Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__in": readable}))
        ids = objects.annotate(_kenes_target_id=Cast("pk", CharField())).values("_kenes_target_id")
        keep |= Q(target_type=label, target_id__in=ids)
    return queryset.filter(keep)


# --- Press releases (issue 12) -------------------------------------------------------------------
# A release is public once published (or corrected); a draft or a scheduled release is read and
# changed only by the secretariat of the release's format (a release without a format: by the
# secretariat of every format), after its second factor. Not a ``Protected`` model: a release has no
# classification of its own; publishing checks that everything it links to is public.


def may_manage_releases(account: Any, format_id: int | None = None) -> bool:
    """May ``account`` draft, edit, schedule, publish and correct releases (of ``format_id``)?"""
    if isinstance(account, str):
        return True
    if not getattr(account, "is_authenticated", False) or lacks_second_factor(account):
        return False
    audience = _audience(account, None)
    if audience is None:
        return False
    if audience.secretariat_all:
        return True
    return format_id is not None and format_id in audience.secretariat_format_ids


def visible_releases(account: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Releases ``account`` may read: published ones for everyone, drafts for the secretariat."""
    from kenes.press.models import PUBLIC_STATUSES

    public = Q(status__in=PUBLIC_STATUSES)
    audience = _audience(account, None)
    if audience is None or not (audience.secretariat_all or audience.secretariat_format_ids):
        return queryset.filter(public)
    return queryset.filter(public | audience.secretariat_q("format"))


def require_release(account: Any, verb: str, release: Model) -> None:
    """404 when ``account`` may not read the release, 403 when it may read but not change it."""
    if isinstance(account, str):
        return
    if not visible_releases(account, type(release)._default_manager.filter(pk=release.pk)).exists():
        raise Http404("Not found")
    if verb != "view" and not may_manage_releases(account, getattr(release, "format_id", None)):
        raise PermissionDenied(_("Only the secretariat may change releases."))
