"""The bench database's stamp: which generator version and parameters made the data in it."""

from django.db import models


class BenchStamp(models.Model):
    """One row per generated data set; the runner regenerates when the newest row's version or
    parameters differ from what it wants (or there is none)."""

    version = models.PositiveSmallIntegerField()
    params = models.JSONField()
    counts = models.JSONField(default=dict)
    forbund_ids = models.JSONField(default=list)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bench-data"
        verbose_name_plural = "bench-data"

    def __str__(self) -> str:
        return f"bench v{self.version} {self.params}"
