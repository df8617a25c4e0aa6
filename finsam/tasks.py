from celery import shared_task
from django.db import connection
from django.utils import timezone


@shared_task(name="finsam.ping", acks_late=True, soft_time_limit=20, time_limit=30)
def ping() -> dict:
    """A trivial but real task: proves the worker reaches Redis and the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    return {"pong": True, "database": database, "at": timezone.now().isoformat()}
