"""Every write on participations, identities, consents, follow-ups and the logs.

Each function is keyword-only and atomic, and its docstring names the rule it enforces. Rule
violations raise ``django.core.exceptions.ValidationError`` with a Swedish message per field, so
a view can show it next to the field and nothing is changed. One ``grep`` for
``<entity>_<action>`` finds every write on a thing:

* ``common``: ``today``, ``add_months`` and the input carriers
* ``atkomst``: ``atkomstlogg_write``
* ``deltagande``: ``person_find``, ``deltagande_register``, ``deltagande_update``,
  ``deltagande_end``, ``deltagande_mark_fel``, ``uppfoljning_record``
* ``samtycke``: ``samtycke_renew`` (and the consent rules used at registration)
* ``radering``: ``samtycke_withdraw``, ``gallring_run``, ``installning_set``
* ``andringar``: ``dataandring_prune`` (the change rows behind the exact caches)
"""

from .andringar import dataandring_prune
from .atkomst import atkomstlogg_write
from .common import (
    AGE_MAX,
    AGE_MIN,
    EndUppgifter,
    Registrering,
    SamtyckeInput,
    StartUppgifter,
    add_months,
    today,
)
from .deltagande import (
    deltagande_end,
    deltagande_mark_fel,
    deltagande_register,
    deltagande_update,
    person_find,
    registration_problems,
    uppfoljning_due_date,
    uppfoljning_record,
)
from .radering import GallringResult, gallring_run, installning_set, samtycke_withdraw
from .samtycke import samtycke_renew

__all__ = [
    "dataandring_prune",
    "AGE_MAX",
    "AGE_MIN",
    "EndUppgifter",
    "GallringResult",
    "Registrering",
    "SamtyckeInput",
    "StartUppgifter",
    "add_months",
    "atkomstlogg_write",
    "deltagande_end",
    "deltagande_mark_fel",
    "deltagande_register",
    "deltagande_update",
    "gallring_run",
    "installning_set",
    "person_find",
    "registration_problems",
    "samtycke_renew",
    "samtycke_withdraw",
    "today",
    "uppfoljning_due_date",
    "uppfoljning_record",
]
