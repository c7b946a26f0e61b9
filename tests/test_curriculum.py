"""The shipped curriculum in courses/: complete, importable, every question explained."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from lms.audiences import AUDIENCES
from lms.courses.schema import read_folder
from lms.quiz.gift import check_file, parse_gift
from lms.quiz.registry import default_registry
from tests.conftest import REPO

COURSES = REPO / "courses"
FOLDER, PROBLEMS = read_folder(COURSES)
BY_SLUG = {c.slug: c for c in FOLDER.courses}


def words(markdown: str) -> int:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return len(re.findall(r"\w+", text))


def test_folder_reads_without_problems() -> None:
    assert PROBLEMS == []


def test_at_least_ten_courses_with_four_to_eight_lessons() -> None:
    assert len(FOLDER.courses) >= 10
    for course in FOLDER.courses:
        assert 4 <= len(course.lessons) <= 8, course.slug
        assert course.title.get("vi") and course.title.get("en"), course.slug
        assert course.summary.get("vi") and course.summary.get("en"), course.slug


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_every_lesson_has_a_title_and_150_words(slug: str) -> None:
    for lesson in BY_SLUG[slug].lessons:
        for locale, body in lesson.body.items():
            assert lesson.title.get(locale), (slug, lesson.slug, locale)
            assert words(body) >= 150, (slug, lesson.slug, locale, words(body))


def test_at_least_two_whole_courses_in_english() -> None:
    english = [c.slug for c in FOLDER.courses if all("en" in lesson.body for lesson in c.lessons)]
    assert len(english) >= 2, english


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_bank_has_20_questions_four_types_and_feedback_everywhere(slug: str) -> None:
    course = BY_SLUG[slug]
    assert course.gift, f"{slug} has no quiz.gift"
    questions = parse_gift(course.gift, f"{slug}/quiz.gift", default_registry())
    gradable = [q for q in questions if q.qtype != "description"]
    assert len(gradable) >= 20
    assert len(Counter(q.qtype for q in gradable)) >= 4
    for question in gradable:
        assert question.config.get("general_feedback", "").strip(), (slug, question.title)


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_bank_passes_quiz_check(slug: str) -> None:
    counts, problems = check_file(COURSES / slug / "quiz.gift", default_registry())
    assert [p for p in problems if getattr(p, "severity", "error") == "error"] == []
    assert sum(counts.values()) >= 20


def test_paths_cover_every_audience_with_three_to_five_existing_courses() -> None:
    paths = yaml.safe_load((COURSES / "paths.yaml").read_text(encoding="utf-8"))
    assert set(paths) == set(AUDIENCES)
    for audience, slugs in paths.items():
        assert 3 <= len(slugs) <= 5, audience
        for slug in slugs:
            assert slug in BY_SLUG, (audience, slug)
            assert audience in BY_SLUG[slug].audiences, (audience, slug)


def test_no_link_points_to_a_missing_file() -> None:
    for course in FOLDER.courses:
        for path in (COURSES / course.slug / "lessons").glob("*.md"):
            for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
                if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                    continue
                assert (path.parent / target).resolve().is_file(), (path, target)


def test_svg_illustrations_are_small_and_inert() -> None:
    svgs = list(COURSES.glob("*/images/*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert len(text.encode()) < 10_000, svg
        assert "<script" not in text and "href=\"http" not in text and "onload" not in text, svg


def test_whole_folder_imports(app) -> None:
    from lms.courses.loader import import_courses

    with app.app_context():
        report = import_courses(COURSES, app.extensions["lms"].question_types)
    assert len(report.created) == len(FOLDER.courses)
    assert report.questions >= 20 * len(FOLDER.courses)
