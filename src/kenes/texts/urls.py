"""Pages of the negotiation: the list of texts and the negotiation room."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]
