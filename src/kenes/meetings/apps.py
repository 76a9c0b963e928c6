from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "kenes.meetings"
    verbose_name = _("Formats and meetings")
