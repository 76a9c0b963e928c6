from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextsConfig(AppConfig):
    name = "kenes.texts"
    verbose_name = _("Negotiated texts")

    def ready(self) -> None:
        from kenes.texts import checks  # noqa: F401  (registers the deploy check)
