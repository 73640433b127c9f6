# source-lexful and destination-lexful as Airbyte connector images: one Dockerfile, a stage
# each (docker build --target source-lexful / --target destination-lexful). The base is a
# build argument: the official python:3.12-slim by default; any Debian-like image with
# python3 and its venv module will do (scripts/docker_setup.sh builds one from Debian's
# packages where no registry is reachable).
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS connectors
WORKDIR /build
COPY . .
# One venv holds both adapters and the Singer tap and target they run (found next to its
# interpreter). airbyte-cdk's `backoff` and singer-sdk's `python-backoff` install the same
# package: python-backoff goes back last, as in the Makefile's install.
RUN python3 -m venv /opt/lexful \
    && /opt/lexful/bin/pip install --no-cache-dir --disable-pip-version-check --quiet '.[airbyte]' \
    && /opt/lexful/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
       --force-reinstall --no-deps "python-backoff==$(/opt/lexful/bin/python -c \
       'import importlib.metadata as m; print(m.version("python-backoff"))')" \
    && cd / && rm -rf /build
ENV PATH=/opt/lexful/bin:$PATH PYTHONUNBUFFERED=1
WORKDIR /airbyte/integration_code

FROM connectors AS destination-lexful
ENV AIRBYTE_ENTRYPOINT="destination-lexful"
ENTRYPOINT ["destination-lexful"]
LABEL io.airbyte.name=lexful/destination-lexful io.airbyte.version=0.1.0

# The last stage: a plain `docker build .` gives the source.
FROM connectors AS source-lexful
ENV AIRBYTE_ENTRYPOINT="source-lexful"
ENTRYPOINT ["source-lexful"]
LABEL io.airbyte.name=lexful/source-lexful io.airbyte.version=0.1.0
