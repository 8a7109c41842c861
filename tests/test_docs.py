"""The docs name every option and setting there is, so none goes undocumented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_prove.checks.registry import load_registry
from pytest_prove.config.load import load_fleet
from pytest_prove.config.models import GlobalSettings, RepositoryEntry

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(
        rf"^###? [^\n]*{re.escape(title)}[^\n]*$(.*?)(?=^##)", REFERENCE + "\n##", re.M | re.S
    )
    assert match, f"docs/configuration.md has no section for {title}"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(load_registry().checks))
def test_every_check_setting_is_documented(name: str) -> None:
    if name == "command":
        page = _section("Command gates")
    else:
        path = ROOT / "docs" / "checks" / f"{name}.md"
        assert path.is_file(), f"check {name} has no page docs/checks/{name}.md"
        assert f"(checks/{name}.md)" in REFERENCE, f"docs/configuration.md does not link {name}"
        assert f"`{name}`" in README, f"the README's checks table lacks {name}"
        page = path.read_text(encoding="utf-8")
    for field in load_registry().checks[name].settings_model.model_fields:
        assert f"`{field}`" in page, f"{name}.{field} is not documented"


def test_every_orchestrator_key_is_documented() -> None:
    for field in RepositoryEntry.model_fields:
        assert f"`{field}`" in _section("`repositories[]`")
    section = _section("`global`")
    for field, info in GlobalSettings.model_fields.items():
        assert f"`{info.alias or field}" in section, f"global.{field} is not documented"


def test_every_pytest_option_is_in_the_readme(pytestconfig: pytest.Config) -> None:
    group = pytestconfig._parser.getgroup("prove")
    names = [name for option in group.options for name in option.names()]
    assert names
    for name in names:
        assert f"`{name}" in README, f"{name} is not documented in README.md"


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_the_readme_configuration_examples_load(tmp_path: Path) -> None:
    orchestrator, repository = _yaml_blocks(README.split("## Configure", 1)[1])[:2]
    for directory in ("api-service", "shared-lib", "services"):
        (tmp_path / directory).mkdir()
    (tmp_path / "api-service" / "prove.config.yaml").write_text(repository)
    (tmp_path / "org-base.yaml").write_text("commit-msg: {header_max_length: 90}\n")
    (tmp_path / "prove-waivers.yaml").write_text("waivers: []\n")
    (tmp_path / "multi.yaml").write_text(orchestrator)
    fleet = load_fleet(tmp_path / "multi.yaml", tmp_path)
    api = fleet.repo("api-service")
    assert [g.name for g in api.gates] == ["commit-msg", "lint"]
    assert api.depends_on == ("shared-lib",)
