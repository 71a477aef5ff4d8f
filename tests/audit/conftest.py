import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.audit import triggers
from clinical_ai.audit.services import record
from tests.audit import postgres


def patient_key(n: int) -> str:
    """A patient key as the app makes them (32 hex digits)."""
    return f"{n:032x}"


@pytest.fixture
def events(db):
    """Five chained events (ids 1-5), about patients ``patient_key(0)`` to ``patient_key(4)``."""
    return [record(action="read", object_type="document", object_id=f"doc-{n}", patient_key=patient_key(n),
                   details={"n": n}) for n in range(5)]


@pytest.fixture
def behind_the_apps_back(db):
    """Run raw SQL on the audit table with its triggers dropped, as an intruder would; then restore them."""

    def tamper(sql: str, params=()):
        triggers.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        triggers.install(connection)

    return tamper


@pytest.fixture
def officer(db):
    user = get_user_model().objects.create_user("officer", password="correct horse battery staple")
    Profile.objects.create(user=user, role="compliance")
    return user


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a PostgreSQL server started for these tests (Debian's binaries, which `make test` installs)."""
    if not postgres.available():
        pytest.fail("PostgreSQL binaries are not installed: run `make test`, or `apt-get install postgresql`")
    cluster = postgres.PostgresCluster(durable=False).start()
    yield cluster.url
    cluster.stop()
