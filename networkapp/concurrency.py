"""Running blocking C code without stopping a cooperative server.

Under gunicorn's gevent worker every request and every socket shares one OS thread: a hash that
takes 30 ms of C code would stall all of them for those 30 ms.  ``off_loop`` runs such work in
gevent's pool of real threads (the C code releases the GIL) while the caller's greenlet waits
cooperatively; in a threaded server it simply calls the function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def cooperative() -> bool:
    """True in a process that gevent has patched (the ``all`` and ``realtime`` server roles)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def off_loop(func: Callable[..., T], *args) -> T:
    if cooperative():
        import gevent

        return gevent.get_hub().threadpool.apply(func, args)
    return func(*args)
