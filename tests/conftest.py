import pytest

from tests.stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The running appliance (Redis, workers, beat, web), started once for the tests that need it."""
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
