"""The work queue pages: a worker's items, "take next", and a lead's assign and bulk actions.

GET  /queue (+ .json)                     the items of the user's streams, filtered, sorted, paged
GET  /queue/items/{id} (+ .json)          one item (JSON); the page redirects to its claim page
POST /queue/next                          take the top unassigned item -> its claim page
POST /queue/items/{id}/assign             give an item to a user, or back to the queue (leads)
POST /queue/bulk                          assign or move the status of the selected items (leads)

Workers see their own streams only (a coder, coding): another stream's list or item is 403.
Every view of the list or an item, and every change, goes to the audit trail.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from denialscope.db.locks import WRITE_LOCK_OPTION
from denialscope.errors import DenialscopeError, InputError
from denialscope.web import audit
from denialscope.web.deps import DbSession, Forbidden, require
from denialscope.web.figures import page_part
from denialscope.web.principal import ALL_STREAMS, Principal
from denialscope.web.render import data_json, page_paths, respond, templates, wants_json
from denialscope.web.workers import check_assignee, workers
from denialscope.workqueue import service
from denialscope.workqueue.browse import SORTS, QueueFilters, QueuePage, browse_queue
from denialscope.workqueue.details import get_details
from denialscope.workqueue.models import OPEN_STATUSES, QUEUES, WorkItem

__all__ = ["router"]

router = APIRouter(tags=["queue"])

Worker = Annotated[Principal, Depends(require("work_items"))]
Lead = Annotated[Principal, Depends(require("assign_items"))]

STREAM_ORDER: Final = ("clinical", "coding", "access", "billing")
BULK_OPS: Final = ("assign", "unassign", "status")


def _claim_page(item_id: int, claim_id: int) -> str:
    return f"/claims/{claim_id}?item={item_id}"


def _back(target: str | None) -> str:
    """Back to a queue page only (a form's ``next``): never another site or path."""
    if target and target.startswith("/queue") and not target.startswith("//"):
        return target
    return "/queue"


def _link(query: dict[str, str], **changes: Any) -> str:
    """This page's URL with some parameters changed (None removes one): sort and page links."""
    merged = {**query, **{k: v for k, v in changes.items() if v is not None}}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
    return "/queue" + (f"?{urlencode(merged)}" if merged else "")


def _streams(principal: Principal, stream: str | None) -> frozenset[str]:
    """The streams to list: the user's own, or the one asked for when it is theirs."""
    if not stream:
        return principal.streams
    if stream not in ALL_STREAMS:
        raise InputError(f"stream must be one of {', '.join(STREAM_ORDER)}, not {stream!r}")
    if stream not in principal.streams:
        raise Forbidden(f"the {principal.role.value} role does not work {stream} items")
    return frozenset({stream})


def _item(session: Session, principal: Principal, item_id: int) -> WorkItem:
    """The item, if this user may see its stream (NotFoundError, else Forbidden)."""
    item = service.get_or_raise(session=session, item_id=item_id)
    if not principal.sees_stream(item.stream):
        raise Forbidden(
            f"work item {item_id} is a {item.stream} item: the {principal.role.value} "
            "role does not work it"
        )
    return item


def _begin_write(session: Session) -> None:
    """End the reads so far and start a transaction that writes first.

    On SQLite a transaction that read and then writes cannot wait for the write lock: it
    fails at once ("database is locked") when another request committed in between. Taking
    the lock at BEGIN (IMMEDIATE) lets it wait its turn instead; PostgreSQL needs nothing.
    """
    session.commit()
    session.connection(execution_options={WRITE_LOCK_OPTION: True})


def _problem(request: Request, error: DenialscopeError) -> Response:
    """A clear message (JSON, or the page) with the error's status: never a traceback."""
    data = {"error": error.message}
    return respond(request, "queue/problem.html.j2", data, status_code=error.http_status)


def _rows_html(request: Request, page: QueuePage, lead: bool, people: list[Any]) -> Markup:
    """The rows of a kept page, rendered once per page object, lead or not, and the people a
    lead may assign to: the template's costliest part, the same for every viewer."""
    chosen = tuple((w.username, tuple(sorted(w.streams))) for w in people)

    def render() -> Markup:
        rows = templates().env.get_template("queue/_rows.html.j2")
        return Markup(rows.render(data=page, lead=lead, people=people))

    return page_part(request, page, ("rows", lead, chosen), render)


@page_paths(router, "/queue", summary="The work queue of the user's streams")
def queue_page(
    request: Request,
    principal: Worker,
    session: DbSession,
    stream: str | None = None,
    queue: str | None = None,
    payer: Annotated[int | None, Query(description="payers.id")] = None,
    root_cause: str | None = None,
    status: str | None = None,
    assigned: str | None = None,
    overdue: bool = False,
    sort: str = "priority",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    notice: str | None = None,
) -> Response:
    try:
        filters = QueueFilters(
            streams=_streams(principal, stream),
            user=principal.username,
            queue=queue or None,
            payer_id=payer,
            root_cause=root_cause or None,
            status=status or None,
            assigned=assigned or None,
            overdue=overdue,
            sort=sort,
            page=page,
            per_page=per_page,
        )
        data = browse_queue(session=session, filters=filters)
    except InputError as error:
        return _problem(request, error)
    lead = principal.can("assign_items")
    people = workers(session=session, streams=filters.streams) if lead else []
    audit.record_view(
        session,
        request,
        principal,
        subject_type="work_queue",
        subject_id=",".join(sorted(filters.streams)),
        detail=str(request.url.query)[:500] or None,
    )
    context: dict[str, Any] = {
        "lead": lead,
        "people": people,
        "rows_html": _rows_html(request, data, lead, people),
        "stream": stream or "",
        "stream_choices": [s for s in STREAM_ORDER if s in principal.streams],
        "sorts": SORTS,
        "all_queues": QUEUES,
        "open_statuses": OPEN_STATUSES,
        "notice": notice,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "query": {k: v for k, v in request.query_params.items() if k != "notice"},
        "link": _link,
    }
    if wants_json(request):  # the same JSON for everyone viewing this kept page
        body = page_part(request, data, "json", data_json(data))
        return respond(request, "queue/index.html.j2", data, json_body=body)
    return respond(request, "queue/index.html.j2", data, context=context)


@page_paths(router, "/queue/items/{item_id}", summary="One work item (the page opens its claim)")
def item_page(request: Request, item_id: int, principal: Worker, session: DbSession) -> Response:
    try:
        item = _item(session, principal, item_id)
        details = get_details(session=session, item_id=item.id)
    except DenialscopeError as error:
        return _problem(request, error)
    claim_id = item.claim_id
    audit.record_view(session, request, principal, subject_type="work_item", subject_id=item_id)
    if not wants_json(request):
        return RedirectResponse(_claim_page(item_id, claim_id), status_code=303)
    return respond(request, "queue/problem.html.j2", details)


@router.post("/queue/next", summary="Take the next unassigned item of the user's streams")
def take_next_item(
    request: Request,
    principal: Worker,
    session: DbSession,
    queue: Annotated[str | None, Form()] = None,
    stream: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        streams = _streams(principal, stream or None)
        if queue and queue not in QUEUES:
            raise InputError(f"queue must be one of {', '.join(QUEUES)}, not {queue!r}")
        _begin_write(session)
        taken = service.take_top(
            session=session, queue=queue or None, user=principal.username, streams=streams
        )
    except InputError as error:
        return _problem(request, error)
    if taken is None:
        session.rollback()
        if wants_json(request):
            return respond(request, "queue/problem.html.j2", {"taken": None})
        return RedirectResponse("/queue?notice=empty", status_code=303)
    item_id, claim_id = taken.item_id, taken.claim_id
    audit.record(
        session,
        request,
        principal,
        action="update",
        subject_type="work_item",
        subject_id=item_id,
        detail="taken",
    )
    # The claim on the item is the commit: now no one else gets it. The write lock is held
    # from the take to here only; the item's details (a JSON client's answer) are read after.
    session.commit()
    if wants_json(request):
        details = get_details(session=session, item_id=item_id)
        return respond(request, "queue/problem.html.j2", {"taken": details})
    return RedirectResponse(_claim_page(item_id, claim_id), status_code=303)


def _assign(
    session: Session, request: Request, principal: Principal, item: WorkItem, user: str | None
) -> None:
    if user:
        check_assignee(session=session, username=user, stream=item.stream)
    before = item.assigned_to
    service.assign(session=session, item_id=item.id, user=user, actor=principal.username)
    audit.record(
        session,
        request,
        principal,
        action="update",
        subject_type="work_item",
        subject_id=item.id,
        detail=f"assigned {before or 'queue'} -> {user or 'queue'}",
    )


@router.post("/queue/items/{item_id}/assign", summary="Assign or reassign one item (leads)")
def assign_item(
    request: Request,
    item_id: int,
    principal: Lead,
    session: DbSession,
    user: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        _begin_write(session)
        item = _item(session, principal, item_id)
        _assign(session, request, principal, item, user.strip() or None)
    except DenialscopeError as error:
        session.rollback()
        return _problem(request, error)
    session.commit()
    if wants_json(request):
        return respond(
            request, "queue/problem.html.j2", get_details(session=session, item_id=item_id)
        )
    return RedirectResponse(_back(next), status_code=303)


@router.post("/queue/bulk", summary="Assign or move the status of several items (leads)")
def bulk_action(
    request: Request,
    principal: Lead,
    session: DbSession,
    item_ids: Annotated[list[int] | None, Form()] = None,
    op: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """All or nothing: one item refused (another stream, a bad status) changes none."""
    try:
        if op not in BULK_OPS:
            raise InputError(f"op must be one of {', '.join(BULK_OPS)}, not {op!r}")
        _begin_write(session)
        ids = list(dict.fromkeys(item_ids or []))
        if not ids:
            raise InputError("select at least one item")
        items = [_item(session, principal, item_id) for item_id in ids]
        for item in items:
            if op == "status":
                if status not in OPEN_STATUSES:
                    raise InputError(
                        f"status must be one of {', '.join(OPEN_STATUSES)}, not {status!r} "
                        "(close an item with its outcome on the claim page)"
                    )
                before = item.status
                service.set_status(
                    session=session, item_id=item.id, status=status, actor=principal.username
                )
                detail = f"status {before} -> {status}"
                audit.record(
                    session,
                    request,
                    principal,
                    action="update",
                    subject_type="work_item",
                    subject_id=item.id,
                    detail=detail,
                )
            else:
                target = (user.strip() or None) if op == "assign" else None
                if op == "assign" and target is None:
                    raise InputError("choose the user to assign the selected items to")
                _assign(session, request, principal, item, target)
    except DenialscopeError as error:
        session.rollback()
        return _problem(request, error)
    session.commit()
    if wants_json(request):
        return respond(request, "queue/problem.html.j2", {"changed": ids, "op": op})
    return RedirectResponse(_back(next), status_code=303)
