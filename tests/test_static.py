import pytest


@pytest.mark.parametrize("path", ["/static/clinical_ai.css", "/static/documents/live.js"])
def test_the_ui_assets_are_served_without_a_collectstatic_step(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert b"".join(response.streaming_content)
