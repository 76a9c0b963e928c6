"""Pages of decisions, instructions and reports (issue 5)."""

from django.urls import path

from kenes.decisions import views

urlpatterns = [
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/export.csv", views.instruction_csv, name="instruction_csv"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction_detail"),
    path("instructions/<int:pk>/report/", views.report_file, name="report_file"),
    path("instructions/<int:pk>/cancel/", views.instruction_cancel, name="instruction_cancel"),
    path("instructions/<int:pk>/reports/<int:report_pk>/review/", views.report_review, name="report_review"),
    path(
        "instructions/<int:pk>/reports/<int:report_pk>/attachment/", views.report_attachment, name="report_attachment"
    ),
    path("decisions/new/", views.decision_texts, name="decision_texts"),
    path("decisions/new/<slug:code>/", views.decision_mark, name="decision_mark"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/instructions/", views.instruction_create, name="instruction_create"),
]
