"""The ceiling: a bare Flask endpoint that parses the same JSON and answers 202."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/api/v1/court/defense-notices")
def accept() -> tuple[dict[str, str], int]:
    """Parse the body and answer 202, doing nothing else."""
    body = request.get_json()
    return {"id": str(body["notice_number"]), "state": "received"}, 202
