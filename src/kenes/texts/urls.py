"""Pages of the negotiation: the list of texts and the negotiation room."""

from django.urls import path

from kenes.texts import views

urlpatterns = [
    path("texts/", views.text_list, name="text_list"),
    path("texts/new/", views.text_create, name="text_create"),
    path("texts/<slug:code>/", views.text_room, name="text_room"),
    path("texts/<slug:code>/diff/", views.text_diff, name="text_diff"),
    path("texts/<slug:code>/units/add/", views.unit_add, name="unit_add"),
    path("texts/<slug:code>/units/<str:uid>/edit/", views.unit_edit, name="unit_edit"),
    path("texts/<slug:code>/units/<str:uid>/amend/", views.amendment_propose, name="amendment_propose"),
    path("texts/<slug:code>/units/<str:uid>/position/", views.position_state, name="position_state"),
    path("texts/<slug:code>/units/<str:uid>/comment/", views.comment_add, name="comment_add"),
    path("texts/<slug:code>/notes/", views.note_add, name="note_add"),
    path("texts/<slug:code>/amendments/<int:pk>/amend/", views.amendment_counter, name="amendment_counter"),
    path("texts/<slug:code>/amendments/<int:pk>/decide/", views.amendment_decide, name="amendment_decide"),
    path("texts/<slug:code>/amendments/<int:pk>/withdraw/", views.amendment_withdraw, name="amendment_withdraw"),
    path("texts/<slug:code>/silence/", views.silence_circulate, name="silence_circulate"),
    path("texts/<slug:code>/silence/break/", views.silence_break, name="silence_break"),
    path("texts/<slug:code>/adopt/", views.text_adopt, name="text_adopt"),
    path("texts/<slug:code>/sign/", views.text_sign, name="text_sign"),
]
