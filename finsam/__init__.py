"""finsam: the project package. The Celery app is loaded in ``FinsamConfig.ready()`` (so that
importing this package, e.g. for the launcher, changes nothing in the environment)."""
