"""Kafka topics: one per publishing service, plus a dead-letter topic each."""

from __future__ import annotations

__all__ = ["ACCEPTANCE", "COMPLAINTS", "PROJECTS", "PROPERTY", "TOPICS", "dead_letter_topic"]

PROJECTS = "projects.events"
ACCEPTANCE = "acceptance.events"
COMPLAINTS = "complaints.events"
PROPERTY = "property.events"
TOPICS = (PROJECTS, ACCEPTANCE, COMPLAINTS, PROPERTY)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"
