"""The live streams (``live.sse``): served by the ASGI process, under ``/live/``."""

from django.urls import path

from kenes.live import sse

urlpatterns = [
    path("meetings/<str:code>/events", sse.meeting_events, name="meeting_events"),
    path("texts/<str:code>/events", sse.text_events, name="text_events"),
]
