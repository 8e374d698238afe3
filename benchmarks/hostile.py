"""Hostile-input benchmark: an XLSX zip bomb and a file of 1,000,000 invalid rows, through the CLI and the API.

    PYTHONPATH=. python -m benchmarks.hostile --database-url postgresql+psycopg://postgres@127.0.0.1:5432/jn_hostile

The database is migrated and given the reference data (use an empty scratch database). Each import runs
in a child process: the CLI under ``/usr/bin/time -v`` (wall time and peak resident memory), the API as
``jieneng serve --workers 2`` answering ``POST /api/v1/uploads`` (wall time of the request, and the peak
resident memory of every server process from /proc). Targets (issue 14): the bomb refused or finished in
under 30 s and 1 GiB; 1,000,000 invalid rows reported in under 60 s with their findings stored.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app import migrate
from app.db import make_engine, session_scope
from app.models import Finding, Upload
from app.services.users import create_user
from benchmarks.hostile_files import invalid_rows_csv, zip_bomb_xlsx
from seeds.loader import load_reference

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024 ** 3


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    return os.environ | {"JIENENG_DATABASE_URL": database_url, "JIENENG_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT),
                         "JIENENG_REFRESH_INTERVAL_S": "0", "JIENENG_SECRET_KEY": secrets.token_urlsafe(32)}


def cli_import(path: Path, env: dict[str, str]) -> dict:
    """`jieneng import consumption FILE --json` under /usr/bin/time -v."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "app.cli", "import", "consumption", str(path), "--json"],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "peak_mib": rss_kb / 1024, "report": report, "exit": proc.returncode}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_peak_mib(pid: int) -> float:
    """Largest VmHWM among the server process and its children (the workers)."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = int(re.search(r"PPid:\s+(\d+)", text).group(1))
        if int(status.parent.name) == pid or ppid == pid:
            hwm = re.search(r"VmHWM:\s+(\d+) kB", text)
            if hwm:
                peaks.append(int(hwm.group(1)) / 1024)
    return max(peaks, default=0.0)


def api_imports(files: dict[str, Path], env: dict[str, str], username: str, password: str) -> dict[str, dict]:
    """Upload each file to a served instance (2 workers); time each request and the workers' peak memory."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": password}).json()["access_token"]
        for name, path in files.items():
            start = time.perf_counter()
            response = httpx.post(f"{base}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"}, timeout=600,
                                  files={"file": (path.name, path.read_bytes())}, data={"kind": "consumption"})
            seconds = time.perf_counter() - start
            body = response.json()
            report = body.get("report", body)
            results[name] = {"seconds": seconds, "status": response.status_code, "report": report,
                             "peak_mib": _tree_peak_mib(server.pid)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def stored_findings(database_url: str, upload_id: int) -> int:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(Finding).where(Finding.upload_id == upload_id))
        assert session.get(Upload, upload_id) is not None
    engine.dispose()
    return count


def _summary(report: dict) -> str:
    if report.get("file_rejected"):
        return report["findings"][0]["code"]
    counts = report.get("finding_counts", {})
    return f"{report['rows_read']} read, {report['rows_rejected']} rejected; " + ", ".join(f"{c} {n}" for c, n in counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000, help="invalid rows in the second file")
    parser.add_argument("--bomb-rows", type=int, default=2_000_000)
    args = parser.parse_args()
    migrate.upgrade(args.database_url)
    engine = make_engine(args.database_url)
    password = secrets.token_urlsafe(16)
    username = f"bench_{secrets.token_hex(3)}"
    with session_scope(engine) as session:
        load_reference(session)
        create_user(session=session, username=username, password=password, role="admin", region_code=None)
    engine.dispose()
    work = Path(tempfile.mkdtemp(prefix="jieneng-hostile-"))
    env = _env(args.database_url, work / "var")
    bomb, invalid = work / "bomb.xlsx", work / "invalid.csv"
    bomb.write_bytes(zip_bomb_xlsx(rows=args.bomb_rows))
    invalid.write_bytes(invalid_rows_csv(rows=args.rows))
    print(f"zip bomb: {bomb.stat().st_size / 1e6:.2f} MB, {args.bomb_rows:,} rows; invalid file: "
          f"{invalid.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows")
    rows = []
    for label, path in (("zip bomb", bomb), (f"{args.rows:,} invalid rows", invalid)):
        result = cli_import(path, env)
        stored = stored_findings(args.database_url, result["report"]["upload_id"])
        rows.append(("CLI", label, result["seconds"], result["peak_mib"], stored, _summary(result["report"])))
    # the second line of defence: with the ratio limit lifted the row count stops the same bomb while it
    # inflates; a bomb within every limit (1,000,000 rows) is read to the end by calamine
    lifted = env | {"JIENENG_XLSX_MAX_RATIO": "1000000"}
    within = work / "bomb_1m.xlsx"
    within.write_bytes(zip_bomb_xlsx(rows=1_000_000))
    for label, path in (("zip bomb, ratio limit lifted", bomb), ("1,000,000-row bomb, ratio limit lifted", within)):
        result = cli_import(path, lifted)
        stored = stored_findings(args.database_url, result["report"]["upload_id"])
        rows.append(("CLI", label, result["seconds"], result["peak_mib"], stored, _summary(result["report"])))
    api = api_imports({"zip bomb": bomb, f"{args.rows:,} invalid rows": invalid}, env, username, password)
    for label, result in api.items():
        upload_id = result["report"].get("upload_id")
        stored = stored_findings(args.database_url, upload_id) if upload_id else 0
        rows.append((f"API ({result['status']})", label, result["seconds"], result["peak_mib"], stored, _summary(result["report"])))
    print("| path | file | seconds | peak MiB | findings stored | report |")
    print("|---|---|---|---|---|---|")
    for path, label, seconds, peak, stored, summary in rows:
        print(f"| {path} | {label} | {seconds:.1f} | {peak:.0f} | {stored:,} | {summary} |")


if __name__ == "__main__":
    main()
