"""Two bare pages connected directly through the same coturn: the floor the call is compared to.

No app, no signaling server: the test hands the offer, answer and candidates from one page to
the other itself. Both pages have their camera before the clock starts, as both parties of a
visit have theirs when the psychiatrist presses "admit".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from playwright.async_api import Browser, Page, Route

BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare</title>
<video id="self" autoplay muted playsinline></video><video id="remote" autoplay muted playsinline></video>
<script>
window.bare = {
  out: [],
  async start(config) {
    this.pc = new RTCPeerConnection(config);
    this.pc.onicecandidate = (e) => { if (e.candidate) this.out.push({candidate: e.candidate.toJSON()}); };
    this.pc.ontrack = (e) => { const v = document.getElementById('remote'); v.srcObject = e.streams[0]; v.play().catch(() => {}); };
    const stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
    document.getElementById('self').srcObject = stream;
    for (const t of stream.getTracks()) this.pc.addTrack(t, stream);
  },
  async offer() { const o = await this.pc.createOffer(); await this.pc.setLocalDescription(o); return {type: o.type, sdp: o.sdp}; },
  async answer(offer) {
    await this.pc.setRemoteDescription(offer);
    const a = await this.pc.createAnswer(); await this.pc.setLocalDescription(a); return {type: a.type, sdp: a.sdp};
  },
  async accept(answer) { await this.pc.setRemoteDescription(answer); },
  async add(c) { try { await this.pc.addIceCandidate(c); } catch (e) {} },
  take() { const o = this.out; this.out = []; return o; },
  remote() { const v = document.getElementById('remote'); return {videoWidth: v.videoWidth, currentTime: v.currentTime}; },
};
</script>"""


def turn_credentials(secret: str, user: str = "bare", ttl: int = 600) -> tuple[str, str]:
    """coturn's REST scheme, as signaling mints them: username `expiry:user`, HMAC-SHA1 password."""
    username = f"{int(time.time()) + ttl}:{user}"
    password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return username, password


async def _playing(page: Page) -> bool:
    first = await page.evaluate("window.bare.remote()")
    if first["videoWidth"] <= 0:
        return False
    await page.wait_for_timeout(400)
    second = await page.evaluate("window.bare.remote()")
    return bool(second["currentTime"] > first["currentTime"])


async def bare_call_seconds(browser: Browser, origin: str, turn_port: int, turn_secret: str) -> float:
    """Seconds from offer to both remote videos playing, relayed through coturn."""
    username, password = turn_credentials(turn_secret)
    config = {
        "iceServers": [
            {"urls": f"turn:127.0.0.1:{turn_port}?transport=udp", "username": username, "credential": password}
        ],
        "iceTransportPolicy": "relay",
    }
    contexts, pages = [], []
    for _ in range(2):
        context = await browser.new_context()

        async def serve(route: Route) -> None:
            await route.fulfill(status=200, content_type="text/html", body=BARE_PAGE)

        await context.route(f"{origin}/__bare", serve)
        page = await context.new_page()
        await page.goto(f"{origin}/__bare")  # a loopback origin: a secure context for the camera
        await page.evaluate(f"window.bare.start({json.dumps(config)})")
        contexts.append(context)
        pages.append(page)
    a, b = pages
    try:
        start = time.monotonic()
        offer = await a.evaluate("window.bare.offer()")
        answer = await b.evaluate(f"window.bare.answer({json.dumps(offer)})")
        await a.evaluate(f"window.bare.accept({json.dumps(answer)})")
        done: dict[int, float] = {}
        while len(done) < 2 and time.monotonic() - start < 30:
            for src, dst in ((a, b), (b, a)):
                for c in await src.evaluate("window.bare.take()"):
                    await dst.evaluate(f"window.bare.add({json.dumps(c['candidate'])})")
            for i, page in enumerate(pages):
                if i not in done and await _playing(page):
                    done[i] = time.monotonic()
            await a.wait_for_timeout(50)
        if len(done) < 2:
            states = [
                await p.evaluate(
                    "[window.bare.pc.connectionState, window.bare.pc.iceGatheringState, window.bare.remote()]"
                )
                for p in pages
            ]
            raise AssertionError(f"the bare pages did not connect through coturn within 30 s: {states}")
        return max(done.values()) - start
    finally:
        for context in contexts:
            await context.close()
