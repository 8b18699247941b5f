"""Who may call a route. Every route in the URL table names one of these; a test checks all of them."""

from __future__ import annotations

from dataclasses import dataclass

from examengine.accounts.models import Role


@dataclass(frozen=True)
class Access:
    signed_in: bool
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if not self.signed_in:
            return "anyone"
        return "any signed-in user" if not self.roles else " or ".join(sorted(r.value for r in self.roles))


PUBLIC = Access(signed_in=False)
SIGNED_IN = Access(signed_in=True)


def roles(*allowed: Role) -> Access:
    return Access(signed_in=True, roles=frozenset(allowed))


ADMIN = roles(Role.ADMIN)
