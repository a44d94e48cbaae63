"""A tiny service used to test the shared infrastructure through a real app.

It records notes (publishing `test.note_recorded` through the outbox) and consumes its own
topic into a projection, so one app exercises outbox, relay, bus, inbox and handlers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from shared.auth import Principal, require_roles
from shared.db import new_id, service_registry
from shared.deps import ClockDep, SessionDep
from shared.events import Event, EventData, event_type
from shared.handlers import Consumes
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.service import ServiceDefinition, publish
from shared.settings import ServiceSettings

TOPIC = "notes.events"


class Table(SQLModel, registry=service_registry()):
    pass


class Note(Table, table=True):
    id: str = SQLField(primary_key=True)
    text: str


class NoteSeen(Table, table=True):
    id: str = SQLField(primary_key=True)
    times_applied: int = 0


@event_type("test.note_recorded", topic=TOPIC)
class NoteRecorded(EventData):
    """A note was recorded."""

    note_id: str
    poison: bool = False


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=200)
    poison: bool = False


class NoteOut(BaseModel):
    id: str
    text: str


router = APIRouter()
Writer = Annotated[Principal, Depends(require_roles("community"))]


@router.post("/notes", status_code=201)
async def record_note(body: NoteIn, session: SessionDep, clock: ClockDep, _: Writer) -> NoteOut:
    note = Note(id=new_id(), text=body.text)
    session.add(note)
    await publish(session, NoteRecorded(note_id=note.id, poison=body.poison), subject=note.id,
                  source="/tests/notes", at=clock.now())
    return NoteOut(id=note.id, text=note.text)


@router.get("/notes")
async def list_notes(session: SessionDep, limit: Limit = 50, cursor: Cursor = None
                     ) -> Page[NoteOut]:
    rows, next_cursor = await keyset_page(session, select(Note), [Note.id],  # type: ignore[list-item]
                                          limit=limit, cursor=cursor)
    return Page(items=[NoteOut(id=r.id, text=r.text) for r in rows], next_cursor=next_cursor)


CONSUMES = Consumes()


@CONSUMES.event(NoteRecorded)
async def on_note_recorded(session: AsyncSession, data: NoteRecorded, event: Event) -> None:
    if data.poison:
        raise RuntimeError("poison note")
    seen = await session.get(NoteSeen, data.note_id) or NoteSeen(id=data.note_id)
    seen.times_applied += 1
    session.add(seen)


DEFINITION = ServiceDefinition(
    name="notes",
    port=8999,
    title="Notes (test service)",
    topic=TOPIC,
    metadata=Table.metadata,
    migrations=None,
    routers=[router],
    settings_class=ServiceSettings,
    consumes=CONSUMES,
)
