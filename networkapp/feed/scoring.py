"""The feed's relevance score (the formula is documented in docs/feed.md).

score = type_weight * 2^(-age_hours / HALF_LIFE_HOURS)
        * (1 + AFFINITY_FACTOR · ln(1 + affinity))
        * (1 + ENGAGEMENT_FACTOR · ln(1 + engagement))
"""

from __future__ import annotations

import math

HALF_LIFE_HOURS = 24.0
AFFINITY_FACTOR = 0.5
ENGAGEMENT_FACTOR = 0.25

TYPE_WEIGHTS = {
    "post": 1.0,
    "achievement": 1.3,
    "job_change": 1.5,
    "new_connection": 0.5,
    "job_posted": 0.8,
    "group_post": 0.9,
}

# Interaction points per signal between the viewer and an actor (see ``affinity.py``).
AFFINITY_WEIGHTS = {
    "endorsement": 3.0,
    "comment": 2.0,
    "like": 1.0,
    "message": 1.0,
}

# Engagement points on a post.
LIKE_POINTS = 1.0
COMMENT_POINTS = 2.0


def score(item_type: str, age_seconds: float, affinity: float, engagement: float) -> float:
    recency = 0.5 ** (max(age_seconds, 0.0) / 3600.0 / HALF_LIFE_HOURS)
    return (
        TYPE_WEIGHTS[item_type]
        * recency
        * (1.0 + AFFINITY_FACTOR * math.log1p(affinity))
        * (1.0 + ENGAGEMENT_FACTOR * math.log1p(engagement))
    )
