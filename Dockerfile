# sohoa: one image for the watcher, the workers, the web desk and `sohoa db upgrade`.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd \
      poppler-utils qpdf fonts-liberation2 fonts-dejavu-core openssl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 sohoa
WORKDIR /opt/sohoa
COPY pyproject.toml README.md alembic.ini ./
COPY schemas schemas
COPY storage storage
COPY pipeline pipeline
COPY workers workers
COPY samplegen samplegen
RUN pip install --no-cache-dir . \
 && mkdir -p /srv/sohoa/keys && chown -R sohoa /srv/sohoa

USER sohoa
ENV SOHOA_DATA=/srv/sohoa OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1
ENTRYPOINT ["sohoa"]
CMD ["--help"]
