"""Accounts (e-mail login), their affiliation, roles per format, clearance and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.access.levels import Classification, rank


class Affiliation(models.TextChoices):
    STATE = "state", _("State delegation")
    ORGANISATION = "organisation", _("Organisation")
    SECRETARIAT = "secretariat", _("Secretariat")


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("secretariat")
    FOCAL_POINT = "focal_point", _("focal point")
    DELEGATE = "delegate", _("delegate")
    SECURITY_OFFICER = "security_officer", _("security officer")
    OBSERVER = "observer", _("observer")


class AccountManager(BaseUserManager["Account"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, *, password_hash: str | None = None, **fields: Any
    ) -> Account:
        if not email:
            raise ValueError("An account needs an e-mail address.")
        account = self.model(email=self.normalize_email(email).lower(), **fields)
        if password_hash:  # already made by make_password (the demo's one shared password)
            account.password = password_hash
        else:
            account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Account:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("affiliation", Affiliation.SECRETARIAT)
        return self.create_user(email, password, **fields)


class Account(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    affiliation = models.CharField(_("affiliation"), max_length=16, choices=Affiliation.choices)
    state = models.ForeignKey("states.State", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    organisation = models.ForeignKey(
        "states.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    clearance = models.CharField(
        _("clearance"), max_length=16, choices=Classification.choices, default=Classification.PARTICIPANTS
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    preferred_language = models.CharField(max_length=8, blank=True)
    # The SHA-256 of the calendar feed's secret (``feed_digest``), never the secret itself.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = AccountManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(affiliation="state", state__isnull=False, organisation__isnull=True)
                    | models.Q(affiliation="organisation", state__isnull=True, organisation__isnull=False)
                    | models.Q(affiliation="secretariat", state__isnull=True, organisation__isnull=True)
                ),
                name="account_one_affiliation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def requires_two_factor(self) -> bool:
        """Accounts cleared for members-only material or more must use TOTP."""
        return rank(self.clearance) >= rank(Classification.MEMBERS)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name


class FormatRole(models.Model):
    """A role an account holds in one format, or in every format when ``format`` is empty."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="roles")
    format = models.ForeignKey("meetings.Format", null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["account", "format", "role"], name="role_unique")]

    def __str__(self) -> str:
        return f"{self.account.email}: {self.role} @ {self.format.code if self.format else '*'}"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_digest(raw: str) -> str:
    """What ``Account.calendar_token`` stores of a calendar feed's secret address."""
    return _digest(raw)


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    PREFIX = "kenes_"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The account's clearance when the token was made: the token never reads above it, so raising
    # an account's clearance does not silently widen the tokens it already handed out.
    clearance = models.CharField(
        _("clearance"), max_length=16, choices=Classification.choices, default=Classification.PARTICIPANTS
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> tuple[str, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return raw, _digest(raw)

    def usable(self) -> bool:
        """A token stands in for the second factor, so it works only while the account has a
        confirmed authenticator, where its clearance asks for one."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        account = self.account
        if not account.requires_two_factor:
            return True
        return TOTPDevice.objects.filter(user=account, confirmed=True).exists()

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return (
            cls.objects.select_related("account", "account__state")
            .filter(digest=_digest(raw), revoked_at__isnull=True, account__is_active=True)
            .first()
        )


class NoticeKind(models.TextChoices):
    """What a notice is about, for the person's e-mail choices (a notice's verb names it)."""

    INVITATIONS = "invitation", _("Invitations")
    TEXTS = "text", _("Texts and silence procedures")
    INSTRUCTIONS = "instruction", _("Instructions and reports")
    CADENCE = "cadence", _("Cadence reminders")
    SECURITY = "security", _("Security channel")
    OTHER = "other", _("Other notices")


class NoticeMode(models.TextChoices):
    NOW = "now", _("by e-mail at once")
    DAILY = "daily", _("in a daily e-mail")
    OFF = "off", _("in Kenes only, no e-mail")


class NoticeChoice(models.Model):
    """How one account gets one kind of notice by e-mail; without a row: at once."""

    account = models.ForeignKey("Account", on_delete=models.CASCADE, related_name="notice_choices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    mode = models.CharField(max_length=8, choices=NoticeMode.choices, default=NoticeMode.NOW)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "kind"], name="one_notice_choice_per_kind")]


class Notification(models.Model):
    """An in-app notice. It holds a short text and a link, never protected content itself."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=64)
    text = models.CharField(max_length=300)
    # The untranslated message and its values, so that the list shows it in the reader's language
    # of the moment (``shown``); ``text`` keeps it as sent, in the recipient's preferred language.
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the account's daily e-mail (its choice for this kind is "daily").
    in_daily_mail = models.BooleanField(default=False)
    # When its own e-mail went out (by the task queue: notify.send_notice_mail); a redelivered task
    # finds it set and sends nothing.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> str:
        """The notice in the active language when it was sent as a message, else as stored."""
        if not self.message:
            return self.text
        from django.utils.translation import gettext

        try:
            return (gettext(self.message) % self.params if self.params else gettext(self.message))[:300]
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
            return self.text
