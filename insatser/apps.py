from django.apps import AppConfig


class InsatserConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insatser"
    verbose_name = "Insatser"
