"""Profile completion: the profile sections that ``GET /api/auth/user`` counts."""

import sqlalchemy as sa

from networkapp.auth import services as auth_services
from networkapp.models import Education, Experience


def _counter(model):
    def count(user_id):
        return sa.select(sa.func.count()).select_from(model).where(model.user_id == user_id).scalar_subquery()

    return count


def register() -> None:
    auth_services.SECTION_COUNTERS.setdefault("experience", _counter(Experience))
    auth_services.SECTION_COUNTERS.setdefault("education", _counter(Education))
