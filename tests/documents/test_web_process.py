"""The web process does not load torch or transformers (nor spaCy, which imports torch): inference imports live
in the inference worker."""
import json
import subprocess
import sys

from tests.stack import REPO

PROBE = """
import json, sys
from clinical_ai.wsgi import application
from django.urls import get_resolver
import clinical_ai.urls
get_resolver().url_patterns  # every app's views imported, as the first request does
from django.template import engines
engines.all()  # every template tag library imported, as the first page rendered does
print(json.dumps({name: name in sys.modules for name in ("torch", "transformers", "clinical_ai.documents.views")}))
"""


def test_importing_the_web_app_and_all_its_urls_loads_no_torch_or_transformers(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "clinical_ai.settings", "CLINICAL_AI_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    probe = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=300)

    assert probe.returncode == 0, probe.stderr[-2000:]
    loaded = json.loads(probe.stdout.strip().splitlines()[-1])
    assert loaded == {"torch": False, "transformers": False, "clinical_ai.documents.views": True}
