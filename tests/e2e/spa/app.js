// Test fixture: the journey a single-page app makes against the API (see tests/e2e/test_browser.py).
"use strict";

const params = new URLSearchParams(location.search);
const API = params.get("api");
const MODE = params.get("mode") || "journey";
window.__result = null;

function step(text, ok = true) {
  const li = document.createElement("li");
  li.className = ok ? "ok" : "fail";
  li.textContent = text;
  document.getElementById("steps").appendChild(li);
}

function finish(result) {
  document.getElementById("verdict").textContent = result.ok ? "PASSED" : "FAILED: " + (result.error || "");
  window.__result = result;
}

let csrf = null;

async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(API + path, {
    method,
    headers,
    credentials: "include",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const token = response.headers.get("X-CSRF-Token");
  if (token) csrf = token;
  const data = response.status === 204 ? null : await response.json();
  return { status: response.status, data };
}

function expect(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.data)}`);
  }
  step(`${what}: ${status}`);
  return response.data;
}

function waitFor(predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(async () => {
      try {
        const value = await predicate();
        if (value) {
          clearInterval(timer);
          resolve(value);
        } else if (Date.now() - started > timeoutMs) {
          clearInterval(timer);
          reject(new Error("timed out waiting for " + what));
        }
      } catch (error) {
        clearInterval(timer);
        reject(error);
      }
    }, 150);
  });
}

async function journey() {
  const username = params.get("username");
  const password = "a long and unusual passphrase 42";
  const peer = params.get("peer");

  csrf = (await call("GET", "/api/auth/csrf")).data.csrf_token;
  step("CSRF token fetched");
  const me = expect(
    await call("POST", "/api/auth/register", {
      username, email: `${username}@example.com`, password,
      first_name: "Spa", last_name: "Client", industry: "Software",
    }),
    201, "register",
  );
  expect(await call("POST", "/api/auth/logout"), 204, "logout");
  if ((await call("GET", "/api/auth/user")).status !== 401) throw new Error("still signed in after logout");
  expect(await call("POST", "/api/auth/login", { username, password }), 200, "login with the cookie");
  const self = expect(await call("GET", "/api/auth/user"), 200, "current user");
  if (self.id !== me.id) throw new Error("signed in as someone else");
  const request = expect(
    await call("POST", "/api/connections/request", { target_user_id: peer }), 201, "connection request",
  );
  window.__pendingConnection = request.id;
  await waitFor(async () => {
    const list = await call("GET", "/api/connections");
    return list.data.items.some((item) => item.user.id === peer);
  }, 20000, "the peer to accept");
  step("peer accepted the connection");
  const feed = expect(await call("GET", "/api/feed"), 200, "feed");
  step(`feed has ${feed.items.length} item(s)`);

  const socket = io(API + "/chat", { withCredentials: true, transports: ["polling", "websocket"] });
  const incoming = [];
  socket.on("message", (message) => incoming.push(message));
  await new Promise((resolve, reject) => {
    socket.on("connect", resolve);
    socket.on("connect_error", (error) => reject(new Error("socket refused: " + error.message)));
  });
  step("Socket.IO connected to /chat");
  const ack = await socket.timeout(10000).emitWithAck("send_message", { recipient_id: peer, content: "hello from the browser" });
  if (!ack.ok) throw new Error("send_message refused: " + JSON.stringify(ack.error));
  step("message sent over Socket.IO, acknowledged");
  window.__sentMessage = ack.message;
  const reply = await waitFor(() => incoming.find((m) => m.sender_id === peer), 20000, "the peer's reply");
  step(`reply received live: "${reply.content}"`);
  socket.disconnect();
  return { ok: true, user: me.id, sent: ack.message.id, received: reply.id, feedItems: feed.items.length };
}

async function foreign() {
  // Served from an origin the API does not list: the browser must refuse both channels.
  let corsBlocked = false;
  try {
    await fetch(API + "/api/auth/csrf", { credentials: "include" });
  } catch (error) {
    corsBlocked = true;
  }
  step("fetch from an unlisted origin blocked by CORS", corsBlocked);
  const socketRefused = await new Promise((resolve) => {
    const socket = io(API + "/chat", { withCredentials: true, reconnection: false, transports: ["polling"] });
    socket.on("connect", () => { socket.disconnect(); resolve(false); });
    socket.on("connect_error", () => resolve(true));
    setTimeout(() => resolve(false), 8000);
  });
  step("socket connect from an unlisted origin refused", socketRefused);
  return { ok: corsBlocked && socketRefused, corsBlocked, socketRefused };
}

(MODE === "foreign" ? foreign() : journey())
  .then(finish)
  .catch((error) => {
    step(error.message, false);
    finish({ ok: false, error: error.message });
  });
