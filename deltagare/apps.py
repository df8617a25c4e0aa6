from django.apps import AppConfig


class DeltagareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deltagare"
    verbose_name = "Deltagare"
