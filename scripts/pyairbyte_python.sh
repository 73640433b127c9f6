#!/bin/sh
# Prints a Python that PyAirbyte (make pyairbyte) supports: 3.10 to 3.12 (airbyte 0.71.3
# requires Python < 3.13). $PYAIRBYTE_BASE_PYTHON if set; else the Python given as $1 (make's
# $(PYTHON)) if it is one of those; else the newest of python3.12, python3.11, python3.10 on
# PATH; else the newest of those pyenv has installed. Fails naming what it looked for.
supported() {
    "$1" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] < (3, 13))' 2>/dev/null
}
if [ -n "${PYAIRBYTE_BASE_PYTHON:-}" ]; then
    supported "$PYAIRBYTE_BASE_PYTHON" && { echo "$PYAIRBYTE_BASE_PYTHON"; exit 0; }
    echo "PYAIRBYTE_BASE_PYTHON=$PYAIRBYTE_BASE_PYTHON is not a Python 3.10 to 3.12" >&2
    exit 1
fi
for candidate in "${1:-python3}" python3.12 python3.11 python3.10; do
    if supported "$candidate"; then echo "$candidate"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
    for minor in 12 11 10; do
        version=$(pyenv versions --bare 2>/dev/null | grep -E "^3\.$minor\.[0-9]+$" | sort -t. -k3 -n | tail -1)
        [ -n "$version" ] || continue
        candidate="$(pyenv prefix "$version")/bin/python3"
        if supported "$candidate"; then echo "$candidate"; exit 0; fi
    done
fi
echo "PyAirbyte 0.71.3 needs Python 3.10 to 3.12 and none was found (${1:-python3}, python3.12," \
    "python3.11, python3.10, pyenv): install one, or set PYAIRBYTE_BASE_PYTHON" >&2
exit 1
