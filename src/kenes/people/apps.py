from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "kenes.people"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from kenes.people import signals

        signals.connect()
