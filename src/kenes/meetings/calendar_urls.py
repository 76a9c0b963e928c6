"""Calendar pages and iCalendar feeds (included at /calendar/)."""

from django.urls import path

from kenes.meetings import calendar_views as views

urlpatterns = [
    path("", views.month_view, name="calendar_month"),
    path("list/", views.list_view, name="calendar_list"),
    path("public.ics", views.public_feed, name="calendar_public_feed"),
    path("feed/rotate/", views.feed_rotate, name="calendar_feed_rotate"),
    path("feed/revoke/", views.feed_revoke, name="calendar_feed_revoke"),
    path("feed/<str:token>.ics", views.personal_feed, name="calendar_feed"),
]
