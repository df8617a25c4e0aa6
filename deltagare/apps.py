from django.apps import AppConfig


class DeltagareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deltagare"
    verbose_name = "Deltagare"

    def ready(self) -> None:
        from insatser.extensions import register_participant_summary

        from .summary import participant_summary

        register_participant_summary(participant_summary)
