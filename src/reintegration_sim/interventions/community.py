"""Levers: community."""

from __future__ import annotations
