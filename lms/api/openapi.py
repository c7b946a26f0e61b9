"""The OpenAPI 3.1 description of API v1 (``GET /openapi.json``); a test checks it against the real routes."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from lms.api.blueprint import bp

ERROR = {"$ref": "#/components/schemas/Error"}
#: text the API accepts: no NUL byte (nor a lone surrogate, which JSON Schema cannot express);
#: anything else is refused with a 400 (lms.web.inputs)
TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}
#: any JSON value made of such text, at most 32 levels deep
JSON_VALUE = {"$ref": "#/components/schemas/JsonValue"}


def ok_response(description: str, schema: dict | None = None, status: str = "200") -> dict:
    response: dict = {"description": description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {status: response, "4XX": {"description": "Error", "content": {"application/json": {"schema": ERROR}}}}


def json_request(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": json_object(schema)}}}


def json_object(schema: dict) -> dict:
    """A request body object: other members are allowed (and ignored), with the same text rule."""
    return {"propertyNames": TEXT, "additionalProperties": JSON_VALUE, **schema}


SECURED = [{"bearer": []}]
ATTEMPT_ID = {"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}
POSITION = {"name": "position", "in": "path", "required": True, "schema": {"type": "integer"}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": TEXT}
CODE = {"name": "code", "in": "path", "required": True, "schema": TEXT}

PATHS: dict[str, dict] = {
    "/auth/token": {"post": {
        "summary": "Exchange a username (or phone number) and password for a bearer token",
        "description": "Failed tries are limited per account and client address: past the limit the answer is "
                       "429 `too_many_attempts` with `Retry-After` (seconds). An account that must still choose "
                       "its own password gets 403 `password_change_required`.",
        "requestBody": json_request({"type": "object", "required": ["username", "password"], "properties": {
            "username": TEXT, "password": TEXT,
            "label": {**TEXT, "description": "shown in the token list (default: the User-Agent)"}}}),
        "responses": ok_response("A token", {"type": "object", "properties": {
            "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}),
    }},
    "/auth/tokens": {"get": {
        "summary": "The caller's tokens that still work (never the tokens themselves)", "security": SECURED,
        "responses": ok_response("Tokens", {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}),
    }},
    "/auth/tokens/{token_id}": {"delete": {
        "summary": "Revoke one of the caller's tokens", "security": SECURED,
        "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"204": {"description": "Revoked"},
                      "4XX": {"description": "Error", "content": {"application/json": {"schema": ERROR}}}},
    }},
    "/courses": {"get": {
        "summary": "Courses, optionally for one audience",
        "parameters": [{"name": "audience", "in": "query", "schema": {
            "type": "string", "enum": ["officials", "students", "workers", "citizens"]}}],
        "responses": ok_response("Courses", {"type": "array", "items": {"$ref": "#/components/schemas/Course"}}),
    }},
    "/courses/{slug}/attempts": {"post": {
        "summary": "Start an attempt (or get the one already running)", "security": SECURED,
        "parameters": [SLUG],
        "responses": ok_response("The attempt with its questions (no answers)",
                         {"$ref": "#/components/schemas/Attempt"}, "201"),
    }},
    "/attempts/{attempt_id}": {"get": {
        "summary": "An attempt: saved responses, remaining seconds, state", "security": SECURED,
        "parameters": [ATTEMPT_ID], "responses": ok_response("The attempt", {"$ref": "#/components/schemas/Attempt"}),
    }},
    "/attempts/{attempt_id}/answers/{position}": {"put": {
        "summary": "Save one answer", "security": SECURED, "parameters": [ATTEMPT_ID, POSITION],
        "requestBody": json_request({"type": "object", "required": ["response"], "properties": {"response": {
            "anyOf": [TEXT, {"type": ["number", "boolean"]}, {"type": "array", "items": TEXT},
                      {"type": "object", "propertyNames": TEXT, "additionalProperties": TEXT}],
            "description": "choice id, list of choice ids, true/false, string, number or {left_id: right_id}, "
                           "as the question at this position takes (another one is refused with a 400)"}}}),
        "responses": ok_response("Saved", {"type": "object"}),
    }},
    "/attempts/{attempt_id}/submit": {"post": {
        "summary": "Submit and grade (idempotent)", "security": SECURED, "parameters": [ATTEMPT_ID],
        "responses": ok_response("The grade", {"type": "object", "properties": {
            "score_percent": {"type": ["number", "null"]}, "passed": {"type": ["boolean", "null"]},
            "state": {"type": "string"}, "certificate": {"type": ["object", "null"], "properties": {
                "code": {"type": "string"}, "verify_url": {"type": "string"}}}}}),
    }},
    "/openapi.json": {"get": {"summary": "This document", "responses": ok_response("OpenAPI 3.1", {"type": "object"})}},
}

SCHEMAS = {
    "JsonValue": {"anyOf": [
        TEXT, {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": JSON_VALUE},
        {"type": "object", "propertyNames": TEXT, "additionalProperties": JSON_VALUE},
    ]},
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
    "Token": {"type": "object", "properties": {
        "id": {"type": "integer"}, "label": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "current": {"type": "boolean", "description": "the token this request was sent with"}}},
    "Course": {"type": "object", "properties": {
        "slug": {"type": "string"}, "title": {"type": "object"},
        "audiences": {"type": "array", "items": {"type": "string"}}}},
    "Attempt": {"type": "object", "properties": {
        "id": {"type": "integer"}, "deadline": {"type": ["string", "null"], "format": "date-time"},
        "state": {"type": "string"}, "remaining_seconds": {"type": ["integer", "null"]},
        "questions": {"type": "array", "items": {"type": "object", "properties": {
            "position": {"type": "integer"}, "type": {"type": "string"}, "text": {"type": "string"},
            "choices": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "text": {"type": "string"}}}},
            "left": {"type": "array"}, "right": {"type": "array"}}}},
        "responses": {"type": "object"}}},
}


def register_paths(paths: dict[str, dict]) -> None:
    """Each resource module of the API adds its endpoints here when it is imported."""
    for path, operations in paths.items():
        PATHS.setdefault(path, {}).update(operations)


def document() -> dict:
    prefix = current_app.extensions["lms"].url_prefix
    return {
        "openapi": "3.1.0",
        "info": {"title": "bdhvs-lms API", "version": "1"},
        "servers": [{"url": f"{prefix}/api/v1"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
