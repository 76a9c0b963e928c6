"""Pages of the security channel (issue 6)."""

from django.urls import path

from kenes.security import views

urlpatterns = [
    path("security/", views.report_list, name="security_list"),
    path("security/new/", views.report_create, name="security_report_create"),
    path("security/<int:pk>/", views.report_detail, name="security_report"),
    path("security/<int:pk>/report.pdf", views.report_pdf, name="security_report_pdf"),
    path("security/<int:pk>/attachment/", views.report_attachment, name="security_report_attachment"),
    path("security/<int:pk>/reads/", views.report_reads, name="security_report_reads"),
    path("security/<int:pk>/assess/", views.report_assess, name="security_report_assess"),
    path("security/<int:pk>/measures/", views.report_measures, name="security_report_measures"),
    path("security/<int:pk>/consultation/", views.report_consultation, name="security_report_consultation"),
    path(
        "security/<int:pk>/consultation/<int:request_pk>/convene/",
        views.report_convene,
        name="security_report_convene",
    ),
]
