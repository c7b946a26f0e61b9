"""Events and questions between domains (blinker, which Flask depends on).

A lower package never imports a higher one: it sends a signal here, and the higher package
listens. Every signal is sent with the current Flask app as sender (services always run in an
app context); receivers connect without a sender, so they hear every app in the process.
The modules that connect receivers are imported by :mod:`lms.extension`, so a receiver is
connected as soon as any app has the LMS.

Events say something happened; the sender does not care who listens. Questions
(:func:`anyone_agrees`, :func:`gather`) collect the receivers' answers.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal
from flask import current_app

_signals = Namespace()

course_passed: Signal = _signals.signal("lms.course-passed", doc="""\
A learner passed a course for the first time.

Sender: :mod:`lms.courses.results`, the one writer of course results (a graded quiz attempt,
or the last lesson of a course without a quiz). Sent inside the transaction that records the
pass, after a flush; the caller commits (or rolls back, taking the receivers' work with it).
Arguments: ``user_id: int``, ``course: Course``.
Receivers: :mod:`lms.certificates.listeners` issues the course certificate and, when the
learner's path is complete, the path certificate, in the same transaction.""")

lesson_completed: Signal = _signals.signal("lms.lesson-completed", doc="""\
A learner marked a lesson done for the first time.

Sender: :func:`lms.courses.services.mark_lesson_done`, inside its transaction after a flush,
before its commit. Arguments: ``user_id: int``, ``lesson: Lesson``.
Receivers: :mod:`lms.quiz.completion` passes a course that has no quiz once every lesson is done.""")

certificate_revoked: Signal = _signals.signal("lms.certificate-revoked", doc="""\
A certificate's status changed (revoked; or restored by hand through the ORM).

Sender: :mod:`lms.certificates.status`, after the transaction that changed it has committed
(a rolled-back change sends nothing); at once when the object was changed outside a session.
Arguments: ``code: str``, ``status: str`` (the new status). Receivers must not raise: the
change is already committed. Receivers: :mod:`lms.certificates.pdfcache` deletes the kept PDF and
credential; :mod:`lms.certificates.sharing` the kept share cards;
:mod:`lms.certificates.recordcache` tells every process to forget what it cached.""")

can_see_learner: Signal = _signals.signal("lms.can-see-learner", doc="""\
Question: may this user see this learner's records (certificates, PDFs)?

Sender: :func:`lms.certificates.records.can_download` and anyone else asking, outside any
write. Arguments: ``viewer: User``, ``learner_id: int``, ``course_id: int | None`` (the course
of the course certificate asked about; None for the path certificate or a question about the
learner as a whole). Each receiver answers True (yes), or False/None (not from me); one yes is
enough. Receivers: :mod:`lms.classes.listeners` says yes for a teacher of a class the learner
is enrolled in (for a course certificate: a class that has that course).""")

manages_learner: Signal = _signals.signal("lms.manages-learner", doc="""\
Question: does this user look after this learner, so may give them a new one-time password?

Sender: :func:`lms.accounts.recovery.may_give_password`, outside any write, for a learner
without a staff role (officials and admins are answered by the accounts package itself, from
the unit tree). Arguments: ``helper: User``, ``learner_id: int``. One True is enough.
Receivers: :mod:`lms.classes.listeners` says yes for the teacher of a class the learner is a
member of (enrolled, not removed).""")

after_sign_in: Signal = _signals.signal("lms.after-sign-in", doc="""\
Question: a person has just signed in; is there a page they should see first?

Sender: :func:`lms.accounts.views.login`, after a successful sign-in (and after the session is
committed), unless the person must first choose a password; then the first-password page, once
they have chosen it. Arguments: ``user: User``,
``next_url: str`` (where they were going). Each receiver returns None or
``{"next_url": url}`` (merged by :func:`gather`).
Receivers: :mod:`lms.classes.listeners` sends a person with pending class invitations to them.""")

page_context: Signal = _signals.signal("lms.page-context", doc="""\
Question: what does your domain add to this page? (Indico's template hooks, in small.)

Sender: a view of a lower domain about to render ``page``, with the page's objects:
``"profile"`` (``user``), ``"course"`` (``course``, ``user`` or None), ``"quiz_result"``
(``user_id``, ``course``, ``passed``), ``"path"`` (the home page's path: ``user``, ``courses``).
Each receiver returns a dict of template variables, or None.
Receivers: :mod:`lms.quiz.listeners` (the course page's quiz box; the path's running attempt),
:mod:`lms.certificates.listeners` (the profile's certificates, the quiz result's certificate, the
path certificate on the quiz result and the path page), :mod:`lms.classes.listeners` (the
profile's pending class invitations), :mod:`lms.households.listeners` (the profile's household box).""")


def send(signal: Signal, **kwargs: Any) -> list[tuple[Any, Any]]:
    """Send ``signal`` from the current app; the receivers' (receiver, answer) pairs."""
    return signal.send(current_app._get_current_object(), **kwargs)


def anyone_agrees(signal: Signal, **kwargs: Any) -> bool:
    """Ask a question signal: True when at least one receiver answers True."""
    return any(answer is True for _receiver, answer in send(signal, **kwargs))


def gather(signal: Signal, **kwargs: Any) -> dict[str, Any]:
    """Ask a question signal whose receivers return dicts: their union."""
    merged: dict[str, Any] = {}
    for _receiver, answer in send(signal, **kwargs):
        if answer:
            merged.update(answer)
    return merged
