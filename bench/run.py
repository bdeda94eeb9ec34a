"""`make bench`: the portal under load, measured against the stack's own floor.

Starts gunicorn with the production settings on PostgreSQL and the Redis cache, on
loopback, with the scale data (`manage.py seed_scale`), and drives each main page with
wrk in bounded runs. Each page is reported as requests/s, p50 and p99 latency and the
ratio to a trivial baseline view measured in the same run (the anonymous baseline for
public pages, the authenticated one for members-only pages). Also: the listserv
mailing throughput ratio, gunicorn worker memory after the run, and the time from
`make run` on a fresh clone to a served page. Results: bench/results/<timestamp>.json.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
PORT = int(os.environ.get("BENCH_PORT", "8097"))
BASE = f"http://127.0.0.1:{PORT}"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://lmsa:lmsa@127.0.0.1:5432/lmsa_bench"
)
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/8")

# (label, path, audience); the audience picks the baseline, and members-only pages
# are requested with the bench member's session cookie. The .ics feed is members-only
# data behind the member's personal token instead of a session (a calendar app
# cannot log in), so it is measured against the authenticated floor: both load a
# credential and its user, nothing more, before the page's own work.
PAGES = [
    ("home", "/", "public"),
    ("mentor directory", "/mentors/", "member"),
    ("mentor directory, filtered", "/mentors/?state=CA&language=es", "member"),
    ("mentor directory, search", "/mentors/?q=cardiology", "member"),
    ("program directory", "/residency-hub/", "member"),
    (
        "specialty calendar",
        "/residency-hub/specialties/internal-medicine/calendar/",
        "member",
    ),
    ("specialty .ics feed", "{feed_path}", "member"),
    ("AMA archive, search", "/ama/?q=residency", "public"),
    ("AMA video page", "{video_path}", "public"),
]
BASELINES = {"public": "/_baseline/anonymous/", "member": "/_baseline/member/"}
# The targets on a 2-core machine: the lowest ratio to the baseline per
# audience, the highest p99 at 32 connections, the lowest mailing ratio.
TARGET_RATIO = {"public": 0.8, "member": 0.5}
TARGET_P99_MS = 100.0
TARGET_MAILING_RATIO = 0.7


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="lmsa_portal.settings.prod",
        DJANGO_SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", secrets.token_urlsafe(50)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=DATABASE_URL,
        CACHE_URL=CACHE_URL,
        EMAIL_URL="dummymail://",
        DJANGO_SECURE_SSL_REDIRECT="false",
        BENCHMARK_BASELINE_VIEWS="true",
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_ACCESSLOG="/dev/null",
        GUNICORN_WORKERS=os.environ.get("GUNICORN_WORKERS", "4"),
    )
    return env


def manage(*args: str, env: dict) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def prepare_database(env: dict) -> dict:
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='lmsa') THEN "
            "CREATE ROLE lmsa LOGIN CREATEDB PASSWORD 'lmsa'; END IF; END$$;",
        ],
        check=True,
    )
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            "SELECT 1 FROM pg_database WHERE datname='lmsa_bench'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            [
                "createdb",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-O",
                "lmsa",
                "lmsa_bench",
            ],
            check=True,
        )
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    started = time.perf_counter()
    print(manage("seed_scale", env=env).strip())
    print(f"  (seeding took {time.perf_counter() - started:.1f} s)")
    # Fresh planner statistics: right after bulk inserts PostgreSQL believes the
    # tables are empty and picks nested loops over thousands of rows.
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "VACUUM ANALYZE"]
        + ["lmsa_bench"],
        check=True,
    )
    fixtures = json.loads(manage("bench_fixtures", env=env))
    return fixtures


def start_gunicorn(env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "lmsa_portal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(BASE + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("gunicorn did not start:\n" + process.stderr.read().decode())


def wrk(path: str, *, cookie: str | None, seconds: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        command + [BASE + path], capture_output=True, text=True, check=True
    ).stdout

    def latency(label: str) -> float:
        value, unit = re.search(
            rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M
        ).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: .*", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "bad_responses": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    children = subprocess.run(
        ["pgrep", "-P", str(master.pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def fresh_clone_time_to_page() -> float | None:
    """Seconds from `make run` in a fresh clone to the first served page."""
    if shutil.which("git") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "portal"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "EMAIL_URL"))
        }
        started = time.perf_counter()
        process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        elapsed = None
        try:
            while time.perf_counter() - started < 600 and process.poll() is None:
                try:
                    with urllib.request.urlopen(
                        "http://127.0.0.1:8000/", timeout=2
                    ) as r:
                        if r.status == 200:
                            elapsed = time.perf_counter() - started
                            break
                except OSError:
                    time.sleep(0.5)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        return elapsed


def mailing_ratio() -> dict | None:
    """The listserv benchmark (`python -m listserv.bench`), in the same run."""
    result = subprocess.run(
        [PYTHON, "-m", "listserv.bench", "--subscribers", "10000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL"))
        },
    )
    if result.returncode != 0:
        return {"error": result.stderr[-800:]}
    print(result.stdout.rstrip())

    def figure(label: str) -> float:
        return float(
            re.search(rf"{re.escape(label)}\s*:\s*([\d.]+)", result.stdout).group(1)
        )

    return {
        "smtplib_per_second": figure("plain smtplib, one connection"),
        "ratio": figure("ratio listserv / smtplib"),
    }


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--skip-clone",
        action="store_true",
        help="do not time `make run` on a fresh clone",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")

    env = environment()
    fixtures = prepare_database(env)
    cookie = f"__Host-sessionid={fixtures['session_key']}"

    def session_for(path: str) -> str | None:
        return None if "token=" in path else cookie

    server = start_gunicorn(env)
    results = {
        "pages": [],
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "connections": args.connections,
        "seconds": args.seconds,
        "workers": env["GUNICORN_WORKERS"],
    }
    try:
        warm_up = [(path, audience) for audience, path in BASELINES.items()]
        warm_up += [(path, audience) for _label, path, audience in PAGES]
        for path, audience in warm_up:
            path = path.format(**fixtures)
            signed_in = session_for(path) if audience == "member" else None
            wrk(path, cookie=signed_in, seconds=1, connections=4)
        baseline = {
            audience: wrk(
                path,
                cookie=cookie if audience == "member" else None,
                seconds=args.seconds,
                connections=args.connections,
            )
            for audience, path in BASELINES.items()
        }
        results["baselines"] = baseline
        header = (
            f"{'page':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'ratio':>6} {'errors':>6}  targets (ratio, p99)"
        )
        print(f"\n{header}\n{'-' * len(header)}")
        for audience, figures in baseline.items():
            print(
                f"{'baseline (' + audience + ')':34} {figures['rps']:8.0f} "
                f"{figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} {1:6.2f} "
                f"{figures['bad_responses']:6d}"
            )
        for label, path, audience in PAGES:
            path = path.format(**fixtures)
            figures = wrk(
                path,
                cookie=session_for(path) if audience == "member" else None,
                seconds=args.seconds,
                connections=args.connections,
            )
            figures.update(
                label=label,
                path=path,
                audience=audience,
                ratio=figures["rps"] / baseline[audience]["rps"],
            )
            figures["meets_ratio"] = figures["ratio"] >= TARGET_RATIO[audience]
            figures["meets_p99"] = figures["p99_ms"] < TARGET_P99_MS
            results["pages"].append(figures)
            print(
                f"{label:34} {figures['rps']:8.0f} {figures['p50_ms']:8.1f} "
                f"{figures['p99_ms']:8.1f} {figures['ratio']:6.2f} "
                f"{figures['bad_responses']:6d}  "
                f"{_verdict(figures['meets_ratio'])} >= "
                f"{TARGET_RATIO[audience]}, {_verdict(figures['meets_p99'])}"
            )
        rss = worker_rss_mb(server)
        results["worker_rss_mb"] = rss
        print(
            f"\ngunicorn worker RSS after the run: "
            f"{', '.join(f'{size:.0f} MB' for size in rss)}"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    mailing = mailing_ratio()
    results["mailing"] = mailing
    if mailing and "ratio" in mailing:
        mailing["meets_ratio"] = mailing["ratio"] >= TARGET_MAILING_RATIO
        print(
            f"listserv mailing throughput ratio to plain smtplib: "
            f"{mailing['ratio']:.2f} ({_verdict(mailing['meets_ratio'])} >= "
            f"{TARGET_MAILING_RATIO})"
        )
    elif mailing:
        print(f"listserv mailing benchmark failed: {mailing}")
    if not args.skip_clone:
        elapsed = fresh_clone_time_to_page()
        results["fresh_clone_make_run_seconds"] = elapsed
        print(
            f"fresh clone, `make run` to first served page: {elapsed:.1f} s"
            if elapsed
            else "fresh clone timing: failed"
        )

    out = ROOT / "bench/results"
    out.mkdir(exist_ok=True)
    target = out / f"{results['started_at'].replace(':', '')}.json"
    target.write_text(json.dumps(results, indent=2))
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"\nresults: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
