"""bdhvs-lms: a learning-management plugin for Flask.

``create_app()`` builds the standalone site; ``LMS`` mounts the same LMS into a host Flask app.
"""

from lms.app import create_app
from lms.extension import LMS

__all__ = ["LMS", "create_app"]
