"""The OpenAPI 3.1 document of the JSON API."""

from __future__ import annotations

from typing import Any

_WINDOW = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
    for n, d in (
        ("since", "First day (YYYY-MM-DD); default: 30 days before the newest post."),
        ("until", "Last day (YYYY-MM-DD), inclusive; default: the newest post's day."),
        ("topic", "Only posts of this topic."),
        ("platform", "Only posts of this platform."),
        ("lang", "Only posts in this language (ISO 639-1)."),
    )
]
_FILTERS = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
    for n in ("query", "sentiment", "emotion", "aspect", "intent", "stakeholder", "limit", "offset")
]
_ERR = {
    "description": "Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_OK = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}


def _get(summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {"200": _OK, "401": _ERR, "403": _ERR},
        }
    }


def document() -> dict[str, Any]:
    """Return the OpenAPI document of every ``/api`` route."""
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "share-of-voice, sentiment, feedback, trends, influencers, cascades, "
        "timing, response-times or goals",
    }
    conversion = {
        "post": {
            "summary": "Report a conversion from the shop (token role shop or admin).",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Conversion"}}
                },
            },
            "responses": {"201": _OK, "400": _ERR, "401": _ERR, "403": _ERR, "501": _ERR},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Resonanz API", "version": "1"},
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
                "Conversion": {
                    "type": "object",
                    "required": ["event_id"],
                    "description": "A repeated event_id counts once. Authenticate with an API "
                    "token of role shop, or with [publish] conversion_token as bearer token or "
                    "X-Resonanz-Signature: sha256=<HMAC-SHA256 of the body>.",
                    "properties": {
                        "event_id": {"type": "string", "description": "The shop's order id."},
                        "value": {"type": "number"},
                        "currency": {"type": "string"},
                        "link": {"type": "string", "description": "Tracked link code."},
                        "referral_code": {"type": "string"},
                        "utm_campaign": {"type": "string"},
                        "utm_source": {"type": "string"},
                        "utm_content": {"type": "string"},
                    },
                },
            },
        },
        "security": [{"token": []}],
        "paths": {
            "/api/stats": _get("Mentions in the window.", _WINDOW),
            "/api/insights/{name}": _get("One insight over the window.", [name, *_WINDOW]),
            "/api/mentions": _get("Filtered mentions, newest first.", _WINDOW + _FILTERS),
            "/api/topics": _get("The listening topics.", []),
            "/api/inbox": _get("The inbox queue.", []),
            "/api/conversions": conversion,
        },
    }
