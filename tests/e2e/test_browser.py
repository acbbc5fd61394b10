"""A real browser on another origin: cookie + CSRF sign-in, feed, and chat over the official Socket.IO client."""

from __future__ import annotations

import queue
import time
import uuid

import pytest
import socketio

from tests.e2e.conftest import ARTIFACTS
from tests.reliability.procs import Client, wait_until

pytestmark = pytest.mark.e2e


def _result(browser, timeout: float = 60) -> dict:
    wait_until(lambda: browser.execute_script("return window.__result") is not None, timeout=timeout, interval=0.2)
    return browser.execute_script("return window.__result")


def _save(browser, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    browser.save_screenshot(str(path))
    print(f"\nscreenshot: {path}")
    return str(path)


def test_spa_on_a_listed_origin_signs_in_reads_the_feed_and_chats_live(api, sites, browser):
    listed, _ = sites
    peer = Client(api.url, f"peer{uuid.uuid4().hex[:6]}")
    username = f"spa{uuid.uuid4().hex[:6]}"
    browser.get(f"{listed.origin}/index.html?api={api.url}&username={username}&peer={peer.id}")

    # The peer accepts the browser's request as soon as it arrives, then chats from Python.
    wait_until(lambda: browser.execute_script("return window.__pendingConnection || window.__result"), timeout=30)
    pending = browser.execute_script("return window.__pendingConnection")
    assert pending, browser.execute_script("return window.__result")
    assert peer.put(f"/api/connections/{pending}/accept").status_code == 200
    inbox: queue.Queue = queue.Queue()
    peer_socket = socketio.Client(reconnection=False)
    peer_socket.on("message", inbox.put, namespace="/chat")
    peer_socket.connect(
        api.url,
        namespaces=["/chat"],
        headers={"Cookie": peer.cookie_header(), "Origin": listed.origin},
        wait_timeout=10,
    )
    try:
        received = inbox.get(timeout=30)
        assert received["content"] == "hello from the browser"
        ack = peer_socket.call(
            "send_message", {"recipient_id": received["sender_id"], "content": "hello back, browser"}, namespace="/chat"
        )
        assert ack["ok"] is True
        result = _result(browser)
    finally:
        peer_socket.disconnect()
    path = _save(browser, "success.png" if result.get("ok") else "failure.png")
    assert result["ok"] is True, (result, path)
    assert result["received"] == ack["message"]["id"]
    assert result["sent"] == received["id"]


def test_spa_on_an_unlisted_origin_is_refused(api, sites, browser):
    _, unlisted = sites
    started = time.monotonic()
    browser.get(f"{unlisted.origin}/index.html?api={api.url}&mode=foreign")
    result = _result(browser)
    _save(browser, "unlisted-origin.png")
    assert result == {"ok": True, "corsBlocked": True, "socketRefused": True}
    assert time.monotonic() - started < 30
