"""People with distinctive facts, set through the profile API, for privacy tests.

Every fact carries the person's tag, so finding the tag's fact words anywhere in a
response body means the fact got out.
"""

from __future__ import annotations


def facts(tag: str) -> dict[str, str]:
    """What only a viewer of the full profile may learn."""
    return {
        "company": f"{tag}corp",
        "position": f"{tag}ographer",
        "school": f"{tag} Institute",
        "city": f"{tag}ville",
        "industry": f"{tag}industry",
        "skill": f"{tag}lang",
        "bio": f"{tag}biography",
        "phone": "+44 20 7946 0" + str(sum(map(ord, tag)) % 1000).zfill(3),
    }


def card_facts(tag: str) -> dict[str, str]:
    """What the card shows (to anyone who may see the person at all)."""
    return {"headline": f"{tag}headline", "last_name": f"{tag}son"}


def reveal(actor, tag: str, visibility: str, **extra) -> None:
    """Give ``actor`` every fact of ``tag`` and the ``visibility`` profile setting; e-mail and phone public."""
    f = facts(tag)
    body = {
        "last_name": card_facts(tag)["last_name"],
        "headline": f"{card_facts(tag)['headline']} at work",
        "bio": f"Writes {f['bio']} daily",
        "industry": f["industry"],
        "location": f["city"],
        "experience": [
            {"company": f["company"], "position": f["position"], "start_date": "2015-01-01", "is_current": True}
        ],
        "education": [{"institution": f["school"], "start_date": "2008-09-01", "end_date": "2012-06-30"}],
        "skills": [{"name": f["skill"], "proficiency_level": 5, "years_experience": 9}],
        "privacy": {"profile_visibility": visibility, "show_email": True, "open_to_work": True},
        "contact_info": {"phone": f["phone"], "email_visibility": "public", "phone_visibility": "public"},
    }
    body.update(extra)
    response = actor.put(f"/api/profiles/{actor.id}", json=body)
    assert response.status_code == 200, response.get_json()


def leaked(body_text: str, words) -> list[str]:
    """The ``words`` that appear in ``body_text`` (case-insensitive)."""
    lowered = body_text.lower()
    return [word for word in words if word.lower() in lowered]
