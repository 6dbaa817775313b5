"""The container image and CI install the service with the same script, so they cannot
drift (no registry is reachable here, so the image itself is not built in tests)."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
CI = (REPO / ".ci/run").read_text(encoding="utf-8")
INSTALL = (REPO / "scripts/install.sh").read_text(encoding="utf-8")


def _runs(text: str) -> list[str]:
    """Shell lines (Dockerfile RUN lines included), without comments."""
    lines = [re.sub(r"#.*", "", x).strip() for x in text.splitlines()]
    return [x.removeprefix("RUN ").strip() for x in lines if x]


def test_the_image_and_ci_install_with_the_one_script() -> None:
    assert any(x.endswith("scripts/install.sh") for x in _runs(DOCKERFILE))
    assert any(x.startswith("scripts/install.sh") for x in _runs(CI))
    # Neither installs the project any other way: pip runs only inside the script (CI's one
    # other pip line is the README's test command, checked verbatim by .ci/run itself).
    assert not [x for x in _runs(DOCKERFILE) if "pip install" in x]
    assert [x for x in _runs(CI) if "pip install" in x] == [
        x for x in _runs(CI) if x.startswith("TEST_CMD=")
    ]
    assert re.search(r'/bin/pip"? install .*-e "\$SPEC"', INSTALL)


def test_the_image_holds_every_package_and_serves_the_mounted_folder() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    copied = set(re.findall(r"^COPY (\S+) ", DOCKERFILE, re.M))
    assert {p.rstrip("*") for p in packages} <= copied
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["accordingto"]
    mounts = {v.split(":")[1] for v in service["volumes"]}
    cmd = re.search(r"^CMD \[(.*)\]", DOCKERFILE, re.M)
    assert cmd is not None
    assert {"/articles", "/data"} <= mounts and '"/articles"' in cmd.group(1)
    index_dir = re.search(r"ACCORDINGTO_INDEX_DIR=(\S+)", DOCKERFILE)
    assert index_dir is not None and index_dir.group(1).startswith("/data/")
