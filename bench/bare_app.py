"""The baseline: a bare Flask page, served by the same gunicorn settings as the LMS."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "ok"
