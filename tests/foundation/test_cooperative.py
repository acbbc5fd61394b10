"""The process notices gevent's worker: Socket.IO runs on greenlets and C-heavy work leaves the loop."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from networkapp import async_mode
from networkapp.concurrency import cooperative, off_loop

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
from gevent import monkey
monkey.patch_all()
import threading
from networkapp import async_mode
from networkapp.concurrency import cooperative, off_loop
main = threading.get_native_id()
print(async_mode(), cooperative(), off_loop(threading.get_native_id) != main)
"""


def test_a_gevent_patched_process_is_cooperative_and_hashes_on_a_real_thread():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["gevent", "True", "True"]


def test_a_threaded_process_runs_the_work_in_place():
    assert async_mode() == "threading" and not cooperative()
    assert off_loop(sum, [1, 2]) == 3
