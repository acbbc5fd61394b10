"""Profile completion: the profile sections that ``GET /api/auth/user`` counts."""

from functools import partial

from networkapp.auth import services as auth_services
from networkapp.models import Education, Experience
from networkapp.profiles.career import count


def register() -> None:
    auth_services.SECTION_COUNTERS.setdefault("experience", partial(count, Experience))
    auth_services.SECTION_COUNTERS.setdefault("education", partial(count, Education))
