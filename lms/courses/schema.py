"""Read and validate a course folder into plain data; nothing here touches the database.

Every problem becomes an ``ImportProblem`` naming the file, the line and what is wrong, in the
user's language, so ``lms courses import`` can refuse the whole folder at once.
"""

from __future__ import annotations

import re
from pathlib import Path

from lms.audiences import AUDIENCES
from lms.courses.lesson_files import check_links, read_assets, read_lessons
from lms.courses.sources import CourseFolder, CourseSource, ImportProblem, ProblemList
from lms.i18n import _

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
COURSE_KEYS = {"title", "summary", "audiences", "quiz", "certificate"}
GRADING_METHODS = ("highest", "last", "first", "average")
#: "right_answers" shows the right answers after every attempt; "right_answers_at_end" only once the
#: learner can start no other attempt (the default: a quiz cannot be passed by copying a review)
REVIEW_OPTIONS = ("score", "correctness", "right_answers", "right_answers_at_end", "feedback")
QUIZ_KEYS = {
    "questions": int, "pass_percent": (int, float), "time_limit_minutes": int, "max_attempts": int,
    "shuffle_answers": bool, "grading_method": str, "review": list, "draw_by_category": bool,
}
QUIZ_DEFAULTS = {
    "questions": None, "pass_percent": 80, "time_limit_minutes": None, "max_attempts": None,
    "shuffle_answers": True, "grading_method": "highest",
    "review": ["score", "correctness", "right_answers_at_end", "feedback"], "draw_by_category": False,
}


def _key_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each top-level and ``quiz.*`` key, for error messages."""
    import yaml  # PyYAML loads on the first course import (the CLI), not in every web worker

    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        lines[str(key.value)] = key.start_mark.line + 1
        if isinstance(value, yaml.MappingNode):
            for sub_key, _sub in value.value:
                lines[f"{key.value}.{sub_key.value}"] = sub_key.start_mark.line + 1
    return lines


def load_yaml(path: Path, problems: ProblemList) -> tuple[object, dict[str, int]] | None:
    import yaml  # PyYAML loads on the first course import (the CLI), not in every web worker

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(path, 1, _("The file is not UTF-8 text."))
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.add(path, line, _("Invalid YAML: %(reason)s", reason=getattr(error, "problem", str(error))))
        return None
    return data, _key_lines(text)


def _localized(value: object, path: Path, line: int, key: str, problems: ProblemList, required: bool) -> dict:
    if value is None and not required:
        return {}
    if isinstance(value, str) and value.strip():
        return {"vi": value.strip()}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.add(path, line, _("“%(key)s” must be a mapping like {vi: \"...\", en: \"...\"}.", key=key))
        return {}
    unknown = set(value) - {"vi", "en"}
    if unknown:
        problems.add(path, line, _("“%(key)s” has unknown languages: %(langs)s (use vi and en).",
                                   key=key, langs=", ".join(sorted(map(str, unknown)))))
    if required and not str(value.get("vi") or "").strip():
        problems.add(path, line, _("“%(key)s” needs a Vietnamese text (vi).", key=key))
    return {k: v.strip() for k, v in value.items() if k in ("vi", "en") and v and v.strip()}


def _quiz(value: object, path: Path, lines: dict[str, int], problems: ProblemList) -> dict:
    settings = dict(QUIZ_DEFAULTS)
    if value is None:
        return settings
    if not isinstance(value, dict):
        problems.add(path, lines.get("quiz", 1), _("“quiz” must be a mapping of settings."))
        return settings
    for key, raw in value.items():
        line = lines.get(f"quiz.{key}", lines.get("quiz", 1))
        expected = QUIZ_KEYS.get(key)
        if expected is None:
            problems.add(path, line, _("Unknown quiz setting “%(key)s”.", key=key))
            continue
        if raw is None and key in ("questions", "time_limit_minutes", "max_attempts"):
            continue
        if isinstance(raw, bool) and expected is not bool or not isinstance(raw, expected):
            problems.add(path, line, _("Quiz setting “%(key)s” has the wrong type.", key=key))
            continue
        if key in ("questions", "time_limit_minutes", "max_attempts") and raw < 1:
            problems.add(path, line, _("Quiz setting “%(key)s” must be at least 1.", key=key))
            continue
        if key == "pass_percent" and not 0 <= raw <= 100:
            problems.add(path, line, _("“pass_percent” must be between 0 and 100."))
            continue
        if key == "grading_method" and raw not in GRADING_METHODS:
            problems.add(path, line, _("“grading_method” must be one of: %(options)s.",
                                       options=", ".join(GRADING_METHODS)))
            continue
        if key == "review" and not all(item in REVIEW_OPTIONS for item in raw):
            problems.add(path, line, _("“review” may only list: %(options)s.", options=", ".join(REVIEW_OPTIONS)))
            continue
        settings[key] = raw
    return settings


def read_course(folder: Path, problems: ProblemList) -> CourseSource | None:
    slug = folder.name
    manifest = folder / "course.yaml"
    if not SLUG_RE.match(slug):
        problems.add(folder, 1, _("Course folder names may only use a-z, 0-9 and “-”."))
        return None
    if not manifest.is_file():
        problems.add(manifest, 1, _("The course folder has no course.yaml."))
        return None
    loaded = load_yaml(manifest, problems)
    if loaded is None:
        return None
    data, lines = loaded
    if not isinstance(data, dict):
        problems.add(manifest, 1, _("course.yaml must be a mapping of keys."))
        return None
    for key in data:
        if key not in COURSE_KEYS:
            problems.add(manifest, lines.get(str(key), 1), _("Unknown key “%(key)s”.", key=key))
    if "title" not in data:
        problems.add(manifest, 1, _("“title” is required."))
    title = _localized(data.get("title"), manifest, lines.get("title", 1), "title", problems, True)
    summary = _localized(data.get("summary"), manifest, lines.get("summary", 1), "summary", problems, False)
    audiences = data.get("audiences")
    line = lines.get("audiences", 1)
    if not isinstance(audiences, list) or not audiences:
        problems.add(manifest, line, _("“audiences” must list one or more of: %(options)s.",
                                       options=", ".join(AUDIENCES)))
        audiences = []
    for audience in audiences:
        if audience not in AUDIENCES:
            problems.add(manifest, line, _("Unknown audience “%(audience)s” (use %(options)s).",
                                           audience=audience, options=", ".join(AUDIENCES)))
    certificate = data.get("certificate", True)
    if not isinstance(certificate, bool):
        problems.add(manifest, lines.get("certificate", 1), _("“certificate” must be true or false."))
        certificate = True
    course = CourseSource(
        slug=slug, title=title, summary=summary,
        audiences=[a for a in audiences if a in AUDIENCES],
        quiz=_quiz(data.get("quiz"), manifest, lines, problems), certificate=certificate, folder=folder,
    )
    read_lessons(folder, course, problems)
    read_assets(folder, course, problems)
    check_links(folder, course, problems)
    gift = folder / "quiz.gift"
    if gift.is_file():
        course.gift = gift.read_bytes().decode("utf-8", errors="strict") if _is_utf8(gift) else None
        if course.gift is None:
            problems.add(gift, 1, _("The file is not UTF-8 text."))
    return course


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_paths(path: Path, slugs: set[str], problems: ProblemList) -> dict[str, list[str]]:
    if not path.is_file():
        return {}
    loaded = load_yaml(path, problems)
    if loaded is None:
        return {}
    data, lines = loaded
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(path, 1, _("paths.yaml must map each audience to a list of course folders."))
        return {}
    paths: dict[str, list[str]] = {}
    for audience, steps in data.items():
        line = lines.get(str(audience), 1)
        if audience not in AUDIENCES:
            problems.add(path, line, _("Unknown audience “%(audience)s” (use %(options)s).",
                                       audience=audience, options=", ".join(AUDIENCES)))
            continue
        if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
            problems.add(path, line, _("The path of “%(audience)s” must be a list of course folders.",
                                       audience=audience))
            continue
        for slug in steps:
            if slug not in slugs:
                problems.add(path, line, _("The path of “%(audience)s” names “%(slug)s”, which is not a course.",
                                           audience=audience, slug=slug))
        if len(set(steps)) != len(steps):
            problems.add(path, line, _("The path of “%(audience)s” lists a course twice.", audience=audience))
        paths[audience] = steps
    return paths


def read_folder(root: Path) -> tuple[CourseFolder, list[ImportProblem]]:
    """Read every course under ``root`` and its paths.yaml; return the data and all problems."""
    problems = ProblemList()
    if not root.is_dir():
        problems.add(root, 0, _("The folder does not exist."))
        return CourseFolder([], {}), problems
    courses = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        course = read_course(folder, problems)
        if course is not None:
            courses.append(course)
    paths = read_paths(root / "paths.yaml", {c.slug for c in courses}, problems)
    return CourseFolder(courses, paths), list(problems)
