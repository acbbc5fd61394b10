"""Many open Socket.IO clients in one process, for bench/capacity.py (driven over stdin/stdout).

The stock python-socketio client, over WebSocket, with gevent patching the standard library so
each client's threads are greenlets: thousands of real clients (answering the server's pings)
fit in one process.  Commands, one JSON object per line on stdin:

- ``{"open": N, "cookies": [...], "port": P}``: open N ``/chat`` sockets, cookies used in turn;
  answers ``{"opened": N, "seconds": s}``.
- ``{"rate": R, "seconds": S, "pairs": [[sender_cookie, recipient_cookie, recipient_id], ...]}``:
  every pair's sender opens a socket and so does its recipient; then R ``send_message`` emits a
  second in all, on a schedule (an open loop), for S seconds; answers with every delivery's
  latency (emit → the recipient's ``message`` event) in ms, the ten slowest with when they were
  sent, and the number of failed acks.
- ``{"close": true}``: closes everything and exits.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402 - after patching, by design
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import gevent  # noqa: E402
import socketio  # noqa: E402


def connect(port: int, cookie: str, on_message=None) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    if on_message is not None:
        client.on("message", on_message, namespace="/chat")
    client.connect(
        f"http://127.0.0.1:{port}",
        headers={"Cookie": cookie},
        namespaces=["/chat"],
        transports=["websocket"],
        wait_timeout=30,
    )
    return client


def open_many(port: int, n: int, cookies: list[str], held: list) -> dict:
    started = time.monotonic()
    failures = 0
    batch = 50  # a burst of handshakes at once, like people arriving, not all at the same instant
    for first in range(0, n, batch):
        jobs = [gevent.spawn(connect, port, cookies[i % len(cookies)]) for i in range(first, min(n, first + batch))]
        gevent.joinall(jobs, timeout=60)
        for job in jobs:
            if job.successful():
                held.append(job.value)
            else:
                failures += 1
    return {"opened": len(held), "failed": failures, "seconds": round(time.monotonic() - started, 2)}


def deliver(port: int, rate: float, seconds: float, pairs: list, held: list) -> dict:
    sent: dict[str, float] = {}
    latencies: list[float] = []
    slowest: list[tuple[float, float]] = []  # (ms, when it was sent)

    def on_message(message):
        tag = (message.get("content") or "").rpartition(" ")[2]
        start = sent.pop(tag, None)
        if start is not None:
            latency = (time.monotonic() - start) * 1000
            latencies.append(latency)
            slowest.append((latency, start))

    senders = []
    for sender_cookie, recipient_cookie, recipient_id in pairs:
        held.append(connect(port, recipient_cookie, on_message))
        client = connect(port, sender_cookie)
        held.append(client)
        senders.append((client, recipient_id))
    failed = []

    def emit(client, recipient_id):
        tag = uuid.uuid4().hex
        sent[tag] = time.monotonic()

        def ack(answer):
            if not (isinstance(answer, dict) and answer.get("ok")):
                failed.append(answer)

        client.emit("send_message", {"recipient_id": recipient_id, "content": f"capacity {tag}"}, "/chat", ack)

    interval, due, count = 1.0 / rate, time.monotonic(), 0
    began = due
    end = due + seconds
    while due < end:
        client, recipient_id = senders[count % len(senders)]
        gevent.spawn(emit, client, recipient_id)
        count += 1
        due += interval
        gevent.sleep(max(0.0, due - time.monotonic()))
    gevent.sleep(2)  # the last deliveries
    slowest.sort(reverse=True)
    return {
        "sent": count,
        "delivered": len(latencies),
        "failed": len(failed),
        "latencies_ms": latencies,
        # When the slow ones were sent tells one stall (clustered) from steady queueing (spread).
        "slowest_ms_at_s": [[round(ms, 2), round(at - began, 3)] for ms, at in slowest[:10]],
    }


def main() -> None:
    held: list = []
    while True:
        # Read in a real thread: a blocking read in the loop would stop every client answering pings.
        line = gevent.get_hub().threadpool.apply(sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command.get("close"):
            break
        if "open" in command:
            answer = open_many(command["port"], command["open"], command["cookies"], held)
        else:
            answer = deliver(command["port"], command["rate"], command["seconds"], command["pairs"], held)
        print(json.dumps(answer), flush=True)
    for client in held:
        try:
            client.disconnect()
        except Exception:  # noqa: S112 - the server may already have closed it
            continue


if __name__ == "__main__":
    main()
