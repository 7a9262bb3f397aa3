"""Residents who write to the desk by SMS or through the messaging bot: each text moves the
resident's guided dialogue on (`domain.dialogue`), in the resident's language; its last
answer files the request as if the resident had used the public form, answered on the same
channel — the desk's confirmation with the reference, then every change of the case, goes
out through the resident channels like any other case's news.

The address (a phone number, a chat id) and everything said are sealed at rest; a dialogue
is found again by a keyed hash of the address.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ceasefire.delivery import channels
from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import RequestDraft, normalise_phone
from ceasefire.domain.dialogue import Dialogue, Step, answer, start
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.naming import in_language
from ceasefire.i18n import translations
from ceasefire.services import cases, intake, places
from ceasefire.services.deployment import Deployment, sealer_of, utcnow
from ceasefire.services.notifications import Message
from ceasefire.store import conversations as store
from ceasefire.store.conversations import Conversation

CHANNELS = ("sms", "telegram")
MAX_TEXT = 1600
logger = logging.getLogger("ceasefire.messaging")


@dataclass(frozen=True)
class Answered:
    conversation_id: str
    reply: str | None
    """What to say back (None once the request is filed: the desk's confirmation follows)"""
    case_id: str | None = None


def converse(
    dep: Deployment, channel: str, address: str, text: str, now: datetime | None = None
) -> Answered:
    """A resident's message: start or continue their dialogue; file the request when it is
    complete."""
    if channel not in CHANNELS:
        raise InvalidInput("channel", f"one of {', '.join(CHANNELS)}")
    address = normalise_phone(address)
    if not address.lstrip("+"):
        raise InvalidInput("from", "the sender's number or chat is missing")
    text = text.strip()[:MAX_TEXT]
    if not text:
        raise InvalidInput("text", "is empty")
    now = now or utcnow()
    sealer = sealer_of(dep)
    index = sealer.index(address, f"conversation:{channel}")
    with dep.db.begin() as conn:
        current = store.open_one(conn, channel, index, for_update=True)
        if current is None:
            dialogue, again, conversation_id = start(text), False, str(uuid.uuid4())
            said = [text]
            store.insert_conversation(
                conn,
                id=conversation_id,
                channel=channel,
                address_index=index,
                step=dialogue.step.value,
                sealed="",
                messages=0,
                started_at=now,
                updated_at=now,
            )
        else:
            state = _state(dep, current)
            turn = answer(
                _dialogue(state["dialogue"]),
                text,
                _categories(dep),
                lambda typed: _place(dep, typed),
            )
            dialogue, again, conversation_id = turn.dialogue, turn.again, current.id
            said = [*state["said"], text]
        state = {"address": address, "dialogue": asdict(dialogue), "said": said}
        store.save(
            conn,
            conversation_id,
            step=dialogue.step.value,
            messages=len(said),
            sealed=sealer.seal(
                json.dumps(state, ensure_ascii=False), f"conversation:{conversation_id}"
            ),
            updated_at=now,
        )
    if dialogue.step is not Step.done:
        return Answered(conversation_id, prompt(dep, dialogue, again))
    filed = cases.file_request(dep, _request(channel, address, dialogue), now=now)
    with dep.db.begin() as conn:
        store.save(conn, conversation_id, case_id=filed.case.id)
    return Answered(conversation_id, None, filed.case.id)


def prompt(dep: Deployment, dialogue: Dialogue, again: bool = False) -> str:
    """The next question, in the resident's language."""
    _ = translations(dialogue.language).gettext
    if dialogue.step is Step.category:
        menu = "\n".join(
            f"{n} {in_language(c.names, dialogue.language, c.id)}"
            for n, c in enumerate(dep.scenario.desk.categories, start=1)
        )
        question = _("What kind of help do you need? Answer with a number:") + "\n" + menu
    elif dialogue.step is Step.place:
        question = _("Which village is it about? Write its name.")
    elif dialogue.step is Step.urgent:
        question = _("Is someone's life or liberty at stake? Answer 1 for yes, 2 for no.")
    else:
        question = _("What name should the desk know you by?")
    if again:
        return _("Sorry, I did not understand.") + " " + question
    if dialogue.step is Step.category:
        return _("The peacekeepers' civilian desk has your message.") + " " + question
    return question


def send_reply(dep: Deployment, channel: str, address: str, text: str) -> str | None:
    """Say `text` to the resident on their channel; return the error, or None."""
    template = dep.resident_channels.get(channel)
    if template is None:
        logger.warning("no resident channel for %s: a reply was not sent", channel)
        return f"no resident channel is configured for {channel}"
    message = Message(idempotency_key=str(uuid.uuid4()), title="", body=text)
    return channels.send_to_resident(template, normalise_phone(address), message)


def conversations(dep: Deployment, viewer: Viewer, limit: int = 200) -> list[Conversation]:
    """The latest dialogues (their step and case, not what was said), for the duty officers."""
    intake.check_watching(viewer)
    with dep.db.read() as conn:
        return store.recent(conn, limit)


def _request(channel: str, address: str, dialogue: Dialogue) -> RequestDraft:
    return RequestDraft.model_validate(
        {
            "category": dialogue.category,
            "description": dialogue.description,
            "place_id": dialogue.place_id,
            "place_text": dialogue.place_text,
            "urgent": dialogue.urgent,
            "requester": {
                "name": dialogue.name,
                "phone": address,
                "language": dialogue.language,
                "channel": channel,
            },
        }
    )


def _categories(dep: Deployment) -> list[str]:
    return [c.id for c in dep.scenario.desk.categories]


def _place(dep: Deployment, typed: str) -> str | None:
    return places.place_named(dep, authz.PUBLIC, typed)


def _dialogue(saved: dict[str, Any]) -> Dialogue:
    return Dialogue(**{**saved, "step": Step(saved["step"])})


def _state(dep: Deployment, conversation: Conversation) -> dict[str, Any]:
    opened = sealer_of(dep).open(conversation.sealed, f"conversation:{conversation.id}")
    return dict(json.loads(opened))
