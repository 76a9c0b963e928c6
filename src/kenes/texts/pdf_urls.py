"""PDF export of texts."""

from django.urls import path

from kenes.texts import pdf_views

urlpatterns = [
    path("texts/<slug:code>/pdf/", pdf_views.text_pdf, name="text_pdf"),
]
