"""Where readers find the published database and pages (AMW_PUBLISH_DIR)."""

from pathlib import Path

import dagster as dg


class Publication(dg.ConfigurableResource):
    """The published folder: a symlink swapped atomically to each new version."""

    path: str

    @property
    def dir(self) -> Path:
        return Path(self.path)

    def build_dir(self, week_label: str) -> Path:
        """Pages rendered but not yet published live beside the published folder."""
        return self.dir.parent / ".scorecard-build" / week_label


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"publication": Publication(path=dg.EnvVar("AMW_PUBLISH_DIR"))})
