"""Where the salt of the personal-data hashes comes from; when its demo default is warned of."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.lib.dbt_salt import HashSaltError, read_hash_salt
from orchestration.lib.environment import DEMO_HASH_SALT, Environment

# Every variable Environment reads or export() writes: unset here, restored after each test.
VARIABLES = (
    *("AMW_HASH_SALT", "AMW_HASH_SALT_FILE", "AMW_DEMO", "AMW_DEMO_DATA"),
    *("AMW_LANDING_DIR", "AMW_WAREHOUSE", "AMW_PUBLISH_DIR"),
    *("AMW_DUCKDB_MEMORY_LIMIT", "AMW_DUCKDB_TEMP_DIR"),
)


def salt_file(folder: Path, text: str, mode: int = 0o600) -> Path:
    path = folder / "salt"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_salt_comes_from_the_variable_or_the_first_line_of_the_file(tmp_path: Path) -> None:
    assert read_hash_salt({"AMW_HASH_SALT": "pepper"}) == "pepper"
    path = salt_file(tmp_path, "pepper\nignored\n")
    assert read_hash_salt({"AMW_HASH_SALT_FILE": str(path)}) == "pepper"
    # dbt has no salt of its own: the demo default is the `amw` command's.
    assert read_hash_salt({}) is None
    assert read_hash_salt({"AMW_HASH_SALT": ""}) is None


@pytest.mark.parametrize(
    ("mode", "text", "message"),
    [
        (0o644, "pepper\n", "can be read by others"),
        (0o640, "pepper\n", "can be read by others"),
        (0o600, "", "has no salt"),
        (0o600, "\npepper\n", "has no salt"),
    ],
)
def test_a_salt_file_others_can_read_or_without_a_salt_is_refused(
    tmp_path: Path, mode: int, text: str, message: str
) -> None:
    path = salt_file(tmp_path, text, mode)
    with pytest.raises(HashSaltError, match=message):
        read_hash_salt({"AMW_HASH_SALT_FILE": str(path)})


def test_a_missing_salt_file_or_two_salts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(HashSaltError, match="No such file"):
        read_hash_salt({"AMW_HASH_SALT_FILE": str(tmp_path / "absent")})
    path = salt_file(tmp_path, "pepper\n")
    with pytest.raises(HashSaltError, match="both set"):
        read_hash_salt({"AMW_HASH_SALT": "salt", "AMW_HASH_SALT_FILE": str(path)})


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No AMW_* variable set; relative paths from tmp_path."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize(
    ("variables", "warns"),
    [
        ({}, True),  # `amw run` on the user's data with no salt given
        ({"AMW_HASH_SALT": DEMO_HASH_SALT}, True),
        ({"AMW_DEMO": "1"}, False),  # `make ui`'s demo mode
        ({"AMW_DEMO_DATA": "1"}, False),  # `amw demo`, `make run`
        ({"AMW_HASH_SALT": "pepper"}, False),
        ({"AMW_HASH_SALT_FILE": "salt"}, False),
    ],
)
def test_runs_warn_while_the_demo_salt_hashes_data_other_than_the_demos(
    environ: pytest.MonkeyPatch, variables: dict[str, str], warns: bool
) -> None:
    for name, value in variables.items():
        environ.setenv(name, value)
    warning = Environment.from_env().hash_salt_warning()
    if warns:
        assert warning is not None and "demo salt" in warning and "AMW_HASH_SALT" in warning
    else:
        assert warning is None


def test_export_hands_dbt_the_demo_salt_or_the_absolute_path_of_the_file(
    environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    Environment.from_env().export()
    assert read_hash_salt() == DEMO_HASH_SALT
    environ.delenv("AMW_HASH_SALT")
    salt_file(tmp_path, "pepper\n")
    environ.setenv("AMW_HASH_SALT_FILE", "salt")
    Environment.from_env().export()
    assert read_hash_salt() == "pepper"
    environ.chdir("/")  # dbt runs from its project folder
    assert read_hash_salt() == "pepper"
