"""Print a results file of ``bench/run.py`` as the Markdown the README and docs/performance.md carry.

python bench/report.py bench/results/2026-11-21-sqlite.json [more.json …]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import table


def render(path: Path) -> str:
    report = json.loads(path.read_text())
    lines = [
        f"**{report['db']}, {report['users']:,} people** — `{report['command']}` "
        f"(median of {report['repeat']} rounds, wrk {report['seconds_per_figure']:g} s per figure, "
        f"{report['wrk_connections']} connections, {report['gunicorn_threads']} gunicorn threads; "
        f"chart `{path.with_suffix('.png').name}`)",
        "",
        table(report["endpoints"], report["statements"], report.get("service_ms", {})),
        "",
        "```",
        *(f"{'met    ' if g['met'] else 'NOT met'}  {g['goal']}: {g['measured']}" for g in report["goals"]),
        "```",
    ]
    scaleout = report.get("scaleout", {})
    if "ratios" in scaleout:
        lines += ["", f"Two instances behind nginx ÷ one: `{json.dumps(scaleout['ratios'])}`"]
    return "\n".join(lines)


if __name__ == "__main__":
    print("\n\n".join(render(Path(p)) for p in sys.argv[1:]))
