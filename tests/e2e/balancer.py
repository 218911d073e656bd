"""A TCP load balancer on 127.0.0.1 in front of the signaling instances, as nginx or a
Kubernetes service is in production: each new connection goes to the next instance in turn,
and an instance that refuses (it died) is skipped. When an instance dies, the connections it
held are closed, so the browsers see their websocket drop, as they would behind a real one.

It runs as a process of its own (like a real balancer, and off the test's event loop):
`python -m tests.e2e.balancer <port> <backend port> [<backend port> ...]`.
"""

from __future__ import annotations

import asyncio
import sys


class Balancer:
    def __init__(self, backends: list[int]) -> None:
        self.backends = list(backends)
        self._next = 0

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for _ in range(len(self.backends)):
            port = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
            except (OSError, TimeoutError):
                continue
        return None

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        opened = await self._open()
        if opened is None:  # no instance alive: the client sees the connection closed
            client_w.close()
            return
        backend_r, backend_w = opened

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                # One side gone (an instance killed, a page closed): the other side goes too.
                for w in (client_w, backend_w):
                    w.close()

        await asyncio.gather(pipe(client_r, backend_w), pipe(backend_r, client_w), return_exceptions=True)


async def main(port: int, backends: list[int]) -> None:
    balancer = Balancer(backends)
    server = await asyncio.start_server(balancer.handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
