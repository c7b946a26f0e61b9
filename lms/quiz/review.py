"""What a learner sees after submitting, limited by the quiz's review options."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.quiz.models import Answer, Attempt
from lms.quiz.presenting import render_text
from lms.quiz.registry import QuestionTypeRegistry


def describe_response(presented: dict, response: object) -> str:
    """The learner's own answer in words (choice texts rather than ids)."""
    if response is None:
        return ""
    choices = {c["id"]: c["text"] for c in presented.get("choices", [])}
    if isinstance(response, bool):
        return "✓" if response else "✗"
    if isinstance(response, list):
        return "; ".join(choices.get(r, str(r)) for r in response)
    if isinstance(response, dict):
        left = {c["id"]: c["text"] for c in presented.get("left", [])}
        right = {c["id"]: c["text"] for c in presented.get("right", [])}
        return "; ".join(f"{left.get(k, k)} → {right.get(v, v)}" for k, v in response.items())
    if isinstance(response, str) and response in choices:
        return choices[response]
    return str(response)


def review_items(attempt: Attempt, registry: QuestionTypeRegistry) -> list[dict]:
    options = set(attempt.snapshot["settings"].get("review") or [])
    answers = {a.position: a for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))}
    items = []
    for item in attempt.snapshot["questions"]:
        qtype = registry.get(item["qtype"])
        presented = qtype.present(item["config"], item["order"])
        answer = answers.get(item["position"])
        entry = {
            "position": item["position"], "qtype": item["qtype"],
            "text": render_text(presented.get("text", ""), presented.get("format", "moodle")),
            "response": describe_response(presented, answer.response if answer else None),
            "fraction": None, "right_answer": None, "feedback": None, "general_feedback": None,
        }
        if item["qtype"] != "description":
            if "correctness" in options and answer is not None:
                entry["fraction"] = answer.fraction
            if "right_answers" in options:
                entry["right_answer"] = qtype.describe_key(item["config"]) or None
            if "feedback" in options:
                entry["feedback"] = answer.feedback if answer else None
                general = item["config"].get("general_feedback")
                if general:
                    entry["general_feedback"] = render_text(
                        general, item["config"].get("general_feedback_format", "moodle")
                    )
        items.append(entry)
    return items
