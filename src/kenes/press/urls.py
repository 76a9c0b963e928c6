"""Pages of the press service (issue 12)."""

from django.urls import path

from kenes.press import digest_views, feeds, manage_views, views

urlpatterns = [
    path("news/", views.news_list, name="news_list"),
    path("news/feed/<str:language>.atom", feeds.NewsFeed(), name="news_feed"),
    path("news/tags/<slug:slug>/", views.tag_detail, name="news_tag"),
    path("news/tags/<slug:slug>/feed/<str:language>.atom", feeds.NewsFeed(), name="news_tag_feed"),
    path("news/subscribe/", digest_views.subscribe, name="press_subscribe"),
    path("news/subscribe/confirm/<str:token>/", digest_views.confirm, name="press_confirm"),
    path("news/unsubscribe/<str:token>/", digest_views.unsubscribe, name="press_unsubscribe"),
    path("news/digest/preview/", digest_views.preview, name="press_digest_preview"),
    path("news/manage/", manage_views.manage, name="press_manage"),
    path("news/manage/draft/", manage_views.draft_from, name="press_draft_from"),
    path("news/manage/<slug:slug>/", manage_views.release_edit, name="press_edit"),
    path("news/manage/<slug:slug>/<str:step>/", manage_views.release_step, name="press_step"),
    path("news/<slug:slug>/", views.release_detail, name="release_detail"),
    path("news/<slug:slug>/<str:language>/", views.release_detail_language, name="release_detail_language"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
