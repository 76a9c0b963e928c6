"""Sign-in with e-mail and password, the TOTP second step, and the account page."""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.policy import is_strongly_authenticated
from kenes.errors import ActionError
from kenes.people import actions, ratelimits, signals
from kenes.people.directory import directory_for
from kenes.people.middleware import mark_strong_auth
from kenes.people.models import ApiToken, NoticeMode


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()

    error_messages = {
        "invalid_login": gettext_lazy("The e-mail or the password is wrong."),
        "inactive": gettext_lazy("This account is disabled."),
    }


@method_decorator(ratelimits.limited_posts(ratelimits.LOGIN_PER_IP), name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "people/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        # This page records the sign-in itself, after the second factor where there is one.
        signals.mark_login_audited_by_view(self.request)
        response = super().form_valid(form)
        account = form.get_user()
        if account.requires_two_factor or user_has_device(account):
            target = self.get_success_url()
            if not user_has_device(account, confirmed=True):
                return redirect(f"{_url('two_factor_setup')}?next={target}")
            return redirect(f"{_url('two_factor_verify')}?next={target}")
        actions.record_login(account, two_factor=False)
        return response


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Reset links point at ``KENES_BASE_URL``, never at the host a request claims to be for."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        base = urlsplit(settings.KENES_BASE_URL)
        kwargs.update(domain_override=base.netloc, use_https=base.scheme == "https")
        super().save(*args, **kwargs)


@method_decorator(
    ratelimits.limited_posts(ratelimits.PASSWORD_RESET_PER_IP, ratelimits.PASSWORD_RESET_PER_EMAIL), name="dispatch"
)
class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link is limited per address and per e-mail address (kenes.people.ratelimits)."""


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password from a reset link, set through the audited action."""

    def save(self, commit: bool = True) -> Any:
        return actions.reset_password(self.user, self.cleaned_data["new_password1"])


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The name django-axes counts failures under: the e-mail, case-folded, so that
    ``Name@…`` and ``name@…`` share one counter."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return _url("home")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    # ``reauth``: a session whose last code is too old for restricted material enters a new one.
    reauth = bool(request.GET.get("reauth") or request.POST.get("reauth"))
    if is_strongly_authenticated(request.user) and not reauth:
        return redirect(_safe_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect(f"{_url('two_factor_setup')}?next={_safe_next(request)}")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "")
        devices = list(TOTPDevice.objects.devices_for_user(request.user, confirmed=True))
        if not any(device.verify_is_allowed()[0] for device in devices):
            # django-otp slows down guessing: each wrong code doubles the wait before the next.
            form.add_error("code", _("Too many wrong codes. Wait a little and try again."))
            status = 429
        else:
            for device in devices:
                if code.isdigit() and device.verify_token(code):
                    otp_login(request, device)
                    # A new session id once the second factor is passed (security review, finding 6).
                    request.session.cycle_key()
                    mark_strong_auth(request)
                    actions.record_login(request.user, two_factor=True)  # type: ignore[arg-type]
                    return redirect(_safe_next(request))
            form.add_error("code", _("The code is not valid. Check your device's clock and try again."))
            status = 400
    context = {"form": form, "next": _safe_next(request), "reauth": reauth}
    return render(request, "people/two_factor_verify.html", context, status=status)


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    account = request.user
    if user_has_device(account, confirmed=True) and not is_strongly_authenticated(account):
        # Replacing an authenticator needs the current one first.
        return redirect(f"{_url('two_factor_verify')}?next={_url('two_factor_setup')}")
    device = TOTPDevice.objects.filter(user=account, confirmed=False).first()
    if device is None:
        device = actions.start_totp(account)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_totp(account, device, form.cleaned_data["code"])  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error("code", exc.message)
            status = 400
        else:
            otp_login(request, device)
            request.session.cycle_key()
            mark_strong_auth(request)
            actions.record_login(request.user, two_factor=True)  # type: ignore[arg-type]
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_safe_next(request))

    context: dict[str, Any] = {
        "form": form,
        "qr": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _safe_next(request),
    }
    return render(request, "people/two_factor_setup.html", context, status=status)


def _notice_choices(account: Any) -> list[tuple[str, str, str]]:
    """(kind, its label, the account's mode) for every kind of notice."""
    from kenes.people.models import NoticeKind
    from kenes.people.notify import choices_of

    chosen = choices_of(account)
    return [(kind, str(label), chosen[kind]) for kind, label in NoticeKind.choices]


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    account = request.user
    new_token = request.session.pop("kenes_new_token", None)
    new_feed_token = request.session.pop("kenes_new_feed_token", None)
    return render(
        request,
        "people/account.html",
        {
            "account": account,
            "roles": account.roles.select_related("format"),  # type: ignore[union-attr]
            "tokens": ApiToken.objects.filter(account_id=account.pk or 0),
            "has_device": user_has_device(account, confirmed=True),
            "verified": is_strongly_authenticated(account),
            "new_token": new_token,
            "new_feed_token": new_feed_token,
            "notice_choices": _notice_choices(account),
            "notice_modes": NoticeMode.choices,
            "notice_language": dict(settings.LANGUAGES).get(
                account.preferred_language or settings.LANGUAGE_CODE,  # type: ignore[union-attr]
                settings.LANGUAGE_CODE,
            ),
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        _token, raw = actions.create_token(request.user, request.user, request.POST.get("name", ""))  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("account")
    request.session["kenes_new_token"] = raw
    return redirect("account")


@login_required
@require_POST
def notice_choices(request: HttpRequest) -> HttpResponse:
    """The account page's e-mail choices, one select per kind of notice (``notice_<kind>``)."""
    from kenes.people.models import NoticeKind

    chosen = {kind: request.POST[f"notice_{kind}"] for kind in NoticeKind.values if f"notice_{kind}" in request.POST}
    try:
        actions.set_notice_choices(request.user, chosen)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("account")
    messages.success(request, _("Your e-mail choices are saved."))
    return redirect("account")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, account_id=request.user.pk)
    actions.revoke_token(request.user, token)
    messages.success(request, _("Token revoked."))
    return redirect("account")


@login_required
def focal_point_directory(request: HttpRequest) -> HttpResponse:
    return render(request, "people/directory.html", {"entries": directory_for(request.user)})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for a signed-in person it is also the language of their notices
    and e-mails from now on."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        actions.set_language(request.user, language)  # type: ignore[arg-type]
    return response
