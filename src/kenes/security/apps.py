from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "kenes.security"
    verbose_name = "Security consultations"
