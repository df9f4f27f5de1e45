"""`make bench`: load-tests Jalin on PostgreSQL under gunicorn, against two references.

Creates its own databases (jalin_bench_*), seeds a small and then a large
catalogue, serves the app with production-like settings (DEBUG off, pooled
connections, Redis cache) and drives each scenario with wrk over loopback for a
fixed time. Every scenario is measured on a fresh server next to two references
served by the same app: a bare view rendering a small template and a bare view
doing one indexed read. Writes the tables to docs/benchmarks.md
(`--quick`: shorter runs, a smaller catalogue, written to var/ instead).

A page scenario is one line in SCENARIOS; `{pool}` in its path or body is
replaced, request by request, by a random id from POOLS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
DATABASES = {alias: f"jalin_bench_{alias}" for alias in ("default", "storefront", "marketplace")}
WORKERS, THREADS, CONNECTIONS = 4, 4, 16

ENV = {
    # The production settings, minus what needs TLS in front: loopback speaks plain HTTP.
    "DJANGO_SETTINGS_MODULE": "config.settings_production",
    "SECURE_SSL_REDIRECT": "false",
    "BEHIND_TLS_PROXY": "false",
    "DEBUG": "false",
    "SECRET_KEY": "bench-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"{PG}/{DATABASES['default']}",
    "STOREFRONT_DATABASE_URL": f"{PG}/{DATABASES['storefront']}",
    "MARKETPLACE_DATABASE_URL": f"{PG}/{DATABASES['marketplace']}",
    "DATABASE_POOL": "true",
    "DATABASE_POOL_MAX": str(THREADS),
    "CACHE_URL": REDIS,
    "REDIS_URL": REDIS,  # broker only: the relay scenario drains the outbox itself
    "BENCH": "true",
    # One load generator on loopback is one client: throttling it would measure the throttle.
    "API_THROTTLE_ANON": "1000000/min",
    "API_THROTTLE_USER": "1000000/min",
    # Production has no gateway of its own here: the checkout scenario pays through the simulator.
    "PAYMENT_SIMULATOR_ENABLED": "true",
    "PAYMENT_SIM_SECRET": "bench-" + "s" * 40,
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "plain",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    method: str = "GET"
    body: str = ""
    signed_in: bool = False  # requests carry one of the bench buyers' sessions


REFERENCES = [
    Scenario("reference: template", "/bench/template/"),
    Scenario("reference: one read", "/bench/read/{product}/"),
]
SCENARIOS = [
    Scenario("feed", "/"),
    Scenario("post page", "/posts/{post}/"),
    Scenario("product page", "/products/{product}/"),
    Scenario("add to cart", "/cart/add/", "POST", "variant_id={variant}&quantity=1", signed_in=True),
    Scenario("campaign page", "/campaigns/{campaign}/"),
    Scenario("search", "/search/?q={word}"),
    Scenario("product list API", "/api/v1/products/?page_size=20&category={category}"),
]
SCALE_SCENARIOS = ["feed", "product page"]  # also measured on the small catalogue


def _pools() -> dict[str, list]:
    """Ids the scenarios draw from (a random thousand of each), search words, campaigns."""
    from marketplace.demo import NOUNS
    from marketplace.models import Variant
    from storefront.models import Campaign, Post, PostStatus, ProductCard

    sample = 1000
    return {
        "product": list(
            ProductCard.objects.filter(is_visible=True).order_by("?").values_list("product_id", flat=True)[:sample]
        ),
        "post": list(
            Post.objects.filter(status=PostStatus.PUBLISHED).order_by("?").values_list("id", flat=True)[:sample]
        ),
        "variant": list(
            Variant.objects.filter(stock_on_hand__gte=30).order_by("?").values_list("id", flat=True)[:sample]
        ),
        "word": sorted({word.lower() for noun in NOUNS for word in noun.split()}),
        "campaign": list(Campaign.objects.values_list("slug", flat=True)) or ["none"],
        "category": sorted(
            set(ProductCard.objects.exclude(category_id=None).values_list("category_id", flat=True).distinct())
        ),
    }


# --- Preparing -----------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def recreate_databases() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for name in DATABASES.values():
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def setup_django() -> None:
    os.environ.update(ENV)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    for alias in DATABASES:
        call_command("migrate", database=alias, interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def seed(*, products: int, shops: int, creators: int, posts: int) -> float:
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("seed_demo", products=products, shops=shops, creators=creators, posts=posts, verbosity=1, force=True)
    elapsed = time.perf_counter() - started
    for alias in DATABASES:  # fresh planner statistics, as autovacuum would give a live database
        with connections[alias].cursor() as cursor:
            cursor.execute("ANALYZE")
    return elapsed


def buyer_sessions(count: int, prefix: str) -> list[dict]:
    """Signed-in sessions of `count` bench buyers, with a CSRF secret each."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    User = get_user_model()
    names = [f"{prefix}{n}" for n in range(count)]
    unusable = make_password(None)
    User.objects.bulk_create([User(username=n, password=unusable) for n in names], ignore_conflicts=True)
    users = list(User.objects.filter(username__in=names).order_by("id"))
    # A checkout needs a confirmed e-mail address: the bench buyers' are made up, as the demo's.
    from storefront.models import EmailVerification

    EmailVerification.objects.using("storefront").bulk_create(
        [
            EmailVerification(user_id=u.pk, email=f"{u.username}@bench.invalid", verified_at=timezone.now())
            for u in users
        ],
        ignore_conflicts=True,
    )
    sessions = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked secret
        sessions.append(
            {"user_id": user.pk, "cookie": f"sessionid={store.session_key}; csrftoken={csrf}", "csrf": csrf}
        )
    return sessions


# --- Serving -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the bench settings, fresh for each measurement."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={WORKERS}",
                "--worker-class=gthread",
                f"--threads={THREADS}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env={**os.environ, **ENV},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/bench/template/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def request(self, method: str, path: str, body: str = "", cookie: str = "") -> tuple[int, dict]:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
        if cookie:
            headers["Cookie"] = cookie
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, dict(response.getheaders())

    def peak_worker_memory_mb(self) -> float:
        """Highest VmHWM (peak resident memory) among the workers."""
        peak = 0
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid) and "VmHWM" in fields:
                peak = max(peak, int(fields["VmHWM"].split()[0]))
        return peak / 1024

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# --- Load ----------------------------------------------------------------------

LUA = """
local pools = %(pools)s
local sessions = %(sessions)s
local method, path, body = %(method)s, %(path)s, %(body)s
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(os.time() * 100 + (seed or 0)) end
local function fill(text)
  return (text:gsub("{(%%w+)}", function(k) local p = pools[k]; return tostring(p[math.random(#p)]) end))
end
function request()
  local headers, data = {}, fill(body)
  if #sessions > 0 then
    local s = sessions[math.random(#sessions)]
    headers["Cookie"] = s[1]
    data = data .. "&csrfmiddlewaretoken=" .. s[2]
  end
  if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(method, fill(path), headers, method == "POST" and data or nil)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"errors": %%d}\\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _lua_value(value) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def _lua_list(values) -> str:
    return "{" + ",".join(values) + "}"


def _lua_script(scenario: Scenario, pools: dict, sessions: list[dict]) -> str:
    return LUA % {
        "pools": "{" + ",".join(f"{k}={_lua_list(map(_lua_value, v))}" for k, v in pools.items()) + "}",
        "sessions": _lua_list(_lua_list([json.dumps(s["cookie"]), json.dumps(s["csrf"])]) for s in sessions),
        "method": json.dumps(scenario.method),
        "path": json.dumps(scenario.path),
        "body": json.dumps(scenario.body),
    }


def wrk(port: int, script: str, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout=10s",
                "-s",
                f.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


@dataclass
class Result:
    scenario: str
    products: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    queries: str  # mean per request before the load (cold caches) / after it
    memory_mb: float
    references: dict = field(default_factory=dict)  # reference name -> requests/s


def _sample_queries(server: Server, scenario: Scenario, pools: dict, sessions: list[dict]) -> float:
    """Mean X-Queries over a few requests drawn like the load's."""
    import random

    counts = []
    for _ in range(5):
        session = random.choice(sessions) if sessions else None

        def fill(text):
            for name, ids in pools.items():
                text = text.replace("{" + name + "}", str(random.choice(ids)))
            return text

        body = fill(scenario.body) + (f"&csrfmiddlewaretoken={session['csrf']}" if session else "")
        _status, headers = server.request(
            scenario.method,
            fill(scenario.path),
            body if scenario.method == "POST" else "",
            session["cookie"] if session else "",
        )
        counts.append(int(headers.get("X-Queries", 0)))
    return statistics.mean(counts)


def measure(scenario: Scenario, *, products: int, pools: dict, sessions: list[dict], seconds: int) -> Result:
    signed = sessions if scenario.signed_in else []
    script = _lua_script(scenario, pools, signed)
    server = Server()
    try:
        cold = _sample_queries(server, scenario, pools, signed)
        wrk(server.port, script, max(1, seconds // 4))  # warm-up: caches, pools, imports
        raw = wrk(server.port, script, seconds)
        warm = _sample_queries(server, scenario, pools, signed)
        memory = server.peak_worker_memory_mb()
    finally:
        server.stop()
    result = Result(
        scenario=scenario.name,
        products=products,
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
        errors=raw["errors"],
        queries=f"{cold:g} / {warm:g}",
        memory_mb=memory,
    )
    log(
        f"{scenario.name} @ {products:,} products: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.errors} errors, {result.queries} queries"
    )
    return result


def run_stage(scenarios: list[Scenario], *, products: int, seconds: int, sessions: list[dict]) -> list[Result]:
    pools = _pools()
    refs = [measure(s, products=products, pools=pools, sessions=sessions, seconds=seconds) for s in REFERENCES]
    results = [measure(s, products=products, pools=pools, sessions=sessions, seconds=seconds) for s in scenarios]
    for result in refs + results:
        result.references = {r.scenario: r.rps for r in refs}
    return refs + results


# --- Checkout and relay ----------------------------------------------------------


def checkout_contention(*, buyers: int, concurrency: int, platform_voucher: bool = False) -> dict:
    """Many buyers check out a three-shop cart at once, fighting over scarce stock.

    Each cart holds one unit of one hot variant from each of three shops; each hot
    variant has stock for two thirds of the buyers, so a third are refused. With
    `platform_voucher`, every buyer also enters one Rp 10.000 platform voucher code,
    split over the three orders, that every checkout locks (its limit: all buyers).
    """
    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    from integration.transport import marketplace
    from marketplace.models import Order, OrderLine, PlatformVoucher, Shop, Variant

    port = marketplace()
    shops = list(Shop.objects.order_by("id")[:3])
    hot = [
        Variant.objects.filter(product__shop=shop, product__status="active").order_by("id").first() for shop in shops
    ]
    supply = buyers * 2 // 3
    Variant.objects.filter(id__in=[v.id for v in hot]).update(stock_on_hand=supply, stock_reserved=0)
    sessions = buyer_sessions(buyers, "pembeli-checkout-")
    for session in sessions:
        for variant in hot:
            port.add_to_cart(buyer_id=session["user_id"], variant_id=variant.id, quantity=1)
    orders_before = Order.objects.count()
    code = ""
    if platform_voucher:
        code = "BENCHJALIN"
        PlatformVoucher.objects.update_or_create(
            code=code,
            defaults={
                "kind": "fixed",
                "value": 10_000,
                "starts_at": timezone.now() - timedelta(days=1),
                "ends_at": timezone.now() + timedelta(days=1),
                "usage_limit": buyers,
                "per_buyer_limit": 1,
                "used_count": 0,
                "is_active": True,
            },
        )

    server = Server()
    latencies, outcomes = [], {"placed": 0, "refused": 0, "errors": 0}
    placed_queries = []  # across the three databases, per placed three-shop checkout

    def check_out(session):
        body = urllib.parse.urlencode(
            {
                "recipient": "Ayu Lestari",
                "phone": "0812 3456 7890",
                "street": "Jl. Malioboro 52",
                "city": "Yogyakarta",
                "province": "DI Yogyakarta",
                "postal_code": "55271",
                "payment_method": "virtual_account",
                "idempotency_key": uuid.uuid4().hex,
                "platform_voucher": code,
                "csrfmiddlewaretoken": session["csrf"],
            }
        )
        started = time.perf_counter()
        headers = {}
        try:
            status, headers = server.request("POST", "/checkout/", body, session["cookie"])
        except OSError:
            status = 0
        return status, time.perf_counter() - started, int(headers.get("X-Queries", 0))

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for status, latency, queries in pool.map(check_out, sessions):
                latencies.append(latency)
                outcome = {302: "placed", 200: "refused"}.get(status, "errors")
                outcomes[outcome] += 1
                if outcome == "placed":
                    placed_queries.append(queries)
        elapsed = time.perf_counter() - started
        memory = server.peak_worker_memory_mb()
    finally:
        server.stop()

    orders = Order.objects.count() - orders_before
    sold = {
        row["variant_id"]: row["n"]
        for row in OrderLine.objects.filter(variant__in=hot).values("variant_id").annotate(n=Sum("quantity"))
    }
    oversold = sum(max(0, sold.get(v.id, 0) - supply) for v in hot)
    oversold += sum(
        max(0, v.stock_reserved - v.stock_on_hand) for v in Variant.objects.filter(id__in=[v.id for v in hot])
    )
    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    result = {
        "buyers": buyers,
        "concurrency": concurrency,
        "supply_per_variant": supply,
        "orders": orders,
        "orders_per_s": orders / elapsed,
        "checkouts_per_s": buyers / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "oversold": oversold,
        "memory_mb": memory,
        "queries_mean": statistics.mean(placed_queries) if placed_queries else 0,
        "queries_max": max(placed_queries, default=0),
        "platform_voucher": code,
        **outcomes,
    }
    log(f"checkout: {result}")
    return result


def relay_throughput(*, events: int) -> dict:
    """Events per second from the marketplace outbox into the storefront's read model."""
    from django.db import transaction

    from integration.outbox import OutboxStatus
    from integration.relay import relay_all_outboxes
    from marketplace.models import OutboxEvent, Product
    from marketplace.services import product_publish_card

    ids = list(Product.objects.filter(status="active").order_by("?").values_list("id", flat=True)[:events])
    for start in range(0, len(ids), 500):
        with transaction.atomic(using="marketplace"):
            for product_id in ids[start : start + 500]:
                product_publish_card(product_id=product_id, was_active=True)
    pending = OutboxEvent.objects.filter(status=OutboxStatus.PENDING).count()
    started = time.perf_counter()
    delivered = 0
    while batch := relay_all_outboxes():
        delivered += batch
    elapsed = time.perf_counter() - started
    left = OutboxEvent.objects.filter(status=OutboxStatus.PENDING).count()
    result = {"pending": pending, "delivered": delivered, "left": left, "events_per_s": delivered / elapsed}
    log(f"relay: {result}")
    return result


# --- Report ----------------------------------------------------------------------

NOTE = """
## Reading these figures

The machine is shared: other test suites ran during the measurement (see the load
averages above, on 2 cores), so absolute figures move by 2-3x between runs and the
two catalogue sizes are measured minutes apart. Ratios to the references of the same
stage are the figure to compare. Pages are cached for every viewer and invalidated per
product and per post (storefront/fragments.py): a product page hit is one cache round
trip, a post page hit two plus one for its comments, the feed two and the live-campaign
query. A long p99 mostly reflects first visits (cold entries) and CPU contention, not
query counts. The server runs `config.settings_production` without the TLS redirect.
"""


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


LOAD_AT_START = _load()


def machine() -> list[str]:
    import django
    from django.db import connections

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores; memory {memory_kb / 1024 / 1024:.0f} GB; shared with other work "
        f"(load average at the start {LOAD_AT_START}, at the end {_load()})",
        f"OS: {platform.platform()}; Python {platform.python_version()}; Django {django.get_version()}",
        f"PostgreSQL {postgres}, three databases on one local server; {_version(['redis-server', '--version'])}",
        f"Load: {_version(['wrk', '--version'])}, 2 threads, {CONNECTIONS} connections, loopback",
        f"App: gunicorn {WORKERS} gthread workers x {THREADS} threads, DEBUG off, psycopg pool "
        f"(max {THREADS} per database per worker), Redis cache and cached sessions",
    ]


def _row(r: Result) -> str:
    template, read = r.references.get("reference: template"), r.references.get("reference: one read")
    return (
        f"| {r.scenario} | {r.products:,} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | "
        f"{r.errors} | {r.queries} | {r.memory_mb:.0f} | {r.rps / template:.0%} | {r.rps / read:.0%} |"
    )


def report(*, quick: bool, seconds: int, seeds: dict, small: list, large: list, checkout: dict, relay: dict) -> str:
    by = {(r.scenario, r.products): r for r in small + large}
    small_n, large_n = small[0].products, large[0].products
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench{' BENCH_QUICK=1' if quick else ''}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{seconds} s of load per scenario after a warm-up, each on a freshly started server.",
        "",
        "## Machine",
        "",
        *[f"- {line}" for line in machine()],
        "",
        "## Seeding",
        "",
        *[f"- `seed_demo` {label}: {elapsed:.1f} s" for label, elapsed in seeds.items()],
        "",
        "## Pages",
        "",
        "Ratios are requests per second against the two references measured in the same run.",
        "Ids are drawn uniformly from 1,000 random ones, so caches start cold and many requests miss.",
        "Queries are per request across all three databases (X-Queries header), sampled before the",
        "load (cold caches) / after it; memory is the peak resident size (VmHWM) of the largest worker.",
        "",
        "| scenario | products | req/s | p50 ms | p95 ms | p99 ms | errors | queries | worker MB "
        "| vs template | vs one read |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[_row(r) for r in small + large],
        "",
        "## Scale",
        "",
        f"| page | req/s at {small_n:,} | req/s at {large_n:,} | p50 ms at {small_n:,} | p50 ms at {large_n:,} "
        "| p50 ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in SCALE_SCENARIOS:
        a, b = by[(name, small_n)], by[(name, large_n)]
        lines.append(
            f"| {name} | {a.rps:,.0f} | {b.rps:,.0f} | {a.p50_ms:.1f} | {b.p50_ms:.1f} | {b.p50_ms / a.p50_ms:.2f}x |"
        )
    lines += [
        "",
        "## Checkout of a three-shop cart by concurrent buyers",
        "",
        f"{checkout['buyers']} buyers, {checkout['concurrency']} at a time, each with one unit of the same three hot "
        f"variants (one per shop, {checkout['supply_per_variant']} in stock each) in the cart; POST /checkout/.",
        "",
        "| checkouts | placed | refused (out of stock) | errors | orders | orders/s | p50 ms | p95 ms | p99 ms "
        "| oversold units | worker MB | queries per placed checkout (mean / max) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {checkout['buyers']} | {checkout['placed']} | {checkout['refused']} | {checkout['errors']} | "
        f"{checkout['orders']} | {checkout['orders_per_s']:.1f} | {checkout['p50_ms']:.0f} | {checkout['p95_ms']:.0f} "
        f"| {checkout['p99_ms']:.0f} | {checkout['oversold']} | {checkout['memory_mb']:.0f} "
        f"| {checkout['queries_mean']:.1f} / {checkout['queries_max']} |",
        "",
        "## Event relay",
        "",
        f"{relay['delivered']:,} events relayed from the marketplace outbox into the storefront read model "
        f"(one process, in batches): **{relay['events_per_s']:,.0f} events/s**; {relay['left']} left pending.",
        "",
        "## Budgets",
        "",
        *budgets(by, small_n, large_n, checkout),
        *NOTE.splitlines(),
        "",
    ]
    return "\n".join(lines)


def budgets(by: dict, small_n: int, large_n: int, checkout: dict) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = []
    for name in ("feed", "post page", "product page"):
        r = by[(name, large_n)]
        share = r.rps / r.references["reference: template"]
        lines.append(f"- {name} at least 40% of the template reference's req/s: {share:.0%}, {verdict(share >= 0.4)}")
    for (name, n), r in sorted(by.items()):
        if not name.startswith("reference"):
            spread = r.p99_ms / r.p50_ms
            lines.append(f"- {name} at {n:,}: p99 at most 5x p50: {spread:.1f}x, {verdict(spread <= 5)}")
    for name in SCALE_SCENARIOS:
        ratio = by[(name, large_n)].p50_ms / by[(name, small_n)].p50_ms
        lines.append(f"- {name} p50 at {large_n:,} within 1.2x of {small_n:,}: {ratio:.2f}x, {verdict(ratio <= 1.2)}")
    lines.append(f"- checkout oversold units 0: {checkout['oversold']}, {verdict(checkout['oversold'] == 0)}")
    most = checkout["queries_max"]
    lines.append(f"- three-shop checkout at most 40 queries: {most}, {verdict(0 < most <= 40)}")
    api = by[("product list API", large_n)]
    share = api.rps / api.references["reference: one read"]
    lines.append(
        f"- product list API at least 50% of the one-read reference's req/s: {share:.0%}, {verdict(share >= 0.5)}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs on a smaller catalogue, report under var/")
    parser.add_argument(
        "--platform-voucher", action="store_true", help="the checkout scenario's buyers also use one platform voucher"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs it)")
    seconds = 3 if args.quick else 10
    large = 20_000 if args.quick else 100_000
    started = time.perf_counter()

    log("creating databases " + ", ".join(DATABASES.values()))
    recreate_databases()
    flush_redis()
    setup_django()
    migrate()
    seeds = {}
    seeds["1,000 products, 100 creators, 1,000 posts"] = seed(products=1000, shops=50, creators=100, posts=1000)
    sessions = buyer_sessions(200, "pembeli-bench-")
    by_name = {s.name: s for s in SCENARIOS}
    small = run_stage([by_name[n] for n in SCALE_SCENARIOS], products=1000, seconds=seconds, sessions=sessions)
    seeds[f"top-up to {large:,} products, 2,000 creators, {large:,} posts"] = seed(
        products=large, shops=200, creators=2000, posts=large
    )
    large_results = run_stage(SCENARIOS, products=large, seconds=seconds, sessions=sessions)
    checkout = checkout_contention(
        buyers=90 if args.quick else 300, concurrency=16, platform_voucher=args.platform_voucher
    )
    relay = relay_throughput(events=1000 if args.quick else 5000)

    text = report(
        quick=args.quick,
        seconds=seconds,
        seeds=seeds,
        small=small,
        large=large_results,
        checkout=checkout,
        relay=relay,
    )
    text += f"\nWhole run: {(time.perf_counter() - started) / 60:.1f} minutes.\n"
    target = ROOT / ("var/benchmarks-quick.md" if args.quick else "docs/benchmarks.md")
    target.parent.mkdir(exist_ok=True)
    target.write_text(text)
    flush_redis()
    print(text)
    log(f"written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
