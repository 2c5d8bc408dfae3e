#!/usr/bin/python3
"""Records what the seed's Flask servers answer, as the conformance goldens for our mock server.

Usage (from anywhere; needs Debian's python3-flask, hence /usr/bin/python3):

    /usr/bin/python3 tests/conformance/record_goldens.py [SEED_FILE] [--out DIR] [--check]

SEED_FILE defaults to ../shared/seeds/000_4995994c3a4951e3.txt relative to the repository root.
Each theme's `app.py` block is cut out of the seed text at run time and executed as a module
(no Flask code is kept in this repository), with time.sleep made a no-op so recording is instant
and random seeded so a re-recording is byte-identical. Requests go through Flask's test client
(app.test_client()), so no sockets are opened.

Output: tests/conformance/golden/<theme>.json, one per theme. Each request there is sent twice in
a row (`repeat_each`) and, in file order, on one server. A response is checked by exactly one of:
  "body"        the exact body text;
  "body_one_of" the body is one of these texts (weather without a city picks a random record);
  "body_regex"  the whole body matches this ECMAScript regex (std::regex_match, re.fullmatch);
                capture group `delay_group` is the delay in seconds the seed printed, which the seed
                draws from `delay_range_s` (/status/slow's message).
`--check` records into memory and exits 1 if any golden file would change.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import io
import json
import platform
import random
import re
import sys
import time
import types
from pathlib import Path
from unittest import mock

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEED = REPO_ROOT.parent / "shared" / "seeds" / "000_4995994c3a4951e3.txt"
DEFAULT_OUT = Path(__file__).resolve().parent / "golden"
RANDOM_SEED = 42
REPEAT_EACH = 2

# The seed's themes in the seed's order, each recognised by the route its app.py defines.
THEME_ROUTES = [
    ("weather", "/get_weather"),
    ("books", "/check_book_status"),
    ("pizza", "/get_order_status"),
    ("health", "/status/ok"),
    ("profiles", "/get_user_profile"),
]

# Keyed themes: the table, the query parameter, and the client's default item that is not found.
KEYED = {
    "weather": {"table": "mock_weather_data", "param": "city", "upper": True, "unknown": "KUALA_LUMPUR"},
    "books": {"table": "mock_book_database", "param": "isbn", "upper": False, "unknown": "999-9-99-999999-9"},
    "pizza": {"table": "mock_order_status", "param": "order_id", "upper": True, "unknown": "ORD-999"},
    "profiles": {"table": "mock_user_profiles", "param": "user_id", "upper": False, "unknown": "9999"},
}

# Cyrillic "москва": non-Latin, and it has case, so upper-casing themes must fold it ("МОСКВА").
CYRILLIC = "%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"


def extract_apps(seed_text: str) -> dict[str, str]:
    """Returns theme name -> the source of its app.py code block."""
    blocks = re.findall(r"#### `app\.py`\s*\n```python\n(.*?)\n```", seed_text, flags=re.S)
    if len(blocks) != len(THEME_ROUTES):
        raise SystemExit(f"expected {len(THEME_ROUTES)} app.py blocks in the seed, found {len(blocks)}")
    apps = {}
    for (name, route), source in zip(THEME_ROUTES, blocks):
        if f"@app.route('{route}'" not in source:
            raise SystemExit(f"seed app.py block #{len(apps) + 1} does not define {route}; is this the right seed?")
        apps[name] = source
    return apps


def load_app(name: str, source: str, seed_path: Path) -> types.ModuleType:
    """Executes one seed app.py as a fresh module (its `if __name__ == '__main__'` stays asleep)."""
    module = types.ModuleType(f"seed_{name}_app")
    module.__file__ = str(seed_path)  # Flask derives root_path from it; nothing is served from disk
    sys.modules[module.__name__] = module
    exec(compile(source, f"<seed {name} app.py>", "exec"), module.__dict__)
    return module


def delay_ranges(source: str) -> list[list[float]]:
    return [[float(a), float(b)] for a, b in re.findall(r"random\.uniform\(([\d.]+),\s*([\d.]+)\)", source)]


def regex_escape(text: str) -> str:
    """Escapes text for both Python re and ECMAScript (std::regex): only the metacharacters."""
    out = []
    for ch in text:
        if ch in "\\^$.|?*+()[]{}/":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


# ---- the requests ------------------------------------------------------------------------------


def case(name, target, method="GET", **extra):
    return {"name": name, "method": method, "target": target, **extra}


def keyed_cases(theme: str, module: types.ModuleType, route: str) -> list[dict]:
    spec = KEYED[theme]
    param = spec["param"]
    table = getattr(module, spec["table"])
    q = f"{route}?{param}="
    first = next(iter(table))
    cases = [case(f"found {key}", q + key) for key in table]
    cases.append(case(f"not found (the client's default item {spec['unknown']})", q + spec["unknown"]))
    if spec["upper"]:
        cases.append(case("case folding: lower case", q + first.lower()))
        cases.append(case("case folding: mixed case", q + first[0] + first[1:].lower()))
    cases += [
        case("missing parameter", route),
        case("empty parameter", q),
        case("other parameter only", f"{route}?x={first}"),
        case("percent-encoded letter of a known key", q + first[:-1] + f"%{ord(first[-1]):02X}"),
        case("percent-encoded space", q + first.lower() + "%20x"),
        case("plus as space", q + first.lower() + "+x"),
        case("percent-encoded plus (literal '+')", q + first.lower() + "%2Bx"),
        case("percent-encoded slash", q + first.lower() + "%2Fx"),
        case("percent-encoded ampersand and equals", q + first.lower() + f"%26{param}%3Dx"),
        case("percent-encoded UTF-8 (e acute)", q + "caf%C3%A9"),
        case("percent-encoded UTF-8, non-Latin (Cyrillic)", q + CYRILLIC),
        case("repeated parameter: the first one wins", f"{q}a&{param}={first}"),
        case("repeated parameter: known key first", f"{q}{first}&{param}=a"),
        case("unknown path", "/nope"),
        case("root path", "/"),
        case("trailing slash on the route", f"{route}/?{param}={first}"),
        case("item as a path segment", f"{route}/{first}"),
        case("POST to the route", q + first, method="POST"),
        case("HEAD of a found item", q + first, method="HEAD"),
        case("HEAD of an unknown item", q + spec["unknown"], method="HEAD"),
    ]
    if theme == "weather":
        # The seed writes data["city"] = city into its shared table; probe it: random pick, then JAKARTA.
        cases.append(case("mutation probe: random city first", route))
        cases.append(case("mutation probe: then JAKARTA", q + "JAKARTA"))
    return cases


def health_cases() -> list[dict]:
    return [
        case("ok", "/status/ok"),
        case("slow (2-3 s in the seed)", "/status/slow"),
        case("error", "/status/error"),
        case("nonexistent (Flask's own 404)", "/status/nonexistent"),
        case("query string is ignored", "/status/ok?verbose=1&x=%20"),
        case("prefix of the routes", "/status"),
        case("trailing slash", "/status/ok/"),
        case("root path", "/"),
        case("POST to a route", "/status/ok", method="POST"),
        case("HEAD of ok", "/status/ok", method="HEAD"),
        case("HEAD of error", "/status/error", method="HEAD"),
    ]


# ---- recording ---------------------------------------------------------------------------------


def send(client, method: str, target: str):
    with contextlib.redirect_stdout(io.StringIO()):  # the seed's "[SERVER] ..." prints
        response = client.open(target, method=method)
    if response.request.environ.get("REQUEST_URI") != target:
        raise SystemExit(f"test client sent {response.request.environ.get('REQUEST_URI')!r}, not {target!r}")
    return response


def observation(response) -> dict:
    obs = {"status": response.status_code, "content_type": response.headers.get("Content-Type"),
           "body": response.get_data(as_text=True)}
    if "Allow" in response.headers:
        obs["allow"] = sorted(m.strip() for m in response.headers["Allow"].split(","))
    if response.request.method == "HEAD":
        obs["content_length"] = int(response.headers["Content-Length"])
    return obs


def random_bodies(module: types.ModuleType, route: str) -> list[str]:
    """Every body the seed's random pick can produce: force each choice in turn."""
    client = module.app.test_client()
    bodies = []
    for city in module.valid_cities:
        with mock.patch("random.choice", return_value=city):
            bodies.append(send(client, "GET", route).get_data(as_text=True))
    return bodies


def picks_randomly(module: types.ModuleType, c: dict) -> bool:
    """True when the answer depends on the seed's random.choice (weather without a usable city)."""
    client = module.app.test_client()
    bodies = set()
    for city in module.valid_cities[:2]:
        with mock.patch("random.choice", return_value=city):
            bodies.add(send(client, c["method"], c["target"]).get_data(as_text=True))
    return len(bodies) > 1


def slow_regex(module: types.ModuleType, rng: list[float]) -> tuple[str, list[str]]:
    """The /status/slow body as a regex with the delay as group 1, checked at the range's ends."""
    client = module.app.test_client()
    samples = []
    for value in rng:
        with mock.patch("random.uniform", return_value=value):
            samples.append(send(client, "GET", "/status/slow").get_data(as_text=True))
    printed = f"{rng[0]:.2f}"
    head, sep, tail = samples[0].partition(printed)
    if not sep:
        raise SystemExit(f"cannot find the delay {printed} in {samples[0]!r}")
    pattern = regex_escape(head) + r"([0-9]+\.[0-9]{2})" + regex_escape(tail)
    for sample in samples:
        if not re.fullmatch(pattern, sample):
            raise SystemExit(f"slow regex {pattern!r} does not match {sample!r}")
    return pattern, samples


def record_theme(theme: str, route: str, source: str, seed_path: Path) -> dict:
    random.seed(RANDOM_SEED)
    module = load_app(theme, source, seed_path)
    client = module.app.test_client()
    table_name = KEYED.get(theme, {}).get("table")
    cases = keyed_cases(theme, module, route) if theme in KEYED else health_cases()
    ranges = delay_ranges(source)

    choices = random_bodies(load_app(theme, source, seed_path), route) if theme == "weather" else None
    slow = slow_regex(load_app(theme, source, seed_path), ranges[0]) if theme == "health" else None

    before = json.loads(json.dumps(getattr(module, table_name))) if table_name else None
    records = []
    mutation_observable = False
    for c in cases:
        observed = [observation(send(client, c["method"], c["target"])) for _ in range(REPEAT_EACH)]
        first = observed[0]
        entry = {**c, "status": first["status"], "content_type": first["content_type"]}
        for key in ("allow", "content_length"):
            if key in first:
                entry[key] = first[key]
        if any({k: v for k, v in o.items() if k != "body"} != {k: v for k, v in first.items() if k != "body"}
               for o in observed):
            raise SystemExit(f"{theme} {c['target']}: status or headers differ between repeats: {observed}")
        bodies = [o["body"] for o in observed]
        random_pick = choices is not None and picks_randomly(load_app(theme, source, seed_path), c)
        if random_pick:
            if any(b not in choices for b in bodies):
                raise SystemExit(f"{theme} {c['target']}: random body outside the possible set: {bodies}")
            entry["body_one_of"] = choices
            entry["recorded_bodies"] = bodies
        elif theme == "health" and c["target"] == "/status/slow":
            pattern, _ = slow
            if any(not re.fullmatch(pattern, b) for b in bodies):
                raise SystemExit(f"slow bodies {bodies} do not match {pattern}")
            entry["body_regex"] = pattern
            entry["delay_group"] = 1
            entry["delay_range_s"] = ranges[0]
            entry["recorded_bodies"] = bodies
        else:
            if len(set(bodies)) != 1:
                raise SystemExit(f"{theme} {c['target']}: body differs between repeats: {bodies}")
            entry["body"] = bodies[0]
            # Would an untouched table have answered the same? (Is the seed's mutation observable?)
            fresh = observation(send(load_app(theme, source, seed_path).app.test_client(), c["method"], c["target"]))
            if fresh != first:
                mutation_observable = True
                entry["fresh_table_body"] = fresh["body"]
        records.append(entry)

    golden = {
        "theme": theme,
        "about": "Responses of the seed's Flask app.py, recorded by tests/conformance/record_goldens.py; "
                 "checked against our mock server by seed_conformance_test.cpp.",
        "recorded_with": {
            "python": platform.python_version(),
            "flask": importlib.metadata.version("flask"),
            "werkzeug": importlib.metadata.version("werkzeug"),
        },
        "seed_file": seed_path.name,
        "seed_app_sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
        "random_seed": RANDOM_SEED,
        "delay_ranges_s": ranges,
        "repeat_each": REPEAT_EACH,
        "order_matters": True,
        "normalisation": {
            "body": "exact text",
            "body_one_of": "exact text, any one of the list",
            "body_regex": "whole body, ECMAScript regex; group delay_group is the printed delay in seconds, "
                          "drawn from delay_range_s in the seed",
            "content_type": "compare the media type and the charset parameter",
            "allow": "set of methods in the Allow header (405 only)",
            "content_length": "Content-Length of a HEAD response (whose body is empty)",
        },
    }
    if table_name:
        after = getattr(module, table_name)
        golden["seed_mutation"] = {
            "code": f'{table_name}[key]["{KEYED[theme]["param"]}"] = key',
            "table_before": before,
            "records_mutated_after_run": sorted(k for k, v in after.items() if v != before[k]),
            "observable_in_responses": mutation_observable,
            "note": ("The seed writes each record's own key into the shared record before jsonify, so every "
                     "response already carries the key and a repeat (or a different request before it, as in the "
                     "weather mutation probe) answers the same bytes: the shared table changes (a data race "
                     "under threads) but no response shows it. Each non-random request was also replayed on a "
                     "fresh, untouched app to prove this; observable_in_responses is the result."),
        }
    golden["requests"] = records
    return golden


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", nargs="?", type=Path, default=DEFAULT_SEED, help="the seed text file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for <theme>.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if a golden would change; write nothing")
    args = parser.parse_args()

    seed_path = args.seed.resolve()
    apps = extract_apps(seed_path.read_text(encoding="utf-8"))
    time.sleep = lambda _seconds: None  # the seeds sleep 0.1-3 s per request; recording needs none of it
    changed = []
    for theme, route in THEME_ROUTES:
        golden = record_theme(theme, route, apps[theme], seed_path)
        text = json.dumps(golden, indent=2, ensure_ascii=False) + "\n"
        path = args.out / f"{theme}.json"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed.append(path)
            if not args.check:
                args.out.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        print(f"{theme}: {len(golden['requests'])} requests -> {path}{' (changed)' if old != text else ''}")
    if args.check and changed:
        print("goldens out of date: " + ", ".join(str(p) for p in changed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
