"""Levers: cooperation."""

from __future__ import annotations
