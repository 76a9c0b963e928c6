"""URL configuration of Kenes."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from kenes.api.urls import api
from kenes.people import views as people
from kenes.web import views as web

urlpatterns = [
    path("", web.home, name="home"),
    path("states/", web.state_list, name="state_list"),
    path("states/<str:iso2>/", web.state_detail, name="state_detail"),
    path("documents/<str:code>/", web.document_detail, name="document_detail"),
    path("documents/<str:code>/edit/", web.document_edit, name="document_edit"),
    path("login/", people.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", people.account_page, name="account"),
    path("focal-points/", people.focal_point_directory, name="focal_point_directory"),
    path("account/2fa/", people.two_factor_verify, name="two_factor_verify"),
    path("account/2fa/setup/", people.two_factor_setup, name="two_factor_setup"),
    path("account/tokens/", people.token_create, name="token_create"),
    path("account/notices/", people.notice_choices, name="notice_choices"),
    path("account/tokens/<int:pk>/revoke/", people.token_revoke, name="token_revoke"),
    path(
        "password-reset/",
        people.PasswordResetView.as_view(
            form_class=people.PasswordResetForm,
            template_name="people/password_reset.html",
            email_template_name="people/password_reset_email.txt",
            subject_template_name="people/password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="people/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=people.SetPasswordForm,
            template_name="people/password_reset_confirm.html",
            success_url=reverse_lazy("login"),
        ),
        name="password_reset_confirm",
    ),
    path("", include("kenes.meetings.urls")),
    path("calendar/", include("kenes.meetings.calendar_urls")),
    path("", include("kenes.texts.urls")),
    path("", include("kenes.texts.pdf_urls")),
    path("", include("kenes.decisions.urls")),
    path("", include("kenes.security.urls")),
    path("", include("kenes.press.urls")),
    path("", include("kenes.development.urls")),
    path("", include("kenes.search.urls")),
    path("", include("kenes.work.urls")),
    path("live/", include("kenes.live.urls")),
    path("i18n/setlang/", people.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
