"""Authentication events that happen outside Kenes's own actions, written to the audit log.

Django announces sign-ins, refused sign-ins and sign-outs with signals, whichever page or form did
the work (Kenes's sign-in pages, the admin's sign-in, a script). The sign-ins through Kenes's own
pages are recorded by the page once the second factor is passed (``record_login``), so the signal
records only the others: each sign-in gives exactly one ``account.logged_in`` event. Superusers
are made by ``createsuperuser`` or a shell, not through an action: their creation (and a later
promotion) is recorded when the account is saved, and a saved new password revokes the account's
API tokens, whichever way it was set.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest

from kenes.people import actions
from kenes.people.models import Account

# Set on the request by a page that records the sign-in itself (``LoginView``).
AUDITED_BY_VIEW = "_kenes_login_audited_by_view"


def mark_login_audited_by_view(request: HttpRequest) -> None:
    setattr(request, AUDITED_BY_VIEW, True)


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and isinstance(user, Account):
        # Notices and e-mails follow the language the person signs in with (cookie or browser).
        # An explicit choice (the language cookie) always; the browser's language only as a start.
        from django.conf import settings
        from django.utils.translation import get_language_from_request

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in dict(settings.LANGUAGES):
            actions.set_language(user, chosen)
        elif not user.preferred_language:
            actions.set_language(user, get_language_from_request(request))
    if request is not None and getattr(request, AUDITED_BY_VIEW, False):
        return
    if isinstance(user, Account):
        actions.record_login(user, two_factor=getattr(user, "otp_device", None) is not None)


def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django has already replaced the password in ``credentials``; only the e-mail is kept anyway.
    actions.record_login_failed(str(credentials.get("username") or credentials.get("email") or ""))


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if isinstance(user, Account):
        actions.record_logout(user)


def _note_superuser_before(sender: Any, instance: Account, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance._state.adding or not instance.is_superuser:
        return
    if update_fields is not None and "is_superuser" not in update_fields:
        return
    was = Account.objects.filter(pk=instance.pk).values_list("is_superuser", flat=True).first()
    instance._kenes_became_superuser = was is False  # type: ignore[attr-defined]


def _superuser_saved(sender: Any, instance: Account, created: bool, **kwargs: Any) -> None:
    if created and instance.is_superuser:
        actions.record_superuser(instance, created=True)
    elif getattr(instance, "_kenes_became_superuser", False):
        instance._kenes_became_superuser = False  # type: ignore[attr-defined]
        actions.record_superuser(instance, created=False)


def _password_saved(sender: Any, instance: Account, created: bool, **kwargs: Any) -> None:
    # A new password (reset, change, admin, ``changepassword``) revokes every API token: whoever
    # stole the old password may have made one (security review, finding 4). Django forgets the
    # new password (``_password``) only after this signal, once the row is saved.
    if not created and getattr(instance, "_password", None) is not None:
        actions.revoke_all_tokens(instance, reason="password_changed")


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="kenes.audit.logged_in")
    user_login_failed.connect(_login_failed, dispatch_uid="kenes.audit.login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="kenes.audit.logged_out")
    pre_save.connect(_note_superuser_before, sender=Account, dispatch_uid="kenes.audit.superuser_before")
    post_save.connect(_superuser_saved, sender=Account, dispatch_uid="kenes.audit.superuser_saved")
    post_save.connect(_password_saved, sender=Account, dispatch_uid="kenes.people.password_saved")
