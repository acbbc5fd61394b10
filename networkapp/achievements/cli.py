"""``flask achievements …``: administrator tools."""

import uuid

import click
from flask.cli import AppGroup

from networkapp.errors import NotFound

achievements = AppGroup("achievements", help="Administer achievements.")


@achievements.command("verify")
@click.argument("achievement_id", type=click.UUID)
def verify(achievement_id: uuid.UUID) -> None:
    """Mark an achievement verified after checking its evidence by hand."""
    from networkapp.achievements.services import verify as mark_verified

    try:
        achievement = mark_verified(achievement_id)
    except NotFound:
        raise click.ClickException(f"no achievement {achievement_id}") from None
    click.echo(f"verified {achievement.id} ({achievement.title})")
