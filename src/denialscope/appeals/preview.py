"""A letter shown before it is stored: the same context and template as
:func:`denialscope.appeals.letters.write_letter`, with every missing required fact shown as a
visible ``[missing: ...]`` and named, so the writer sees what the sent letter would refuse.

Nothing is stored and no PDF is made: the web's claim page previews, then generates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from denialscope.appeals.letter_facts import LetterFacts, fill_placeholders, missing_facts
from denialscope.appeals.letters import TEMPLATES_DIR, letter_context, render_html, template_for
from denialscope.workqueue.service import get_or_raise

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from denialscope.settings import Settings

__all__ = ["LetterPreview", "letter_templates", "preview_letter"]


@dataclass(frozen=True, slots=True)
class LetterPreview:
    template: str
    html: str  # rendered by the sandboxed template environment; show it sandboxed too
    missing: tuple[str, ...]  # required facts left empty, as a person names them


def letter_templates(*, settings: Settings | None = None) -> list[str]:
    """The letter templates one may choose (the organization's and ours), by name."""
    folders = [TEMPLATES_DIR]
    own = settings.templates_dir if settings is not None else None
    if own is not None and own.is_dir():
        folders.insert(0, own)
    names = {
        path.name.removesuffix(".html.j2")
        for folder in folders
        for path in folder.glob("*.html.j2")
        if path.name != "base.html.j2"
    }
    return sorted(names)


def preview_letter(
    session: Session,
    *,
    item_id: int,
    template: str | None = None,
    argument: list[str] | None = None,
    signer: str | None = None,
    facts: LetterFacts | None = None,
    letter_date: dt.date | None = None,
    good_cause: str | None = None,
    settings: Settings | None = None,
) -> LetterPreview:
    """The item's letter as HTML, chosen by its root cause unless ``template`` is given."""
    item = get_or_raise(session=session, item_id=item_id)
    template = template or template_for(item.root_cause, settings=settings)
    context = letter_context(
        session,
        item,
        argument=argument,
        signer=signer,
        letter_date=letter_date,
        facts=facts,
        settings=settings,
    )
    context["good_cause"] = good_cause
    missing = missing_facts(context, template)
    if missing:
        fill_placeholders(context, template)
    html = render_html(context, template, settings=settings)
    return LetterPreview(template, html, tuple(label.split(" (")[0] for label in missing))
