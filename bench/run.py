"""`make bench`: the portal under load on PostgreSQL + Redis, each page measured
against a trivial view seconds apart in the same run.

1. Seeds the scale data (`manage.py seed_scale`) in a bench database, and 10x of it
   in a second one (`<name>_x10`), then builds the URL mix (bench/mix.py).
2. Starts gunicorn with the production settings and signs the bench member (an
   active member) in through the real login form.
3. At 8 and 32 connections, three rounds: for each kind of page, wrk on the trivial
   baseline view (same middleware, same signed-in state), then wrk on a random mix
   of that page's URLs (bench/mix.lua). Printed: requests/s ratio page/baseline
   (min/median/max of the rounds), p50/p99, unexpected statuses and socket errors.
4. Queries per page at 1x and 10x, admin changelists at 10x and the cold .ics build
   (bench/queries.py, in-process, no load); the mailing on PostgreSQL with the
   rate limit off and on (`python -m listserv.bench`); RSS per gunicorn worker.

Results: the printed table, and bench/results/<timestamp>.json.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mix  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
PORT = int(os.environ.get("BENCH_PORT", "8097"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lmsa_bench"
)
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/8")
WORKERS = os.environ.get("GUNICORN_WORKERS", "4")
# LISTSERV_RATE_PER_SECOND as production reads it (lmsa_portal/settings/base.py).
PRODUCTION_RATE = os.environ.get("LISTSERV_RATE_PER_SECOND", "10")
MEMBER_EMAIL = "bench-member@scale.lmsa.example"  # members.scale
MEMBER_PASSWORD = "bench-member-password"  # noqa: S105 - scale data only

# Kind of page -> its audience, which picks the baseline and the targets. The
# calendar feed has no session (a calendar app sends the member's token in the
# URL), so it is measured against the anonymous view, the same request shape.
KINDS = {
    "home": "public",
    "AMA archive": "public",
    "AMA search": "public",
    "AMA video page": "public",
    "mentor directory": "member",
    "mentor search": "member",
    "program directory": "member",
    "program search": "member",
    "specialty page": "member",
    "specialty calendar": "member",
    "calendar feed, 304": "feed",
    "calendar feed, full": "feed",
}
BASELINES = {
    "public": "/_baseline/anonymous/",
    "member": "/_baseline/member/",
    "feed": "/_baseline/anonymous/",
}
# The targets: lowest ratio to the baseline (a 304 costing at most twice
# the trivial view is a ratio of 0.5), p99 at 8 connections where the baseline's
# p99 is under 50 ms, queries per page, the cold feed build, the mailing ratio.
TARGET_RATIO = {"public": 0.8, "member": 0.5, "calendar feed, 304": 0.5}
TARGET_P99_MS, BASELINE_P99_MS = 100.0, 50.0
TARGET_QUERIES, TARGET_FEED_BUILD_MS, TARGET_MAILING = 8, 50.0, 0.7


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="lmsa_portal.settings.prod",
        DJANGO_SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", secrets.token_urlsafe(50)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=database_url,
        CACHE_URL=CACHE_URL,
        EMAIL_URL="dummymail://",
        DJANGO_SECURE_SSL_REDIRECT="false",
        BENCHMARK_BASELINE_VIEWS="true",
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_ACCESSLOG="/dev/null",
        GUNICORN_WORKERS=WORKERS,
    )
    return env


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(database_url: str, scale: float) -> tuple[dict, dict]:
    """Create, migrate and seed the database (once); return its env and values."""
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing database {name!r}: a bench database has 'bench' in it")
    env = environment(database_url)
    psql = ["psql", "-d", with_database(database_url, "postgres"), "-tAc"]
    if not run([*psql, f"SELECT 1 FROM pg_database WHERE datname='{name}'"], env):
        run([*psql, f'CREATE DATABASE "{name}"'], env)
    run([PYTHON, "manage.py", "migrate", "--noinput"], env)
    started = time.perf_counter()
    seeded = run([PYTHON, "manage.py", "seed_scale", "--scale", str(scale)], env)
    print(f"{name} ({scale:g}x): " + "; ".join(seeded.strip().splitlines()))
    if "already seeded" not in seeded:
        # Planner statistics: right after bulk inserts PostgreSQL believes the
        # tables are empty and picks nested loops over thousands of rows.
        run(["psql", "-d", database_url, "-qc", "VACUUM ANALYZE"], env)
        print(f"  seeded in {time.perf_counter() - started:.0f} s")
    return env, json.loads(run([PYTHON, "manage.py", "bench_fixtures"], env))


def request(method: str, path: str, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    cookies = dict(
        header.split(";")[0].split("=", 1)
        for header in response.msg.get_all("Set-Cookie") or []
    )
    return response.status, response, cookies, response.read().decode()


def sign_in() -> str:
    """The bench member's session cookie, from the real login form."""
    _status, _response, cookies, page = request("GET", "/accounts/login/")
    csrf_cookie = next(value for name, value in cookies.items() if "csrf" in name)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {
            "login": MEMBER_EMAIL,
            "password": MEMBER_PASSWORD,
            "csrfmiddlewaretoken": token,
        }
    )
    csrf_name = next(name for name in cookies if "csrf" in name)
    status, _response, cookies, _page = request(
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{csrf_name}={csrf_cookie}",
        },
        body,
    )
    session = next((f"{n}={v}" for n, v in cookies.items() if "session" in n), None)
    if status != 302 or session is None:
        sys.exit(f"sign-in through /accounts/login/ failed (status {status})")
    for path in ("/_baseline/member/", "/mentors/"):
        status, *_rest = request("GET", path, {"Cookie": session})
        if status != 200:
            sys.exit(f"signed-in member gets {status} on {path}: not an active member?")
    return session


def start_gunicorn(env: dict, log: Path) -> subprocess.Popen:
    # Its log goes to a file: a pipe nobody reads fills up and blocks the workers.
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        + ["lmsa_portal.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    for _attempt in range(100):
        try:
            if request("GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("gunicorn did not start:\n" + log.read_text())


def settle() -> None:
    """Wait for the requests a finished wrk run left queued in gunicorn, so they do
    not count against the next run: until the trivial view answers within 20 ms
    (for at most 5 s: a busy machine may never get there)."""
    for _attempt in range(20):
        started = time.perf_counter()
        request("GET", BASELINES["public"])
        if time.perf_counter() - started < 0.02:
            return
        time.sleep(0.2)


def wrk(paths: Path, cookie: str | None, connections: int, seconds: int, expect=200):
    settle()
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(ROOT / "bench/mix.lua")]
    command += ["-H", f"Cookie: {cookie}"] if cookie else []
    command += [f"http://127.0.0.1:{PORT}", "--", str(paths), str(expect)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    children = subprocess.run(
        ["pgrep", "-P", str(master.pid)], capture_output=True, text=True
    ).stdout.split()
    status = (Path(f"/proc/{pid}/status").read_text() for pid in children)
    return [int(re.search(r"VmRSS:\s+(\d+)", s).group(1)) / 1024 for s in status]


def with_etags(feeds: list[str]) -> list[str]:
    """Each feed path with its current ETag, as a calendar app that has the file
    sends it (the ETag moves on when an event leaves the feed's 90-day window)."""
    return [f"{path}\t{request('GET', path)[1].getheader('ETag')}" for path in feeds]


def load_runs(files: dict, cookie: str, args, loads: list) -> list[dict]:
    """Each round, each kind: the baseline, then the page, seconds apart."""
    runs = []
    for connections in (8, 32):
        for number in range(1, args.rounds + 1):
            loads.append(f"{connections} connections, round {number}: {loadavg()}")
            print(f"  {loads[-1]}")
            for kind, audience in KINDS.items():
                signed_in = cookie if audience == "member" else None
                expect = 304 if kind.endswith("304") else 200
                if expect == 304:
                    feeds = files["calendar feed, full"].read_text().split()
                    files[kind].write_text("\n".join(with_etags(feeds)) + "\n")
                base = wrk(files[audience], signed_in, connections, args.seconds)
                page = wrk(files[kind], signed_in, connections, args.seconds, expect)
                ratio = page["rps"] / base["rps"] if base["rps"] else 0.0
                print(
                    f"    {kind:20} {page['rps']:6.0f} req/s, ratio {ratio:.2f}, "
                    f"p99 {page['p99_ms']:.0f} ms (baseline {base['rps']:.0f} req/s, "
                    f"p99 {base['p99_ms']:.0f} ms)",
                    flush=True,
                )
                runs.append(
                    {"kind": kind, "connections": connections, "round": number}
                    | {"baseline": base, "page": page, "ratio": ratio}
                )
    return runs


def summary(runs: list[dict]) -> list[dict]:
    rows = []
    for connections in (8, 32):
        for kind in KINDS:
            mine = [
                r for r in runs if r["kind"] == kind and r["connections"] == connections
            ]
            ratios = [r["ratio"] for r in mine]
            # p99 target: rounds whose baseline p99 is under 50 ms, at 8 connections.
            fast = [r for r in mine if r["baseline"]["p99_ms"] < BASELINE_P99_MS]
            rows.append(
                {
                    "kind": kind,
                    "connections": connections,
                    "rps": statistics.median(r["page"]["rps"] for r in mine),
                    "ratio": (min(ratios), statistics.median(ratios), max(ratios)),
                    "p50_ms": statistics.median(r["page"]["p50_ms"] for r in mine),
                    "p99_ms": statistics.median(r["page"]["p99_ms"] for r in mine),
                    "base_p99_ms": statistics.median(
                        r["baseline"]["p99_ms"] for r in mine
                    ),
                    "errors": sum(
                        r[side]["unexpected_status"] + r[side]["socket_errors"]
                        for r in mine
                        for side in ("baseline", "page")
                    ),
                    "p99_met": (
                        all(r["page"]["p99_ms"] < TARGET_P99_MS for r in fast)
                        if fast and connections == 8
                        else None
                    ),
                }
            )
    return rows


def verdict(met: bool | None) -> str:
    return "–" if met is None else ("met" if met else "MISSED")


def table(results: dict) -> str:
    lines = [
        f"load average before {results['load_before']}, after {results['load_after']}"
        f"; {results['workers']} gunicorn workers, wrk {results['seconds']} s a run",
        "load average at the start of each round: "
        + "; ".join(results.get("round_loads", [])),
        "different paths in the URL mix: "
        + "; ".join(f"{k}: {n}" for k, n in results.get("mix_sizes", {}).items()),
        "",
        "| page | conns | req/s | ratio min / median / max | p50 ms | p99 ms "
        "| baseline p99 ms | errors | ratio target | p99 target |",
        "| --- | --: | --: | --- | --: | --: | --: | --: | --- | --- |",
    ]
    for row in results["rows"]:
        low, median, high = row["ratio"]
        target = TARGET_RATIO.get(row["kind"], TARGET_RATIO.get(KINDS[row["kind"]]))
        ratio_target = f"{verdict(low >= target)} ≥ {target}" if target else "–"
        lines.append(
            f"| {row['kind']} | {row['connections']} | {row['rps']:.0f} "
            f"| {low:.2f} / {median:.2f} / {high:.2f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['base_p99_ms']:.1f} | {row['errors']} "
            f"| {ratio_target} | {verdict(row['p99_met'])} |"
        )
    lines += ["", "| queries per page (cold / warm cache) | 1x | 10x | target |"]
    lines.append("| --- | --- | --- | --- |")
    small, large = results["queries"]["1x"]["pages"], results["queries"]["10x"]["pages"]
    for kind, figures in small.items():
        other = large.get(kind, {})
        met = other and figures == other and figures["cold"] <= TARGET_QUERIES

        def cell(f):
            return f"{f['cold']} / {f['warm'] if f['warm'] is not None else '–'}"

        lines.append(
            f"| {kind} | {cell(figures)} | {cell(other) if other else '–'} "
            f"| {verdict(bool(met))} (constant, ≤ {TARGET_QUERIES}) |"
        )
    lines += ["", "| admin changelist at 10x | queries | database ms | wall ms |"]
    lines.append("| --- | --: | --: | --: |")
    for name, f in results["queries"]["10x"]["admin"].items():
        lines.append(
            f"| {name} | {f['queries']:.0f} | {f['db_ms']:.1f} | {f['wall_ms']:.1f} |"
        )
    build = results["queries"]["1x"]["feed_build"]
    lines += [
        "",
        f"- .ics full build (cold cache), {build['specialty']} with {build['events']} "
        f"events: {build['median_ms']:.1f} ms "
        f"({verdict(build['median_ms'] <= TARGET_FEED_BUILD_MS)} ≤ 50 ms)",
    ]
    for label, mailing in results["mailing"].items():
        lines.append(f"- mailing on PostgreSQL, rate limit {label}: {mailing['text']}")
    rss = ", ".join(f"{size:.0f}" for size in results["worker_rss_mb"])
    lines.append(f"- gunicorn worker RSS after the load runs (MB): {rss}")
    errors = results.get("server_errors", [])
    lines.append(f"- errors in the gunicorn log: {len(errors) or 'none'}")
    lines += [f"  - `{line[:150]}`" for line in errors[:5]]
    return "\n".join(lines)


def mailing(database_url: str, keep_rate: bool) -> dict:
    """`python -m listserv.bench` on PostgreSQL (its own throwaway database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("CACHE_URL", None)  # the test settings would pick Redis databases 10+
    env["DATABASE_URL"] = database_url
    command = [PYTHON, "-m", "listserv.bench"]
    if keep_rate:  # at 10 messages/s, 10,000 messages would take 17 minutes
        command += ["--rate-per-second", PRODUCTION_RATE, "--subscribers", "100"]
    output = run(command, env)

    def figure(label: str) -> float:
        return float(re.search(rf"{re.escape(label)}\s*:\s*([\d.]+)", output).group(1))

    smtplib, sent = figure("plain smtplib, one connection"), figure("sending loop")
    ratio = figure("ratio listserv / smtplib")
    text = f"{sent:.0f} msg/s, plain smtplib {smtplib:.0f} msg/s, ratio {ratio:.2f}"
    if not keep_rate:
        text += f" ({verdict(ratio >= TARGET_MAILING)} ≥ {TARGET_MAILING})"
    return {"smtplib": smtplib, "listserv": sent, "ratio": ratio, "text": text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--large", type=float, default=10.0, help="scale of the 10x")
    args = parser.parse_args()
    results = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "load_before": loadavg(),
    }
    results |= {"seconds": args.seconds, "workers": WORKERS}
    name = urllib.parse.urlsplit(DATABASE_URL).path.lstrip("/")
    large_url = with_database(DATABASE_URL, f"{name}_x10")
    env, vocabulary = prepare(DATABASE_URL, 1)
    large_env, large_vocabulary = prepare(large_url, args.large)
    run([PYTHON, "manage.py", "collectstatic", "--noinput"], env)
    paths = mix.paths(vocabulary, random.Random(2026))

    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    files = {}
    for audience, path in BASELINES.items():
        files[audience] = folder / f"baseline-{audience}.txt"
        files[audience].write_text(path + "\n")
    server = start_gunicorn(env, folder / "gunicorn.log")
    try:
        cookie = sign_in()
        feeds = paths.pop("calendar feed")
        paths["calendar feed, full"] = feeds
        paths["calendar feed, 304"] = with_etags(feeds)
        results["mix_sizes"] = {kind: len(paths[kind]) for kind in KINDS}
        for number, kind in enumerate(KINDS):
            files[kind] = folder / f"{number:02d}.txt"
            files[kind].write_text("\n".join(paths[kind]) + "\n")
        for kind, audience in KINDS.items():  # warm-up: every worker, every page
            wrk(files[kind], cookie if audience == "member" else None, 4, 1)
        print(f"load runs ({args.rounds} rounds, {args.seconds} s each):")
        results["round_loads"] = []
        runs = load_runs(files, cookie, args, results["round_loads"])
        results["worker_rss_mb"] = worker_rss_mb(server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results |= {"runs": runs, "rows": summary(runs), "load_after_load": loadavg()}
    log = (folder / "gunicorn.log").read_text().splitlines()
    results["server_errors"] = [line for line in log if "ERROR" in line][:20]

    print("queries per page, admin changelists, .ics build (in-process)")
    audiences = json.dumps({**KINDS, "calendar feed": "feed"})
    queries = {}
    for label, environ, values, extra in (
        ("1x", env, vocabulary, ["--feed-build"]),
        ("10x", large_env, large_vocabulary, ["--admin"]),
    ):
        sample = mix.paths(values, random.Random(2026))
        (folder / f"mix-{label}.json").write_text(json.dumps(sample))
        command = [PYTHON, "bench/queries.py", str(folder / f"mix-{label}.json")]
        queries[label] = json.loads(
            run([*command, "--audiences", audiences, *extra], environ)
        )
    results["queries"] = queries
    print("mailing (python -m listserv.bench on PostgreSQL)")
    results["mailing"] = {
        "off": mailing(DATABASE_URL, keep_rate=False),
        "on (production setting)": mailing(DATABASE_URL, keep_rate=True),
    }
    results["load_after"] = loadavg()
    print("\n" + table(results))
    out = ROOT / "bench/results"
    out.mkdir(exist_ok=True)
    target = out / f"{results['started_at'].replace(':', '')}.json"
    for file in (target, out / "latest.json"):
        file.write_text(json.dumps(results, indent=2))
    shutil.rmtree(folder)
    print(f"\nresults: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
