"""Who is asking: the roles, the streams each works, and the permission matrix.

Identity is established in one place (:mod:`denialscope.web.auth`, local users today; an OIDC
provider such as Entra ID or Okta would build the same :class:`Principal` there), and every
route asks one question of it: :meth:`Principal.can`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

import yaml

__all__ = ["ALL_STREAMS", "Principal", "Role", "permission_matrix", "streams_of"]

ALL_STREAMS: Final = frozenset({"clinical", "coding", "access", "billing"})


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    ANALYST = "analyst"
    CLINICAL = "clinical"  # CDI, utilization review, physician advisor
    CODER = "coder"
    ACCESS = "access"
    BILLER = "biller"


# The denial streams a role works; leaders, analysts and admins see all of them.
STREAMS_BY_ROLE: Final[dict[Role, frozenset[str]]] = {
    Role.ADMIN: ALL_STREAMS,
    Role.LEADER: ALL_STREAMS,
    Role.ANALYST: ALL_STREAMS,
    Role.CLINICAL: frozenset({"clinical"}),
    Role.CODER: frozenset({"coding"}),
    Role.ACCESS: frozenset({"access"}),
    Role.BILLER: frozenset({"billing"}),
}


def streams_of(role: Role) -> frozenset[str]:
    return STREAMS_BY_ROLE[role]


@cache
def permission_matrix() -> dict[str, frozenset[Role]]:
    """permission -> roles holding it, from ``permissions.yaml``."""
    text = resources.files("denialscope.web").joinpath("permissions.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)["permissions"]
    return {name: frozenset(Role(role) for role in roles) for name, roles in raw.items()}


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user as the routes see it."""

    user_id: int
    username: str
    role: Role
    display_name: str | None = None

    @property
    def streams(self) -> frozenset[str]:
        return streams_of(self.role)

    def can(self, permission: str) -> bool:
        roles = permission_matrix().get(permission)
        if roles is None:
            raise KeyError(f"unknown permission {permission!r} (web/permissions.yaml)")
        return self.role in roles

    def sees_stream(self, stream: str | None) -> bool:
        """Whether a claim or item of ``stream`` is this user's to see (None: unclassified,
        seen by those who see every stream)."""
        return stream in self.streams if stream else self.streams == ALL_STREAMS
