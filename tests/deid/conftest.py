import pytest

from deid import DeidEngine

TEST_KEY = bytes(range(32))


@pytest.fixture(scope="session")
def engine() -> DeidEngine:
    """One engine (spaCy load) for the whole session; tests must not mutate it."""
    return DeidEngine(key=TEST_KEY)
