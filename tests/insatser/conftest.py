import pytest

from finsam.roles import Role
from tests.factories import user_with_role


@pytest.fixture
def ekonomi(forbund):
    return user_with_role(forbund, Role.EKONOMI)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
