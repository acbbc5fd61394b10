"""Etiquette templates for common professional messages, filled in from both profiles.

Placeholders the profiles cannot fill stay as ``[bracketed hints]`` so the
writer sees what to complete rather than a sentence with a hole in it.
"""

from __future__ import annotations

import uuid
from string import Formatter

import sqlalchemy as sa

from networkapp.errors import NotFound
from networkapp.extensions import db
from networkapp.models import Experience, User
from networkapp.profiles import visibility

TEMPLATES = (
    (
        "introduction",
        "Introduce yourself",
        "Hi {recipient_first_name},\n\n"
        "I'm {my_name}, {my_headline}. I came across your profile and was impressed by your work "
        "{recipient_role_phrase}. As someone in {my_industry}, I'd welcome the chance to connect and "
        "exchange ideas.\n\nBest regards,\n{my_first_name}",
    ),
    (
        "follow_up_application",
        "Follow up after applying",
        "Dear {recipient_first_name},\n\n"
        "I recently applied for the [position] role{recipient_company_phrase} and wanted to follow up. "
        "I'm very interested in the opportunity and believe my background as {my_headline} would let me "
        "contribute from day one. I'd be glad to share anything else that would help.\n\n"
        "Thank you for your time,\n{my_name}",
    ),
    (
        "thank_you_interview",
        "Thank you after an interview",
        "Dear {recipient_first_name},\n\n"
        "Thank you for taking the time to speak with me about the [position] role{recipient_company_phrase}. "
        "I enjoyed learning more about the team, and our conversation confirmed my enthusiasm for the "
        "position. Please let me know if I can provide anything further.\n\nKind regards,\n{my_name}",
    ),
    (
        "referral_request",
        "Ask for a referral",
        "Hi {recipient_first_name},\n\n"
        "I hope you're well. I'm applying for the [position] role{recipient_company_phrase} and, given your "
        "experience there, I wondered whether you'd be comfortable referring me. I'm happy to send my CV "
        "and a short summary of why I'm a good fit, to make it as easy as possible.\n\n"
        "Many thanks,\n{my_first_name}",
    ),
)


def _current_role(user_id: uuid.UUID) -> Experience | None:
    return db.session.scalar(
        sa.select(Experience)
        .where(Experience.user_id == user_id)
        .order_by(Experience.is_current.desc(), Experience.start_date.desc().nulls_last(), Experience.created_at.desc())
        .limit(1)
    )


def for_recipient(me: User, recipient_id: uuid.UUID) -> list[dict]:
    recipient = db.session.get(User, recipient_id)
    if recipient is None or recipient.id == me.id:
        raise NotFound("No such user.")
    shown = visibility.level_for(me, recipient)
    if shown is visibility.Level.HIDDEN:
        raise NotFound("No such user.")
    # Their job is a profile fact: filled in only where I could read it on their profile.
    role = _current_role(recipient.id) if shown is visibility.Level.FULL else None
    values = {
        "my_name": me.full_name,
        "my_first_name": me.first_name,
        "my_headline": me.headline or "[your role]",
        "my_industry": me.industry or "[your industry]",
        "recipient_first_name": recipient.first_name,
        "recipient_role_phrase": f"as {role.position} at {role.company}" if role else "in your field",
        "recipient_company_phrase": f" at {role.company}" if role else " at [company]",
    }
    items = []
    for key, title, text in TEMPLATES:
        # Only our own placeholder names are substituted: profile text is data, never a format string.
        content = "".join(
            literal + (values[name] if name is not None else "") for literal, name, _, _ in Formatter().parse(text)
        )
        items.append({"key": key, "title": title, "content": content})
    return items
