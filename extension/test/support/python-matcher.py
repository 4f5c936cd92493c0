"""Answers match queries with the Python matcher (ratings/matching.py), one JSON line in,
one JSON line out, for the extension's differential test. Reads the bundle path from
argv[1]; each input line is {"kind": "url"|"host", "input": str}."""

import json
import sys
from pathlib import Path

from ratings.matching import InvalidInput, Matcher, MeetingPattern

bundle = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
matcher = Matcher(
    {s["slug"]: s["domains"] for s in bundle["services"]},
    {
        s["slug"]: [
            MeetingPattern.compile(p["path"], p.get("host"), p.get("query", ()))
            for p in s["meeting_patterns"]
        ]
        for s in bundle["services"]
    },
)
for line in sys.stdin:
    case = json.loads(line)
    try:
        if case["kind"] == "host":
            match = matcher.match_host(case["input"])
        else:
            match = matcher.match_url(case["input"])
        answer = {"host": match.host, "service": match.service, "meeting": match.meeting}
    except InvalidInput:
        answer = {"error": True}
    except Exception as exc:  # a crash is an answer too: the API would answer 500
        answer = {"crash": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(answer), flush=True)
