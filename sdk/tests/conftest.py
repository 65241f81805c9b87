import textwrap

import pytest

from siphon_sdk.http_testing import HttpTestHarness


@pytest.fixture
def harness():
    with HttpTestHarness() as h:
        yield h


@pytest.fixture
def load():
    """load(source, **harness_kwargs) → a harness with the dedented script loaded."""
    made = []

    def _load(source, filename="script.py", **kwargs):
        h = HttpTestHarness(**kwargs)
        made.append(h)
        h.load_source(textwrap.dedent(source), filename=filename)
        return h

    yield _load
    for h in made:
        h.close()
