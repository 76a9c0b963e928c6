"""Pages for planning and running meetings (issue 3)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]
