"""The sampled relay-latency histogram behind signaling's /metrics."""

from __future__ import annotations

from services.signaling.latency import BUCKETS, LatencyHistogram


def test_observations_land_in_cumulative_buckets_with_sum_and_count() -> None:
    h = LatencyHistogram()
    for seconds in (0.00005, 0.0003, 0.0003, 0.02, 3.0, -0.001):
        h.observe(seconds)
    lines = h.render("relay", 'instance="a"')
    buckets = {line.split('le="')[1].split('"')[0]: int(line.rsplit(" ", 1)[1]) for line in lines if "_bucket" in line}
    assert buckets["0.0001"] == 2  # 50 µs and the negative one (a clock step), clamped to 0
    assert buckets["0.0005"] == 4
    assert buckets["0.025"] == 5
    assert buckets["1.0"] == 5
    assert buckets["+Inf"] == 6
    assert list(buckets) == [*map(str, BUCKETS), "+Inf"]
    assert 'relay_count{instance="a"} 6' in lines
    assert any(line.startswith('relay_sum{instance="a"} 3.02') for line in lines)
