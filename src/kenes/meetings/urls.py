"""Pages for formats and meetings: rules, cadence, planning, invitations, agenda, delegations (issue 3)."""

from django.urls import path

from kenes.meetings import views

urlpatterns = [
    path("formats/", views.format_list, name="format_list"),
    path("formats/<slug:code>/", views.format_detail, name="format_detail"),
    path("formats/<slug:code>/rules/", views.format_rules, name="format_rules"),
    path("formats/<slug:code>/plan/", views.format_plan, name="format_plan"),
    path("formats/<slug:code>/new-meeting/", views.meeting_create, name="meeting_create"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<str:code>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<str:code>/status/", views.meeting_status, name="meeting_status"),
    path("meetings/<str:code>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path("meetings/<str:code>/invitations/", views.invitation_create, name="invitation_create"),
    path("meetings/<str:code>/invitations/<int:pk>/answer/", views.invitation_answer, name="invitation_answer"),
    path("meetings/<str:code>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("meetings/<str:code>/agenda/", views.agenda_add, name="agenda_add"),
    path("meetings/<str:code>/agenda/<int:pk>/move/", views.agenda_move, name="agenda_move"),
    path("meetings/<str:code>/agenda/<int:pk>/status/", views.agenda_status, name="agenda_status"),
    path("meetings/<str:code>/delegation/", views.delegation_save, name="delegation_save"),
    path("meetings/<str:code>/delegations.csv", views.delegations_csv, name="delegations_csv"),
    path("meetings/<str:code>/participants.pdf", views.participants_pdf, name="participants_pdf"),
    path(
        "meetings/<str:code>/delegations/members/<int:pk>/accreditation/",
        views.accreditation_decide,
        name="accreditation_decide",
    ),
    path("cadence/", views.cadence_dashboard, name="cadence_dashboard"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
