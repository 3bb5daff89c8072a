# VaxFleet app server image. Build: docker build -t vaxfleet .
# Not runnable on the development machines here (no Docker engine); kept in
# step with the Procfile, which is the tested path.
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic needs settings to load, not real secrets: a throwaway key
# valid only for this build step.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --no-create-home vaxfleet

USER vaxfleet
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz/', timeout=4).status == 200 else 1)"

CMD ["gunicorn", "project.wsgi", "--config", "gunicorn.conf.py"]
