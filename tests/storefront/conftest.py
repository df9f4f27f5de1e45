import pytest

from tests.factories import UserFactory


@pytest.fixture
def shopper(client):
    """A signed-in shopper."""
    user = UserFactory(username="dewi")
    client.force_login(user)
    return user
