"""What the hosting platform runs: the Procfile and the gunicorn settings."""

import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_settings(**env):
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_procfile_migrates_on_release_and_serves_with_the_gunicorn_config():
    processes = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)

    assert processes["release"] == "python manage.py migrate --noinput"
    assert processes["web"] == "gunicorn project.wsgi --config gunicorn.conf.py"


def test_gunicorn_takes_workers_threads_and_port_from_the_environment():
    config = gunicorn_settings(WEB_CONCURRENCY="3", GUNICORN_THREADS="6", PORT="5000")

    assert (config["workers"], config["threads"], config["bind"]) == (3, 6, "0.0.0.0:5000")
    assert config["worker_class"] == "gthread"
    assert config["timeout"] < 30  # stops a stuck request before Heroku's router does


def test_gunicorn_accepts_the_config_and_loads_the_app():
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "project.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config", "project.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
