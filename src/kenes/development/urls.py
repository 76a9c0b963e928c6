"""Pages of the development dashboard (issue 13)."""

from django.urls import path

from kenes.development import views, vintage_views

urlpatterns = [
    path("development/", views.dashboard, name="development_dashboard"),
    path("development/indicators/", views.catalogue, name="development_catalogue"),
    path("development/indicators/<str:code>/", views.indicator_page, name="development_indicator"),
    path("development/indicators/<str:code>/targets/", views.target_create, name="development_target_create"),
    path("development/charts/<str:kind>/<str:code>.<str:fmt>", views.chart_file, name="development_chart"),
    path("development/embed/<str:kind>/<str:code>/", views.embed, name="development_embed"),
    path("development/imports/", vintage_views.imports, name="development_imports"),
    path("development/imports/<int:pk>/", vintage_views.import_run, name="development_import"),
    path("development/compare/", views.compare, name="development_compare"),
    path("development/compare/chart.<str:fmt>", views.compare_file, name="development_compare_file"),
]
