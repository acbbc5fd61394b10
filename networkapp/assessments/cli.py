"""``flask assessments import FILE``: add or correct question banks."""

from pathlib import Path

import click

from networkapp.assessments import bp, importer
from networkapp.extensions import db


@bp.cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_questions(file: Path) -> None:
    """Load questions from a JSON or YAML file (all or nothing)."""
    try:
        rows = importer.validate(importer.read(file))
        added, updated = importer.load(rows)
    except importer.ImportError_ as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{file.name}: nothing imported ({len(exc.problems)} problem(s)).") from None
    except Exception:
        db.session.rollback()
        raise
    unchanged = len(rows) - added - updated
    click.echo(f"{file.name}: {added} questions added, {updated} updated, {unchanged} unchanged.")
