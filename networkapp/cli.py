"""Command-line tools: ``flask seed …`` and ``flask maintenance …``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from networkapp.extensions import db

seed = AppGroup("seed", help="Load demo or synthetic data.")
maintenance = AppGroup("maintenance", help="Housekeeping jobs for operators.")


@seed.command("demo")
def seed_demo() -> None:
    """A small demo network (safe to run again)."""
    from networkapp import demo

    created = demo.load()
    click.echo(f"demo data ready ({created} new users). Sign in with any of:")
    for username, *_ in demo.DEMO_USERS:
        click.echo(f"  {username} / {demo.DEMO_PASSWORD}")


@maintenance.command("purge-idempotency-keys")
def purge_idempotency_keys() -> None:
    """Delete Idempotency-Keys older than their retention period."""
    from networkapp.idempotency import purge_expired

    removed = purge_expired(current_app.config["IDEMPOTENCY_KEY_TTL"])
    click.echo(f"removed {removed} expired idempotency keys")


@maintenance.command("purge-sessions")
@click.option("--days", default=30, show_default=True, help="Sessions idle for longer are removed.")
def purge_sessions(days: int) -> None:
    """Delete login sessions older than the session lifetime."""
    from datetime import timedelta

    from networkapp.database import utcnow
    from networkapp.models import UserSession

    result = db.session.execute(sa.delete(UserSession).where(UserSession.created_at < utcnow() - timedelta(days=days)))
    db.session.commit()
    click.echo(f"removed {result.rowcount or 0} sessions")


def register(app: Flask) -> None:
    from networkapp.achievements.cli import achievements

    app.cli.add_command(seed)
    app.cli.add_command(maintenance)
    app.cli.add_command(achievements)
