"""Helpers for tests that read pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(client, url, data=None):
    """GET `url` (it must answer 200): the number of queries it took and its HTML."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(queries), response.content.decode()
