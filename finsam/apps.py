from django.apps import AppConfig


class FinsamConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finsam"
    verbose_name = "Finsam"

    def ready(self) -> None:
        # Make our Celery app the current one in every Django process, so that
        # ``task.delay()`` from a view goes to Redis.
        from . import celery  # noqa: F401
