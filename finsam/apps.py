from django.apps import AppConfig


class FinsamConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finsam"
    verbose_name = "Finsam"

    def ready(self) -> None:
        # Make our Celery app the current one in every Django process, so that
        # ``task.delay()`` from a view goes to Redis.
        from django.contrib.auth.signals import user_logged_in

        from . import celery  # noqa: F401
        from .middleware import mark_session_start

        user_logged_in.connect(mark_session_start, dispatch_uid="finsam-session-start")
