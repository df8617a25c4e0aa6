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


def test_insatser_granted_matches_guardian_for_own_group_and_no_grants(forbund, handlaggare):
    """``insatser_granted`` queries the grant tables directly (speed); it must return exactly
    what guardian's ``get_objects_for_user`` returns, own grants and group grants alike."""
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm, get_objects_for_user

    from finsam.models import User
    from finsam.permissions import INSATS_PERMS, INSATSANSVARIG, insatser_granted

    own, via_group, both, other, none = (InsatsFactory(forbund=forbund) for _ in range(5))
    insats_grant(user=handlaggare, insats=own, perm=DELTAGARANSVARIG)
    insats_grant(user=handlaggare, insats=both, perm=INSATSANSVARIG)
    insats_grant(user=handlaggare, insats=both, perm=DELTAGARANSVARIG)
    group = Group.objects.create(name="Team")
    handlaggare.groups.add(group)
    assign_perm(DELTAGARANSVARIG, group, via_group)
    stranger = User.objects.create_user(username="annan", password="x" * 12)
    insats_grant(user=stranger, insats=other, perm=DELTAGARANSVARIG)
    assign_perm("insatser.change_insats", handlaggare, none)  # not one of the two roles
    scoped = Insats.objects.filter(forbund=forbund)
    for user in (handlaggare, stranger, User.objects.create_user(username="ny", password="x" * 12)):
        expected = get_objects_for_user(
            user,
            list(INSATS_PERMS),
            klass=scoped,
            any_perm=True,
            with_superuser=False,
            accept_global_perms=False,
        )
        assert set(insatser_granted(user=user, queryset=scoped)) == set(expected)
    assert set(insatser_granted(user=handlaggare, queryset=scoped)) == {own, via_group, both}
    assert list(insatser_granted(user=handlaggare, queryset=scoped.filter(pk=own.pk))) == [own]
