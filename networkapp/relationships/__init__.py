from networkapp.api import Blueprint

bp = Blueprint(
    "relationships",
    __name__,
    url_prefix="/api/connections",
    description="Relationship mapping: degrees of separation and chains of connections",
)

from networkapp.relationships import routes  # noqa: E402,F401


def _annotate_people(state) -> None:
    from networkapp.relationships.annotate import add_connection_degrees

    state.app.after_request(add_connection_degrees)


bp.record_once(_annotate_people)
