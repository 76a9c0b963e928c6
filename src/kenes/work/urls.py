from django.urls import path

from kenes.work import views

urlpatterns = [path("work/", views.my_work, name="my_work")]
