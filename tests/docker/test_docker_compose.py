"""docker/compose.yaml, checked by the real Compose v2 CLI (`docker-compose config`).

`config` parses the file, validates it against the Compose specification schema
bundled in the binary, interpolates variables, resolves anchors/merges and
profiles, and checks references (depends_on, volumes, networks) -- all without
a Docker engine. The tests then assert the appliance's contract on the result.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # any --import-mode
from docker_support import (  # noqa: E402
    APP_SERVICES,
    COMPOSE_FILE,
    LONG_RUNNING,
    REPO,
    TEST_PASSWORD,
    clean_env,
    compose_config,
    run_compose,
    tool,
)

BASE_SERVICES = {"init", "web", "worker-cpu", "beat", "redis", "postgres"}


@pytest.fixture(scope="module")
def cfg() -> dict:
    return compose_config(profiles=("gpu", "cpu"))


@pytest.fixture(scope="module")
def services(cfg: dict) -> dict:
    return cfg["services"]


def test_compose_cli_is_v2_or_later() -> None:
    out = subprocess.run([tool("docker-compose"), "version", "--short"], capture_output=True, text=True,
                         env=clean_env(), timeout=30)
    assert out.returncode == 0, out.stderr
    major = int(re.match(r"v?(\d+)", out.stdout.strip()).group(1))
    assert major >= 2, f"need the Compose v2+ CLI, got {out.stdout!r}"


@pytest.mark.parametrize("profiles", [(), ("gpu",), ("cpu",), ("gpu", "cpu")])
def test_config_is_valid_for_every_profile(profiles: tuple[str, ...]) -> None:
    proc = run_compose("config", "--quiet", profiles=profiles)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "", f"compose printed warnings: {proc.stderr}"


def test_validator_rejects_an_unknown_key(tmp_path) -> None:
    """Proves the check above is a real schema validation, not a YAML parse."""
    bad = tmp_path / "compose.yaml"
    text = COMPOSE_FILE.read_text()
    bad.write_text(text.replace("  redis:\n", "  redis:\n    not_a_compose_key: 1\n", 1))
    proc = run_compose("config", "--quiet", compose_file=bad)
    assert proc.returncode != 0
    assert "not_a_compose_key" in proc.stderr


def test_postgres_password_is_required() -> None:
    proc = run_compose("config", "--quiet", env=clean_env())
    assert proc.returncode != 0
    assert "POSTGRES_PASSWORD" in proc.stderr


@pytest.mark.parametrize(
    "profiles, expected",
    [
        ((), BASE_SERVICES),
        (("gpu",), BASE_SERVICES | {"worker-gpu"}),
        (("cpu",), BASE_SERVICES | {"worker-inference-cpu"}),
    ],
)
def test_profiles_select_the_inference_worker(profiles: tuple[str, ...], expected: set[str]) -> None:
    assert set(compose_config(profiles=profiles)["services"]) == expected


def test_project_name_and_volumes(cfg: dict) -> None:
    assert cfg["name"] == "clinical-ai"
    assert {"pgdata", "redisdata", "models", "appdata"} <= set(cfg["volumes"])


def mounts(service: dict) -> dict[str, str]:
    return {v["target"]: v["source"] for v in service.get("volumes", []) if v["type"] == "volume"}


def test_named_volumes_are_mounted_where_the_app_expects(services: dict) -> None:
    for name in APP_SERVICES:
        assert mounts(services[name]) == {"/models": "models", "/data": "appdata"}, name
    assert mounts(services["postgres"]) == {"/var/lib/postgresql/data": "pgdata"}
    assert mounts(services["redis"]) == {"/data": "redisdata"}


def test_every_long_running_service_has_a_healthcheck(services: dict) -> None:
    for name in LONG_RUNNING:
        hc = services[name].get("healthcheck")
        assert hc and not hc.get("disable") and hc.get("test"), f"{name} has no healthcheck"
        assert hc["test"][0] in ("CMD", "CMD-SHELL"), name
        assert services[name]["restart"] == "unless-stopped", name


def test_healthcheck_commands(services: dict) -> None:
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert services["web"]["healthcheck"]["test"] == ["CMD", "clinical-ai-healthcheck", "web"]
    assert services["worker-cpu"]["healthcheck"]["test"] == ["CMD", "clinical-ai-healthcheck", "worker", "deid"]
    for name in ("worker-gpu", "worker-inference-cpu"):
        assert services[name]["healthcheck"]["test"] == ["CMD", "clinical-ai-healthcheck", "worker", "inference"]
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "clinical-ai-healthcheck", "beat"]


def test_init_is_one_shot_and_gates_everything(services: dict) -> None:
    init = services["init"]
    assert init["command"] == ["init"]
    assert init["restart"] == "no"
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES - {"init"}:
        deps = services[name]["depends_on"]
        assert deps["init"]["condition"] == "service_completed_successfully", name
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name


def test_roles(services: dict) -> None:
    roles = {name: services[name]["command"] for name in APP_SERVICES}
    assert roles == {
        "init": ["init"],
        "web": ["web"],
        "worker-cpu": ["worker-deid"],
        "worker-gpu": ["worker-inference"],
        "worker-inference-cpu": ["worker-inference"],
        "beat": ["beat"],
    }


def test_app_environment(services: dict) -> None:
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == f"postgres://clinical_ai:{TEST_PASSWORD}@postgres:5432/clinical_ai", name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["MODEL_ROOT"] == "/models", name
        assert env["CLINICAL_AI_DATA_DIR"] == "/data", name
        assert env["CLINICAL_AI_KEY_DIR"] == "/data/keys", name
        assert env["HF_HUB_OFFLINE"] == "1", name
        assert env["TRANSFORMERS_OFFLINE"] == "1", name
        assert env["DJANGO_ALLOWED_HOSTS"] == "localhost,127.0.0.1", name
    assert services["worker-gpu"]["environment"]["CLINICAL_AI_REQUIRE_GPU"] == "1"
    assert "CLINICAL_AI_REQUIRE_GPU" not in services["worker-inference-cpu"]["environment"]


def test_secret_key_is_passed_only_when_set() -> None:
    unset = compose_config()["services"]["web"]["environment"]
    assert unset["DJANGO_SECRET_KEY"] is None  # null = not set in the container, never ""
    given = compose_config(DJANGO_SECRET_KEY="s3cret", DJANGO_ALLOWED_HOSTS="ai.example.org")
    env = given["services"]["web"]["environment"]
    assert env["DJANGO_SECRET_KEY"] == "s3cret"
    assert env["DJANGO_ALLOWED_HOSTS"] == "ai.example.org"


def test_postgres_and_redis(services: dict) -> None:
    pg, redis = services["postgres"], services["redis"]
    assert re.fullmatch(r"postgres:16[.\w-]*", pg["image"]), pg["image"]
    assert pg["environment"] == {"POSTGRES_USER": "clinical_ai", "POSTGRES_DB": "clinical_ai",
                                 "POSTGRES_PASSWORD": TEST_PASSWORD}
    assert re.fullmatch(r"redis:7[.\w-]*", redis["image"]), redis["image"]
    cmd = redis["command"]
    assert cmd[0] == "redis-server" and cmd[cmd.index("--appendonly") + 1] == "yes"


def test_images_are_pinned(services: dict) -> None:
    for name, svc in services.items():
        repo, _, tag = svc["image"].rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: unpinned image {svc['image']}"
        if name in ("redis", "postgres"):
            assert re.match(r"\d+\.\d+", tag), f"{name}: pin at least major.minor, got {tag}"


def test_builds_point_at_the_dockerfiles(services: dict) -> None:
    for name in APP_SERVICES:
        build = services[name]["build"]
        assert build["context"] == str(REPO), name
        expected = "docker/Dockerfile.gpu" if name == "worker-gpu" else "docker/Dockerfile"
        assert build["dockerfile"] == expected, name
        assert (REPO / expected).is_file()
    cpu_images = {services[n]["image"] for n in APP_SERVICES - {"worker-gpu"}}
    assert cpu_images == {"clinical-ai:local"}
    assert services["worker-gpu"]["image"] == "clinical-ai-gpu:local"


def test_gpu_reservation(services: dict) -> None:
    devices = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    for name in set(services) - {"worker-gpu"}:
        assert "devices" not in str(services[name].get("deploy", {})), name


def test_hardening(cfg: dict, services: dict) -> None:
    for name, svc in services.items():
        assert not svc.get("privileged"), name
        assert svc.get("network_mode") is None, name
        assert "no-new-privileges:true" in svc.get("security_opt", []), name
        assert svc["logging"]["options"]["max-size"], name
    for name in APP_SERVICES:
        assert services[name]["cap_drop"] == ["ALL"], name
        assert not services[name].get("user"), f"{name}: the image's non-root USER must not be overridden"


def test_only_web_is_reachable(cfg: dict, services: dict) -> None:
    assert cfg["networks"]["backend"]["internal"] is True
    assert not cfg["networks"]["frontend"].get("internal")
    for name, svc in services.items():
        if name == "web":
            assert set(svc["networks"]) == {"backend", "frontend"}
            assert svc["ports"] == [{"mode": "ingress", "host_ip": "127.0.0.1", "target": 8000,
                                     "published": "8000", "protocol": "tcp"}]
        else:
            assert set(svc["networks"]) == {"backend"}, name
            assert not svc.get("ports"), f"{name} must not publish ports"


def test_bind_address_and_port_are_configurable() -> None:
    web = compose_config(CLINICAL_AI_BIND_ADDR="0.0.0.0", CLINICAL_AI_HTTP_PORT="8443")["services"]["web"]
    assert web["ports"][0]["host_ip"] == "0.0.0.0"
    assert web["ports"][0]["published"] == "8443"
