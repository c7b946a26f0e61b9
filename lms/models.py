"""Import every model so SQLAlchemy's registry and Alembic see the whole schema."""

from lms.accounts.models import ApiToken, AuditLog, PasswordResetLink, User, UserRole, UserSession
from lms.ambassadors.models import HelpAction, Helped, HelpVisit, SignInCard
from lms.campaigns.models import Campaign, CampaignUnit
from lms.certificates.models import Certificate, SigningKey
from lms.changes import ChangeCounter
from lms.classes.models import ClassCourse, Classroom, Enrollment
from lms.courses.models import Course, CourseResult, CourseSourceFile, Lesson, LessonProgress, PathStep
from lms.coverage.models import Baseline, ExternalFigure, Target
from lms.households.models import Household, HouseholdInvitation, HouseholdMember
from lms.jobs.models import Job, JobFile
from lms.outreach.models import OutreachActivity
from lms.pageversions import PageVersion
from lms.quiz.models import Answer, Attempt, OfflineOp, Question, QuestionBank, QuizOverride
from lms.units.models import AdminUnit

ALL_MODELS = (
    AdminUnit, Answer, ApiToken, Attempt, AuditLog, Baseline, Campaign, CampaignUnit, Certificate, ChangeCounter,
    ClassCourse, Classroom, Course, PasswordResetLink, Helped, HelpAction, HelpVisit, SignInCard,
    CourseResult, CourseSourceFile, Enrollment, ExternalFigure, Household, HouseholdInvitation, HouseholdMember,
    Job, JobFile, Lesson, LessonProgress, OfflineOp, OutreachActivity,
    PageVersion, PathStep, Question, QuestionBank, QuizOverride, SigningKey, Target, User, UserRole,
)

__all__ = [
    "AdminUnit", "Answer", "ApiToken", "Attempt", "AuditLog", "Baseline", "Campaign", "CampaignUnit",
    "Certificate", "ChangeCounter", "Helped", "HelpAction", "HelpVisit", "SignInCard",
    "ClassCourse", "Classroom", "Course", "CourseResult", "CourseSourceFile", "Enrollment",
    "ExternalFigure", "Household", "HouseholdInvitation", "HouseholdMember",
    "Job", "JobFile", "Lesson", "LessonProgress", "OfflineOp", "OutreachActivity", "PageVersion",
    "PasswordResetLink", "PathStep",
    "Question", "QuestionBank",
    "QuizOverride", "SigningKey", "Target", "User", "UserRole", "UserSession",
]
