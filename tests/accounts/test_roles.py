"""Setting a user's roles: the service itself refuses an admin removing their own admin role (the page only shows
the refusal), and anyone else's roles change as asked."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from examengine.accounts import service
from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.errors import Conflict


@pytest.mark.parametrize("roles", [["proctor"], [], ["candidate", "author"]])
def test_an_admin_cannot_remove_their_own_admin_role(
    services: Services, make_user: Callable[..., UserView], roles: list[str]
) -> None:
    admin = make_user("ada@example.org", "admin", "proctor")
    with pytest.raises(Conflict) as refused:
        services.db.call(service.set_roles, user_id=admin.id, roles=roles, actor_id=admin.id)
    assert refused.value.code == "own_admin_role"
    assert services.db.call(service.get_user, user_id=admin.id).roles == admin.roles


def test_roles_change_for_another_user_and_for_oneself_keeping_admin(
    services: Services, make_user: Callable[..., UserView]
) -> None:
    admin = make_user("ada@example.org", "admin")
    other = make_user("olga@example.org", "admin")
    changed = services.db.call(service.set_roles, user_id=other.id, roles=["proctor"], actor_id=admin.id)
    assert [r.value for r in changed.roles] == ["proctor"]
    kept = services.db.call(service.set_roles, user_id=admin.id, roles=["admin", "author"], actor_id=admin.id)
    assert sorted(r.value for r in kept.roles) == ["admin", "author"]
