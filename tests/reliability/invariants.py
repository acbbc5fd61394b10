"""Consistency checks on a stored database: derived counts and paired rows must agree with their sources."""

from __future__ import annotations

import sqlalchemy as sa

CHECKS = {
    "connection_count differs from the person's edges": """
        SELECT u.id FROM users u
        WHERE u.connection_count <> (SELECT COUNT(*) FROM connection_edges e WHERE e.user_id = u.id)
    """,
    "edge without an accepted connection": """
        SELECT e.user_id FROM connection_edges e JOIN connections c ON c.id = e.connection_id
        WHERE c.status <> 'accepted'
    """,
    "edge pointing at a missing connection": """
        SELECT e.user_id FROM connection_edges e LEFT JOIN connections c ON c.id = e.connection_id
        WHERE c.id IS NULL
    """,
    "accepted connection without exactly its two edges": """
        SELECT c.id FROM connections c
        WHERE c.status = 'accepted' AND (
            (SELECT COUNT(*) FROM connection_edges e WHERE e.connection_id = c.id) <> 2
            OR NOT EXISTS (SELECT 1 FROM connection_edges e WHERE e.connection_id = c.id
                           AND e.user_id = c.requester_id AND e.friend_id = c.recipient_id)
            OR NOT EXISTS (SELECT 1 FROM connection_edges e WHERE e.connection_id = c.id
                           AND e.user_id = c.recipient_id AND e.friend_id = c.requester_id))
    """,
    "more than one connection row for a pair": """
        SELECT user_low_id FROM connections GROUP BY user_low_id, user_high_id HAVING COUNT(*) > 1
    """,
    "like_count differs from the likes": """
        SELECT p.id FROM posts p WHERE p.like_count <> (SELECT COUNT(*) FROM post_likes l WHERE l.post_id = p.id)
    """,
    "comment_count differs from the comments": """
        SELECT p.id FROM posts p
        WHERE p.comment_count <> (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = p.id)
    """,
    "member_count differs from the members": """
        SELECT g.id FROM groups g
        WHERE g.member_count <> (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id)
    """,
    "usage_count differs from the profiles holding the skill": """
        SELECT s.id FROM skills s WHERE s.usage_count <> (SELECT COUNT(*) FROM user_skills u WHERE u.skill_id = s.id)
    """,
    "going_count or interested_count differs from the answers": """
        SELECT e.id FROM events e
        WHERE e.going_count <> (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.status = 'going')
           OR e.interested_count <> (SELECT COUNT(*) FROM event_rsvps r
                                     WHERE r.event_id = e.id AND r.status = 'interested')
    """,
    "active_mentee_count differs from the active mentorships": """
        SELECT p.user_id FROM mentorship_profiles p
        WHERE p.active_mentee_count <> (SELECT COUNT(*) FROM mentorship_requests r
                                        WHERE r.mentor_id = p.user_id AND r.status = 'active')
    """,
    "last message is not the conversation's newest": """
        SELECT c.id FROM conversations c
        WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
          AND (c.last_message_id IS NULL
               OR c.last_message_id <> (SELECT m.id FROM messages m WHERE m.conversation_id = c.id
                                        ORDER BY m.sent_at DESC, m.id DESC LIMIT 1)
               OR c.last_activity <> (SELECT MAX(m.sent_at) FROM messages m WHERE m.conversation_id = c.id))
    """,
    "two applications by one person to one job": """
        SELECT job_id FROM job_applications GROUP BY job_id, applicant_id HAVING COUNT(*) > 1
    """,
    "application without its status history": """
        SELECT a.id FROM job_applications a
        WHERE NOT EXISTS (SELECT 1 FROM application_status_changes h WHERE h.application_id = a.id)
    """,
    "message in a conversation its sender is not part of": """
        SELECT m.id FROM messages m
        WHERE NOT EXISTS (SELECT 1 FROM conversation_participants p
                          WHERE p.conversation_id = m.conversation_id AND p.user_id = m.sender_id)
    """,
    "conversation without participants": """
        SELECT c.id FROM conversations c
        WHERE NOT EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id)
    """,
}


def violations(database_url: str) -> dict[str, int]:
    """Each broken rule with the number of rows breaking it (empty: all hold)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            found = {name: len(conn.execute(sa.text(sql)).all()) for name, sql in CHECKS.items()}
    finally:
        engine.dispose()
    return {name: count for name, count in found.items() if count}


def count(database_url: str, sql: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar_one()
    finally:
        engine.dispose()
