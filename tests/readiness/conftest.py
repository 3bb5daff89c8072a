import pytest


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Photos and documents uploaded by a test land in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
