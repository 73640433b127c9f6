"""Lexful entry point."""

from __future__ import annotations

from tap_lexful.tap import TapLexful

TapLexful.cli()
