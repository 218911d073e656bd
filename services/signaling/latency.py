"""Relay latency, sampled: a fixed-bucket histogram cheap enough for the relay's hot path.

One relayed message in `SAMPLE_EVERY` is timed: from the moment its frame was read to the moment
it was handed to the recipient's socket, on this instance or, across instances, on the instance
that delivers it (the time travels in the bus envelope; instances must share a clock, as NTP
keeps them). Exported by `/metrics` as a Prometheus histogram.
"""

from __future__ import annotations

import bisect

SAMPLE_EVERY = 16
BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class LatencyHistogram:
    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0
        self.count = 0

    def observe(self, seconds: float) -> None:
        seconds = max(seconds, 0.0)  # a clock step between instances must not go negative
        self.counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.total += seconds
        self.count += 1

    def render(self, name: str, labels: str) -> list[str]:
        """Prometheus text lines for this histogram (`labels` without braces, e.g. `instance="a"`)."""
        lines = [f"# HELP {name} Sampled relay latency: frame read to recipient's socket.", f"# TYPE {name} histogram"]
        running = 0
        for bound, n in zip((*map(str, BUCKETS), "+Inf"), self.counts, strict=True):
            running += n
            lines.append(f'{name}_bucket{{{labels},le="{bound}"}} {running}')
        lines.append(f"{name}_sum{{{labels}}} {self.total}")
        lines.append(f"{name}_count{{{labels}}} {self.count}")
        return lines
