"""What a learner sees after submitting, limited by the quiz's review options."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.i18n import _
from lms.quiz.models import Answer, Attempt
from lms.quiz.presenting import render_text
from lms.quiz.registry import QuestionTypeRegistry


def describe_response(presented: dict, response: object) -> str:
    """The learner's own answer in words (choice texts rather than ids; never a bare ✓ or ✗)."""
    if response is None or response == "" or response == [] or response == {}:
        return ""
    choices = {c["id"]: c["text"] for c in presented.get("choices", [])}
    if isinstance(response, bool):
        # the same words as the buttons the learner pressed ("Đúng" / "Sai")
        return choices.get("true" if response else "false") or (_("True") if response else _("False"))
    if isinstance(response, list):
        return "; ".join(choices.get(r, str(r)) for r in response)
    if isinstance(response, dict):
        left = {c["id"]: c["text"] for c in presented.get("left", [])}
        right = {c["id"]: c["text"] for c in presented.get("right", [])}
        return "; ".join(f"{left.get(k, k)} → {right.get(v, v)}" for k, v in response.items())
    if isinstance(response, str) and response in choices:
        return choices[response]
    return str(response)


def response_label(presented: dict) -> str:
    """How the review line starts: "You chose", "You wrote" or "You matched", by the widget."""
    widget = presented.get("widget")
    if widget in ("radio", "checkbox", "truefalse") or (widget == "blank" and presented.get("choices")):
        return _("You chose")
    if widget == "matching":
        return _("You matched")
    return _("You wrote")


def shows_right_answers(options: set[str], attempts_left: int | None) -> bool:
    """``right_answers`` always; ``right_answers_at_end`` once no other attempt may be started."""
    return "right_answers" in options or ("right_answers_at_end" in options and attempts_left == 0)


def review_items(attempt: Attempt, registry: QuestionTypeRegistry, attempts_left: int | None = None) -> list[dict]:
    """The review of a finished attempt; ``attempts_left`` is how many more the learner may start."""
    options = set(attempt.snapshot["settings"].get("review") or [])
    right_answers = shows_right_answers(options, attempts_left)
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
            "response_label": response_label(presented),
            "fraction": None, "right_answer": None, "feedback": None, "general_feedback": None,
        }
        if item["qtype"] != "description":
            if "correctness" in options and answer is not None:
                entry["fraction"] = answer.fraction
            if right_answers:
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
