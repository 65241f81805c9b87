from pathlib import Path

import pytest

from siphon_sdk.http_testing import HttpTestHarness

EXAMPLES = Path(__file__).resolve().parents[1]


@pytest.fixture
def script():
    """script(name, **harness_kwargs) → a harness with examples/<name>.py loaded."""
    made = []

    def _load(name, **kwargs):
        h = HttpTestHarness(**kwargs)
        made.append(h)
        h.load_script(EXAMPLES / f"{name}.py")
        return h

    yield _load
    for h in made:
        h.close()

