"""The production coturn config in infra/: REST credentials, no loopback or private peers."""

from __future__ import annotations

from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "infra" / "coturn" / "turnserver.conf"


def _options() -> list[str]:
    return [line.strip() for line in CONF.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_production_coturn_uses_rest_credentials() -> None:
    options = _options()
    assert "use-auth-secret" in options
    assert any(o.startswith("static-auth-secret=") for o in options)
    assert "lt-cred-mech" not in options


def test_production_coturn_never_relays_to_loopback_or_private_addresses() -> None:
    options = _options()
    assert not any(o.startswith("allow-loopback-peers") for o in options)
    denied = {o.split("=", 1)[1] for o in options if o.startswith("denied-peer-ip=")}
    for block in (
        "10.0.0.0-10.255.255.255",
        "172.16.0.0-172.31.255.255",
        "192.168.0.0-192.168.255.255",
        "127.0.0.0-127.255.255.255",
        "169.254.0.0-169.254.255.255",
        "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "::1",
    ):
        assert block in denied, f"{block} is not denied"
    assert "no-multicast-peers" in options
    assert "no-cli" in options
