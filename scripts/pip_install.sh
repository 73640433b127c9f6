#!/bin/sh
# pip_install.sh VENV UV ARGS...: `pip install ARGS` into the venv VENV, with the uv binary UV
# (`uv pip install`: the same packages as pip, resolved and installed in parallel, from uv's
# cache) when make's uv target installed it, else with the venv's own pip.
set -e
venv=$1
uv=$2
shift 2
if [ -x "$uv" ]; then
    exec "$uv" pip install --quiet --python "$venv/bin/python" "$@"
fi
echo "$venv: installing with pip (uv is not installed: see make uv)"
exec "$venv/bin/pip" install --quiet "$@"
