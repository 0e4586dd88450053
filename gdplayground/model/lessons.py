"""Ready lessons: session files under ``resources/lessons/``, and a teacher's own folders.

A lesson is an ordinary ``.gdp.json`` session with a ``lesson`` (title and a
few words to say).  Opened and edited it is an ordinary session: Save As
keeps the teacher's version, and a folder of such files can join the menu.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from gdplayground.model.limits import MAX_LESSONS_PER_FOLDER, SUFFIX
from gdplayground.model.session import Session, SessionError

_NUMBERED = re.compile(r"^(\d+)[-_ ]")


@dataclass(frozen=True)
class LessonInfo:
    """One lesson on offer: its key (the file name without ``.gdp.json``), its
    title, and where it is."""

    key: str
    title: str
    path: Path
    builtin: bool


def builtin_folder() -> Path:
    """The folder of the lessons that come with the playground."""
    return Path(str(resources.files("gdplayground.resources").joinpath("lessons")))


def _files(folder: Path) -> list[Path]:
    try:
        found = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
    except OSError:
        return []
    return found[:MAX_LESSONS_PER_FOLDER]


def list_lessons(folders: Iterable[str | Path] = ()) -> list[LessonInfo]:
    """The built-in lessons in order, then those in ``folders`` (a teacher's own).

    Only the titles are read here (a menu is filled at start-up: parsing every
    lesson's function would delay the window); a file that is not a session
    file at all is left out, and opening a lesson checks it whole.
    """
    lessons: list[LessonInfo] = []
    for folder, builtin in [(builtin_folder(), True), *((Path(f), False) for f in folders)]:
        for path in _files(folder):
            title = _title(path)
            if title is not None:
                lessons.append(LessonInfo(path.name[: -len(SUFFIX)], title, path, builtin))
    return lessons


def _title(path: Path) -> str | None:
    """A session file's lesson title (its name when it has none); None if it is no
    session file."""
    import json

    from gdplayground.io.files import InputError, read_regular_file
    from gdplayground.model.limits import FORMAT_NAME, MAX_FILE_BYTES, MAX_LESSON_TITLE

    try:
        data = json.loads(read_regular_file(path, MAX_FILE_BYTES, "lesson").decode("utf-8"))
    except (InputError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        return None
    lesson = data.get("lesson")
    title = lesson.get("title") if isinstance(lesson, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()[:MAX_LESSON_TITLE]
    return path.name[: -len(SUFFIX)]


def find_lesson(name: str, folders: Iterable[str | Path] = ()) -> LessonInfo:
    """The lesson ``name`` names: its key (``02-learning-rate``), its number (``2``),
    the key without its number (``learning-rate``) or its title, in any case.

    Raises SessionError listing the lessons there are.
    """
    wanted = name.strip().lower()
    lessons = list_lessons(folders)
    for lesson in lessons:
        key = lesson.key.lower()
        number = _NUMBERED.match(key)
        names = {key, lesson.title.lower()}
        if number:
            names |= {number.group(1), str(int(number.group(1))), key[number.end() :]}
        if wanted in names:
            return lesson
    keys = ", ".join(lesson.key for lesson in lessons)
    raise SessionError(f"no lesson {name!r}: choose one of {keys} (`gdplayground lessons`)")


def load_lesson(lesson: LessonInfo) -> Session:
    """The lesson's session (checked like any session file)."""
    from gdplayground.model.session_file import load_session

    return load_session(lesson.path)
