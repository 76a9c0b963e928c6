"""Every change to accounts, their roles, tokens and second factors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.people.models import Account, Affiliation, ApiToken, FormatRole, Notification, Role


def _require_admin(actor: Any) -> None:
    if isinstance(actor, str):  # a management command run by the operator
        return
    if not (getattr(actor, "is_authenticated", False) and actor.is_superuser):
        raise ActionError(_("Only an administrator may manage accounts."))


def create_account(
    actor: Any,
    *,
    email: str,
    full_name: str,
    password: str | None,
    affiliation: str,
    state: Any = None,
    organisation: Any = None,
    clearance: str = Classification.PARTICIPANTS,
    roles: list[tuple[Any, str]] = (),  # type: ignore[assignment]
    is_demo: bool = False,
    check_password: bool = True,
    password_hash: str | None = None,
) -> Account:
    _require_admin(actor)
    email = email.strip().lower()
    if affiliation not in Affiliation.values:
        raise ActionError(_("Unknown affiliation."), field="affiliation")
    if clearance not in Classification.values:
        raise ActionError(_("Unknown clearance."), field="clearance")
    if (affiliation == Affiliation.STATE) != (state is not None) or (affiliation == Affiliation.ORGANISATION) != (
        organisation is not None
    ):
        raise ActionError(_("An account belongs to exactly one state, organisation or the secretariat."))
    for _format, role in roles:
        if role not in Role.values:
            raise ActionError(_("Unknown role."), field="roles")
    if Account.objects.filter(email=email).exists():
        raise ActionError(_("An account with this e-mail already exists."), field="email")
    if password and check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ActionError(" ".join(exc.messages), field="password") from exc
    with transaction.atomic():
        account = Account.objects.create_user(
            email,
            password,
            password_hash=password_hash,
            full_name=full_name,
            affiliation=affiliation,
            state=state,
            organisation=organisation,
            clearance=clearance,
            is_demo=is_demo,
        )
        for fmt, role in roles:
            FormatRole.objects.create(account=account, format=fmt, role=role)
        audit.record(
            actor,
            "account.created",
            account,
            email=email,
            clearance=clearance,
            roles=[(getattr(f, "code", None), r) for f, r in roles],
        )
    return account


def create_token(actor: Any, account: Account, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for ``account``; the raw token is returned once and never stored."""
    if not isinstance(actor, str) and actor.pk != account.pk:
        raise ActionError(_("You may only create tokens for your own account."))
    if account.requires_two_factor and not TOTPDevice.objects.filter(user=account, confirmed=True).exists():
        # A token counts as strong authentication, so it is only issued once TOTP is set up.
        raise ActionError(_("Set up two-factor authentication before creating API tokens."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ActionError(_("Give the token a name of at most 100 characters."), field="name")
    raw, digest = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            account=account, name=name, digest=digest, hint=raw[:12], clearance=account.clearance
        )
        audit.record(actor, "token.created", token, account=account.email, name=name)
    return token, raw


def revoke_token(actor: Any, token: ApiToken) -> ApiToken:
    if not isinstance(actor, str) and actor.pk != token.account_id:
        raise ActionError(_("You may only revoke your own tokens."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor, "token.revoked", token, account=token.account.email)
    return token


def revoke_all_tokens(account: Account, *, reason: str) -> int:
    """Revoke every live token of ``account`` (its password or second factor changed)."""
    with transaction.atomic():
        live = ApiToken.objects.select_for_update().filter(account=account, revoked_at__isnull=True)
        ids = list(live.values_list("pk", flat=True))
        if ids:
            ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
            audit.record("system", "token.revoked_all", account, reason=reason, tokens=len(ids))
    return len(ids)


def start_totp(actor: Account) -> TOTPDevice:
    """An unconfirmed TOTP device for the actor to scan; replaces an earlier unconfirmed one."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=actor, name="Authenticator", confirmed=False)
    return device


def confirm_totp(actor: Account, device: TOTPDevice, code: str) -> TOTPDevice:
    if device.user_id != actor.pk or device.confirmed:
        raise ActionError(_("This authenticator cannot be confirmed."))
    code = (code or "").strip().replace(" ", "")
    if not device.verify_is_allowed()[0]:
        raise ActionError(_("Too many wrong codes. Wait a little and try again."), field="code")
    if not code.isdigit() or not device.verify_token(code):
        raise ActionError(_("The code is not valid. Check your device's clock and try again."), field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor, "account.two_factor_enabled", actor)
    return device


def record_login(account: Account, *, two_factor: bool) -> None:
    with transaction.atomic():
        audit.record(account, "account.logged_in", account, two_factor=two_factor)


def record_login_failed(email: str) -> None:
    """A refused sign-in: the e-mail that was tried (never the password), and its account if any."""
    email = (email or "").strip().lower()[:254]
    with transaction.atomic():
        account = Account.objects.filter(email=email).first() if email else None
        audit.record("anonymous", "account.login_failed", account, email=email)


def record_logout(account: Account) -> None:
    with transaction.atomic():
        audit.record(account, "account.logged_out", account)


def reset_password(account: Account, password: str) -> Account:
    """The new password from a reset link (the form has validated it); the holder of the link acts."""
    with transaction.atomic():
        account.set_password(password)
        account.save()
        audit.record(account, "account.password_reset", account)
    return account


def record_superuser(account: Account, *, created: bool) -> None:
    """A superuser was created (``createsuperuser``) or an account was made one, outside the actions."""
    verb = "account.superuser_created" if created else "account.superuser_granted"
    with transaction.atomic():
        audit.record("operator", verb, account, email=account.email)


def reset_two_factor(actor: Any, account: Account) -> int:
    """Remove an account's authenticators (a lost phone); it enrols again at its next sign-in."""
    _require_admin(actor)
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=account).delete()
        audit.record(actor, "account.two_factor_reset", account, devices_removed=removed)
        # The tokens stood in for the lost authenticator: they go with it.
        revoke_all_tokens(account, reason="two_factor_reset")
    return removed


def mark_notifications_read(actor: Account) -> int:
    """Mark every unread in-app notification of the actor as read; returns how many were unread."""
    return Notification.objects.filter(account=actor, read_at__isnull=True).update(read_at=timezone.now())


def set_language(actor: Account, language: str) -> Account:
    """The language of the account's notifications and e-mails: the one it last chose to read
    Kenes in (the header's switcher, the sign-in page's language, or ``PATCH /api/v1/me``)."""
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ActionError(
            _("Unknown language %(language)s: choose one of %(codes)s.")
            % {"language": language, "codes": ", ".join(codes)},
            field="language",
        )
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=actor.pk)
        if account.preferred_language != language:
            previous = account.preferred_language
            account.preferred_language = language
            account.save(update_fields=["preferred_language"])
            audit.record(actor, "account.language_set", account, language=language, previous=previous)
    actor.preferred_language = language
    return account


def set_notice_choices(actor: Account, choices: dict[str, str]) -> dict[str, str]:
    """How the account gets each kind of notice by e-mail (at once, daily, off); all or nothing.
    Answers every kind with its mode after the change."""
    from kenes.people.models import NoticeChoice, NoticeKind, NoticeMode

    kinds, modes = set(NoticeKind.values), set(NoticeMode.values)
    for kind, mode in choices.items():
        if kind not in kinds:
            raise ActionError(
                _("Unknown kind of notice %(kind)s: choose one of %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(NoticeKind.values)},
                field="kind",
            )
        if mode not in modes:
            raise ActionError(
                _("Unknown way %(mode)s: choose one of %(modes)s.")
                % {"mode": mode, "modes": ", ".join(NoticeMode.values)},
                field=kind,
            )
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=actor.pk)
        before = dict(NoticeChoice.objects.filter(account=account).values_list("kind", "mode"))
        changed = {}
        for kind, mode in choices.items():
            if before.get(kind, NoticeMode.NOW) != mode:
                NoticeChoice.objects.update_or_create(account=account, kind=kind, defaults={"mode": mode})
                changed[kind] = mode
        if changed:
            audit.record(actor, "account.notice_choices_set", account, **changed)
    from kenes.people.notify import choices_of

    return choices_of(account)
