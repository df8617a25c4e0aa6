"""django-guardian grants live in direct foreign-key tables: they go with the object."""

import pytest
from guardian.models import UserObjectPermission

from finsam.permissions import DELTAGARANSVARIG, insats_grant, insats_has_grant
from insatser.models import Insats, InsatsUserObjectPermission
from tests.factories import InsatsFactory

pytestmark = pytest.mark.django_db


def test_grants_are_removed_with_the_insats_and_never_inherited(forbund, handlaggare):
    insats = InsatsFactory(forbund=forbund)
    insats_grant(user=handlaggare, insats=insats, perm=DELTAGARANSVARIG)
    assert insats_has_grant(user=handlaggare, insats=insats)
    old_pk = insats.pk
    insats.delete()
    assert InsatsUserObjectPermission.objects.count() == 0
    assert UserObjectPermission.objects.count() == 0  # nothing in guardian's generic table
    newer = InsatsFactory(forbund=forbund)
    assert newer.pk != old_pk
    from finsam.models import User

    fresh = User.objects.get(pk=handlaggare.pk)  # no cached permissions
    assert not insats_has_grant(user=fresh, insats=newer)
    assert not Insats.objects.filter(pk=old_pk).exists()
