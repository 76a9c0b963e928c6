"""Who is acting: strong authentication and roles scoped to a format, the rules every action asks.

An action is called with an *actor*: a signed-in ``Account`` (from a page, the API, the admin or a
task acting for someone), or a string naming an operator's management command (``"load_demo"``),
which stands outside the policy because whoever runs commands on the server already holds the
database. Both cases are named here so the bypass is visible (``is_operator``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kenes.meetings.models import Format
    from kenes.people.models import Account

OperatorCommand: TypeAlias = str
Actor: TypeAlias = "Account | OperatorCommand"


def is_operator(actor: Any) -> bool:
    """A management command run by the server's operator (the actor is its name)."""
    return isinstance(actor, str)


def is_strongly_authenticated(account: Any) -> bool:
    """True when the session passed TOTP (django-otp) or the request came with an API token."""
    if getattr(account, "kenes_token_auth", False):
        return True
    is_verified = getattr(account, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def lacks_second_factor(account: Any) -> bool:
    """A signed-in account that must use two factors and has not passed the second in this request.

    Such a session reads like the public and may change nothing, on every surface: the pages
    (``RequireTwoFactorMiddleware``), the API (``AccountAuth`` treats it as anonymous), the admin
    (django-otp's admin site) and, as the last line, every action (``require_strong_auth``).
    """
    return bool(
        getattr(account, "is_authenticated", False)
        and getattr(account, "requires_two_factor", False)
        and not is_strongly_authenticated(account)
    )


def require_strong_auth(actor: Any) -> None:
    """Refuse a change by an account that has not passed its second factor."""
    if not is_operator(actor) and lacks_second_factor(actor):
        raise PermissionDenied(_("Enter your two-factor code before making changes."))


def has_role(account: Any, roles: Iterable[str], *formats: Format | int) -> bool:
    """Does ``account`` hold one of ``roles`` in one of ``formats``, or globally (a role with no
    format)? A role held in another format never counts. With no format, only a global role does.

    This reads the account's roles as data (e.g. "is this account the focal point to assign?");
    for the account that is *acting* ask ``holds_role``.
    """
    if is_operator(account) or not getattr(account, "is_authenticated", False) or not account.is_active:
        return False
    format_ids = [f if isinstance(f, int) else f.pk for f in formats]
    scope = Q(format__isnull=True) | Q(format_id__in=format_ids) if format_ids else Q(format__isnull=True)
    return bool(account.roles.filter(scope, role__in=list(roles)).exists())


def holds_role(actor: Any, roles: Iterable[str], *formats: Format | int) -> bool:
    """``has_role`` for the account that is acting: one that has not passed its second factor
    holds no role at all. Every action's permission check asks this one question."""
    return not lacks_second_factor(actor) and has_role(actor, roles, *formats)
