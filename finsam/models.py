"""Users and the roles they hold per förbund."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A person who logs in. Roles are held per förbund (``Roll``), never on the user itself."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_systemadmin = models.BooleanField(
        _("systemadministratör"),
        default=False,
        help_text=_("Får skapa förbund och deras första förbundschef; ser inget innehåll."),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RollQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, forbund__is_active=True)

    def for_user(self, user):
        return self.filter(user=user)


class Roll(models.Model):
    """A role held by a user in one förbund.

    ``medlem`` is the member party that employs the user (required for handläggare and
    insatsansvarig): participant data belongs to a controlling member party, and only its staff
    may see it (design section 2).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roller")
    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="roller")
    roll = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    medlem = models.ForeignKey(
        "forbund.Medlem",
        verbose_name=_("anställd hos"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personal",
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RollQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll")
        verbose_name_plural = _("roller")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "forbund", "roll"], name="roll_unique_per_forbund"
            ),
            models.CheckConstraint(
                condition=~models.Q(roll__in=["handlaggare", "insatsansvarig"])
                | models.Q(medlem__isnull=False),
                name="roll_participant_staff_has_employer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_roll_display()} ({self.forbund})"


class Notis(models.Model):
    """A notice to one user in one förbund, shown on their pages until read (e.g. "the half-year
    report has been drafted")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notiser")
    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("länk"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notis")
        verbose_name_plural = _("notiser")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "forbund", "read_at"], name="notis_unread")]

    def __str__(self) -> str:
        return self.text
