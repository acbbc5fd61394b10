"""Real concurrent clients for race tests (one test client, i.e. one browser session, per thread)."""

from __future__ import annotations

import threading


def run_together(calls) -> list:
    """Start every call at the same moment; return their responses in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
