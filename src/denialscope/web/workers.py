"""Who can be given a work item: the enabled users whose role works items of a stream.

A lead assigning an item picks from these (the queue page's assign and bulk forms), and an
assignment to anyone else is refused: an item handed to a misspelt name, or to a coder for
an access denial, would sit unseen.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.errors import InputError
from denialscope.web.models import WebUser
from denialscope.web.principal import Role, permission_matrix, streams_of

__all__ = ["Worker", "check_assignee", "workers"]


@dataclass(frozen=True, slots=True)
class Worker:
    username: str
    display_name: str | None
    role: str
    streams: frozenset[str]

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "streams": sorted(self.streams),
        }


def workers(*, session: Session, streams: Collection[str]) -> list[Worker]:
    """Enabled users who may work items of at least one of ``streams``, by name."""
    may_work = permission_matrix()["work_items"]
    wanted = set(streams)
    found = []
    for username, display_name, role in session.execute(
        select(WebUser.username, WebUser.display_name, WebUser.role)
        .where(WebUser.disabled.is_(False))
        .order_by(WebUser.username)
    ):
        try:
            parsed = Role(role)
        except ValueError:
            continue  # a role this version does not know works nothing
        if parsed in may_work and wanted & streams_of(parsed):
            found.append(Worker(username, display_name, parsed.value, streams_of(parsed)))
    return found


def check_assignee(*, session: Session, username: str, stream: str) -> None:
    """InputError unless ``username`` is an enabled user who works items of ``stream``."""
    if username not in {w.username for w in workers(session=session, streams=[stream])}:
        raise InputError(
            f"{username!r} is not an enabled user who works {stream} items: pick one from the list"
        )
