"""The deployment files keep their promises: every YAML parses; every long-running container runs
as non-root on a read-only root file system with probes and resources; every autoscaler targets
a Deployment that exists; no secret value is written into a manifest, the compose file or an image.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.support import INFRA, RENDER

K8S = INFRA / "k8s"
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|PRIVATE|_KEY$|DATABASE_URL|REDIS_URL)", re.IGNORECASE)
PUBLIC_NAMES = {"HALCYON_STRIPE_PUBLISHABLE_KEY"}  # handed to every browser on purpose


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def all_yaml() -> list[Path]:
    return sorted([*INFRA.rglob("*.yaml"), *INFRA.rglob("*.yml")])


def k8s_objects() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (p, d)
        for p in sorted(K8S.glob("*.yaml"))
        for d in _documents(p)
        if d.get("kind") not in (None, "Kustomization")
    ]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj["kind"]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return dict(obj["spec"]["template"]["spec"])
    if kind == "CronJob":
        return dict(obj["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    return None


@pytest.mark.parametrize("path", all_yaml(), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_yaml_file_parses(path: Path) -> None:
    assert _documents(path), f"{path} holds no document"


def test_the_manifests_cover_the_topology() -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for _, d in k8s_objects()}
    for name in ("halcyon-api", "halcyon-signaling", "halcyon-worker"):
        assert ("Deployment", name) in kinds
    for name in ("halcyon-api", "halcyon-signaling"):
        assert ("Service", name) in kinds
        assert ("HorizontalPodAutoscaler", name) in kinds
    assert ("Ingress", "halcyon") in kinds
    assert ("Job", "halcyon-migrate") in kinds
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "ingress-nginx-headers.yaml"}
    assert listed == on_disk, "kustomization.yaml must list every manifest of the namespace"


def test_every_container_is_non_root_read_only_with_probes_and_resources() -> None:
    problems: list[str] = []
    checked = 0
    for path, obj in k8s_objects():
        spec = pod_spec(obj)
        if spec is None:
            continue
        pod_ctx = spec.get("securityContext", {})
        long_running = obj["kind"] != "Job" and obj["kind"] != "CronJob"
        for c in [*spec.get("initContainers", []), *spec["containers"]]:
            checked += 1
            where = f"{path.name}: {obj['kind']} {obj['metadata']['name']} / {c['name']}"
            ctx = c.get("securityContext", {})
            if not (ctx.get("runAsNonRoot") or pod_ctx.get("runAsNonRoot")):
                problems.append(f"{where}: runAsNonRoot is not set")
            if (ctx.get("runAsUser", pod_ctx.get("runAsUser")) or 0) == 0:
                problems.append(f"{where}: runs as uid 0 or no uid set")
            if ctx.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: readOnlyRootFilesystem is not true")
            if ctx.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if "ALL" not in ctx.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: capabilities are not all dropped")
            resources = c.get("resources", {})
            for part in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(resources.get(part, {})):
                    problems.append(f"{where}: resources.{part} needs cpu and memory")
            if long_running:
                for probe in ("readinessProbe", "livenessProbe"):
                    if probe not in c:
                        problems.append(f"{where}: no {probe}")
        for volume in spec.get("volumes", []):
            if "hostPath" in volume:
                problems.append(f"{path.name}: {obj['metadata']['name']} mounts a hostPath")
    assert checked >= 4
    assert not problems, "\n".join(problems)


def test_every_autoscaler_targets_an_existing_deployment() -> None:
    deployments = {d["metadata"]["name"] for _, d in k8s_objects() if d["kind"] == "Deployment"}
    hpas = [d for _, d in k8s_objects() if d["kind"] == "HorizontalPodAutoscaler"]
    assert hpas
    for hpa in hpas:
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment", hpa["metadata"]["name"]
        assert target["name"] in deployments, f"{hpa['metadata']['name']} targets missing {target['name']}"
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_services_and_ingress_point_at_what_exists() -> None:
    objects = [d for _, d in k8s_objects()]
    services = {d["metadata"]["name"]: d for d in objects if d["kind"] == "Service"}
    pods = {d["metadata"]["name"]: d["spec"]["template"] for d in objects if d["kind"] == "Deployment"}
    for name, svc in services.items():
        selector = svc["spec"].get("selector")
        if selector is None:
            continue  # the deliberately closed Service
        matching = [p for p in pods.values() if selector.items() <= p["metadata"]["labels"].items()]
        assert matching, f"Service {name} selects no Deployment's pods"
        ports = {p["name"] for t in matching for c in t["spec"]["containers"] for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            assert isinstance(port["targetPort"], int) or port["targetPort"] in ports, f"{name}: {port}"
    for ingress in (d for d in objects if d["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["name"] in services, path
    paths = {
        p["path"]: p["backend"]["service"]["name"]
        for d in objects
        if d["kind"] == "Ingress"
        for r in d["spec"]["rules"]
        for p in r["http"]["paths"]
    }
    assert paths["/ws/"] == "halcyon-signaling"
    assert paths["/"] == "halcyon-api"
    assert services[paths["/metrics"]]["spec"].get("selector") is None  # /metrics is not public


def _env_entries(obj: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    spec = pod_spec(obj)
    if spec is None:
        return []
    return [(c["name"], e) for c in [*spec.get("initContainers", []), *spec["containers"]] for e in c.get("env", [])]


def test_no_secret_value_is_inline_in_the_manifests() -> None:
    problems: list[str] = []
    for path, obj in k8s_objects():
        name = obj["metadata"]["name"]
        if obj["kind"] == "Secret":
            if obj.get("data") or obj.get("stringData"):
                problems.append(f"{path.name}: Secret {name} carries values")
        if obj["kind"] == "ConfigMap":
            for key in obj.get("data", {}):
                if SECRET_NAME.search(key) and key not in PUBLIC_NAMES:
                    problems.append(f"{path.name}: ConfigMap {name} holds {key}")
        for container, env in _env_entries(obj):
            if SECRET_NAME.search(env["name"]) and "value" in env:
                problems.append(f"{path.name}: {name}/{container} sets {env['name']} inline")
        spec = pod_spec(obj)
        for c in spec["containers"] if spec else []:
            refs = {next(iter(r.values()))["name"] for r in c.get("envFrom", [])}
            if "halcyon-config" in refs:
                assert "halcyon-secrets" in refs, f"{name}/{c['name']} reads config but not the secrets"
    assert not problems, "\n".join(problems)


# --- compose and the image ----------------------------------------------------------------------
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((INFRA / "compose.yaml").read_text()))


def test_compose_runs_the_topology_hardened_and_without_secrets() -> None:
    doc = compose()
    services = doc["services"]
    for name in ("nginx", "postgres", "redis", "coturn", "api-1", "api-2", "signaling-1", "signaling-2", "worker"):
        assert name in services, name
    for name in ("api-1", "api-2", "signaling-1", "signaling-2", "worker", "migrate"):
        s = services[name]
        assert s["read_only"] is True, name
        assert s["user"] == "10001:10001", name
        assert "ALL" in s["cap_drop"], name
        assert s["env_file"] == ["env/config.env", "env/secrets.env"], name
    # API instances share keys made once by the migrate step, read-only.
    for name in ("api-1", "api-2"):
        assert "halcyon-keys:/var/lib/halcyon:ro" in services[name]["volumes"]
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name, s in services.items():
        env = s.get("environment", {})
        items = env.items() if isinstance(env, dict) else (e.split("=", 1) for e in env)
        for key, value in items:
            if SECRET_NAME.search(key) and not str(key).endswith("_FILE"):
                pytest.fail(f"compose service {name} sets {key}={value!r} inline: use env/secrets.env or a secret")
    for secret in doc["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    ignored = (INFRA / ".gitignore").read_text().split()
    assert {"env/secrets.env", "secrets/", "tls/"} <= set(ignored)


def test_the_secrets_example_holds_no_secret() -> None:
    for line in (INFRA / "env" / "secrets.env.example").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        assert value == "" or "REPLACE_WITH" in value, f"{key} has a value in the example"


def test_compose_renders_nginx_with_the_real_render_script(tmp_path: Path) -> None:
    command = compose()["services"]["nginx-config"]["command"][2]
    args = shlex.split(command.replace("$$HALCYON_SERVER_NAME", "care.example.org"))
    assert args[:2] == ["python", "/templates/render.py"]
    args = [a.replace("/rendered/", f"{tmp_path}/") for a in args[2:]]
    done = subprocess.run([sys.executable, str(RENDER), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    conf = (tmp_path / "halcyon.conf").read_text()
    assert "server api-1:8000" in conf
    assert "server signaling-2:8001" in conf
    assert "listen 8443 ssl;" in conf
    assert "http2 on;" in conf
    assert "server_name care.example.org;" in conf


def test_every_image_target_is_unprivileged_with_a_health_check_and_no_secret() -> None:
    text = (INFRA / "docker" / "halcyon.Dockerfile").read_text()
    stages = dict(re.findall(r"^FROM \S+ AS (\w+)\n(.*?)(?=^FROM |\Z)", text, flags=re.M | re.S))
    assert {"web", "build", "runtime", "api", "signaling", "worker"} <= set(stages)
    assert "USER 10001:10001" in stages["runtime"]
    for target in ("api", "signaling", "worker"):
        assert re.search(rf"^FROM runtime AS {target}$", text, flags=re.M), target
        assert "HEALTHCHECK" in stages[target], target
        assert re.search(r'^CMD \["(halcyon|python)"', stages[target], flags=re.M), target
        assert "USER" not in stages[target], f"{target} must not switch back to another user"
    assert "COPY --from=web" in stages["api"]
    for stage in stages.values():
        for line in re.findall(r"^(?:ENV|ARG) .*", stage, flags=re.M):
            for key in re.findall(r"(\w+)=", line):
                assert not SECRET_NAME.search(key), f"image sets {key}: secrets come at run time"
    compose_targets = {s["build"]["target"] for s in compose()["services"].values() if isinstance(s.get("build"), dict)}
    assert compose_targets == {"api", "signaling", "worker"}
