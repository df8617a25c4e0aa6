from django.apps import AppConfig


class DeltagareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deltagare"
    verbose_name = "Deltagare"

    def ready(self) -> None:
        from finsam import reminders
        from insatser.extensions import register_participant_summary

        from .summary import participant_summary, start_page_reminders

        register_participant_summary(participant_summary)
        reminders.register(start_page_reminders)
