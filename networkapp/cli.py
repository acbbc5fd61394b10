"""Command-line tools: ``flask seed …`` and ``flask maintenance …``."""

from __future__ import annotations

from datetime import UTC, datetime

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


@seed.command("scale")
@click.option("--users", default=100_000, show_default=True, help="People to generate.")
@click.option("--connections", default=None, type=int, help="Accepted connections (default: 10 per person).")
@click.option("--hubs", default=5, show_default=True, help="People with 5 000-10 000 connections.")
@click.option("--seed", "seed_value", default=2024, show_default=True, help="Random seed (same seed, same network).")
@click.option("--messages", default=None, type=int, help="Direct messages (default: 10 per conversation).")
@click.option("--as-of", default=None, type=click.DateTime(), help="UTC time the activity leads up to (default: now).")
def seed_scale(
    users: int, connections: int | None, hubs: int, seed_value: int, messages: int | None, as_of: datetime | None
) -> None:
    """A large synthetic network for benchmarks (power-law connection degrees)."""
    from networkapp import scale
    from networkapp.models import User

    existing = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.email.like(f"%@{scale.EMAIL_DOMAIN}"))
    )
    if existing:
        raise click.ClickException(f"{existing} generated people are already here; use an empty database.")
    as_of = as_of.replace(tzinfo=UTC) if as_of else None
    net = scale.seed_scale(users, connections or users * 10, seed_value, hubs, messages=messages, as_of=as_of)
    hub = max(range(len(net.users)), key=lambda i: net.users[i]["connection_count"])
    click.echo("sign in as any generated person, for example:")
    for index in dict.fromkeys((0, 1, 2, hub)):
        person = net.users[index]
        click.echo(f"  {person['username']} / {scale.SCALE_PASSWORD}  ({person['connection_count']} connections)")


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
