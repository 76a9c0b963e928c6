from django.urls import path

from kenes.search import views

urlpatterns = [path("search/", views.search_page, name="search")]
