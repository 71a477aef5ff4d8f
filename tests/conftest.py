import pytest
from django.db import connection

from clinical_ai.audit import triggers
from tests.stack import Stack


@pytest.fixture
def committed_db(transactional_db):
    """Real commits, for code that talks to the database from its own threads; afterwards the
    append-only audit triggers are lifted so the test database can be flushed (the audit app
    puts them back on the flush's post_migrate signal)."""
    yield
    triggers.remove(connection)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The running appliance (Redis, workers, beat, web), started once for the tests that need it."""
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
