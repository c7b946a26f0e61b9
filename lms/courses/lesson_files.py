"""Lesson files, their images and their links, read from one course folder."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from lms.courses.sources import CourseSource, LessonSource, ProblemList
from lms.i18n import _

LESSON_RE = re.compile(r"^(?P<num>\d{2})-(?P<name>[a-z0-9][a-z0-9-]*)(?P<en>\.en)?\.md$")
ASSET_SUFFIXES = {".svg"}
MAX_ASSET_BYTES = 200_000
#: recorded lessons, ``lessons/NN-name.ogg`` or ``.mp3`` beside the lesson's .md
AUDIO_TYPES = {".ogg": "audio/ogg", ".mp3": "audio/mpeg"}
MAX_AUDIO_BYTES = 3_000_000
#: audio is kept base64-encoded in the course's text files table (no schema change for a few MB)
AUDIO_PREFIX = "base64:"


def read_lessons(folder: Path, course: CourseSource, problems: ProblemList) -> None:
    lesson_dir = folder / "lessons"
    if not lesson_dir.is_dir():
        problems.add(folder / "course.yaml", 1, _("The course has no lessons/ folder."))
        return
    by_slug: dict[str, LessonSource] = {}
    twins: list[tuple[str, Path]] = []
    for path in sorted(lesson_dir.iterdir()):
        if path.is_dir() or path.suffix != ".md":
            continue
        match = LESSON_RE.match(path.name)
        if not match:
            problems.add(path, 1, _("Lesson files must be named NN-name.md (e.g. 01-bat-may.md)."))
            continue
        slug = f"{match['num']}-{match['name']}"
        if match["en"]:
            twins.append((slug, path))
            continue
        title, body = read_lesson_file(path, problems)
        by_slug[slug] = LessonSource(slug, int(match["num"]), {"vi": title}, {"vi": body})
    for slug, path in twins:
        if slug not in by_slug:
            problems.add(path, 1, _("English lesson without its Vietnamese lesson %(name)s.md.", name=slug))
            continue
        title, body = read_lesson_file(path, problems)
        by_slug[slug].title["en"] = title
        by_slug[slug].body["en"] = body
    if not by_slug and lesson_dir.is_dir():
        problems.add(lesson_dir, 1, _("The lessons/ folder has no lesson."))
    course.lessons = sorted(by_slug.values(), key=lambda lesson: (lesson.position, lesson.slug))


def read_lesson_file(path: Path, problems: ProblemList) -> tuple[str, str]:
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        problems.add(path, 1, _("The file is not UTF-8 text."))
        return path.stem, ""
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.startswith("# ") and line[2:].strip():
            return line[2:].strip(), "\n".join(lines[number:]).strip() + "\n"
        problems.add(path, number, _("A lesson must start with its title: a line “# Title”."))
        return path.stem, text
    problems.add(path, 1, _("The lesson is empty."))
    return path.stem, ""


def read_audio(folder: Path, course: CourseSource, problems: ProblemList) -> None:
    """A recording per lesson: ``lessons/NN-name.ogg`` / ``.mp3`` for the lesson ``NN-name.md``."""
    slugs = {lesson.slug for lesson in course.lessons}
    lesson_dir = folder / "lessons"
    for path in sorted(lesson_dir.iterdir()) if lesson_dir.is_dir() else []:
        if path.suffix.lower() not in AUDIO_TYPES:
            continue
        if path.stem not in slugs:
            problems.add(path, 1, _("A recording must be named like its lesson: NN-name.ogg or NN-name.mp3."))
            continue
        data = path.read_bytes()
        if len(data) > MAX_AUDIO_BYTES:
            problems.add(path, 1, _("The recording is larger than 3 MB."))
            continue
        course.assets[f"lessons/{path.stem}{path.suffix.lower()}"] = AUDIO_PREFIX + base64.b64encode(data).decode()


def audio_bytes(content: str) -> bytes:
    """The recording kept by :func:`read_audio`."""
    return base64.b64decode(content.removeprefix(AUDIO_PREFIX))


def read_assets(folder: Path, course: CourseSource, problems: ProblemList) -> None:
    read_audio(folder, course, problems)
    image_dir = folder / "images"
    if not image_dir.is_dir():
        return
    for path in sorted(image_dir.iterdir()):
        if path.suffix.lower() not in ASSET_SUFFIXES:
            problems.add(path, 1, _("Only SVG images are supported in images/."))
            continue
        data = path.read_bytes()
        if len(data) > MAX_ASSET_BYTES:
            problems.add(path, 1, _("The image is larger than 200 KB."))
            continue
        course.assets[f"images/{path.name}"] = data.decode("utf-8", errors="replace")


LINK_RE = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def check_links(folder: Path, course: CourseSource, problems: ProblemList) -> None:
    """Relative links in lessons must point to a file of the course (lessons or images)."""
    for lesson in course.lessons:
        for locale in lesson.body:
            suffix = ".en.md" if locale == "en" else ".md"
            path = folder / "lessons" / (lesson.slug + suffix)
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                for target in LINK_RE.findall(line):
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
                        continue
                    resolved = (folder / "lessons" / target.split("#")[0]).resolve()
                    if not resolved.is_file() or folder.resolve() not in resolved.parents:
                        problems.add(path, number, _("The link “%(target)s” points to a missing file.",
                                                     target=target))
