"""The bench URLconf: the real URLs plus one minimal view, the floor of section 3.

Only the benchmark uses it (``override_settings(ROOT_URLCONF="bench.urls")``); production URLs
never include the minimal view. It goes through the full middleware stack like every page.
"""

from django.urls import path

from finsam.urls import handler404, handler500
from finsam.urls import urlpatterns as finsam_urlpatterns

from .minimal import minimal

urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *finsam_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
