"""Counters with expiry for throttling, in Redis (shared by N instances) or in process.

Counters live outside the request's database transaction on purpose: a failed sign-in
rolls its transaction back, but the failure must still count.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


class RateStore(Protocol):
    async def incr(self, key: str, window_seconds: int) -> int: ...
    async def set_until(self, key: str, seconds: int) -> None: ...
    async def ttl(self, key: str) -> int: ...
    async def delete(self, *keys: str) -> None: ...
    async def close(self) -> None: ...


class MemoryRateStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[int, float]] = {}

    def _live(self, key: str) -> tuple[int, float] | None:
        item = self._data.get(key)
        if item and item[1] <= time.monotonic():
            self._data.pop(key, None)
            return None
        return item

    async def incr(self, key: str, window_seconds: int) -> int:
        item = self._live(key)
        if item is None:
            self._data[key] = (1, time.monotonic() + window_seconds)
            if len(self._data) > 100_000:  # bounded memory under a flood of distinct keys
                now = time.monotonic()
                self._data = {k: v for k, v in self._data.items() if v[1] > now}
            return 1
        self._data[key] = (item[0] + 1, item[1])
        return item[0] + 1

    async def set_until(self, key: str, seconds: int) -> None:
        self._data[key] = (1, time.monotonic() + seconds)

    async def ttl(self, key: str) -> int:
        item = self._live(key)
        return 0 if item is None else max(1, int(item[1] - time.monotonic() + 0.999))

    async def delete(self, *keys: str) -> None:
        for k in keys:
            self._data.pop(k, None)

    async def close(self) -> None:
        self._data.clear()


class RedisRateStore:
    def __init__(self, redis: Redis, prefix: str = "halcyon:rl:") -> None:
        self.redis = redis
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "halcyon:rl:") -> RedisRateStore:
        return cls(Redis.from_url(url), prefix)

    async def incr(self, key: str, window_seconds: int) -> int:
        k = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(k)
            pipe.expire(k, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def set_until(self, key: str, seconds: int) -> None:
        await self.redis.set(self.prefix + key, 1, ex=seconds)

    async def ttl(self, key: str) -> int:
        t = int(await self.redis.ttl(self.prefix + key))
        return max(t, 0)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self.redis.delete(*(self.prefix + k for k in keys))

    async def close(self) -> None:
        await self.redis.aclose()
