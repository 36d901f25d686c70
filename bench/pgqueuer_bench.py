"""The peer of `pixelprobe-bench queue`: the same count of no-op jobs through pgqueuer.

Enqueues N jobs, then drains them with C consumer processes (each a pgqueuer QueueManager on
its own connection, dequeueing `--batch` jobs per query (pgqueuer's default: 10), in drain
mode), and prints jobs/s. Runs in a scratch database on the same server, dropped afterwards.
Compare with `pixelprobe-bench queue --batch` at the same batch size.

pgqueuer is a benchmark peer only, never a project dependency: install it into a venv under /tmp:

    python3 -m venv /tmp/pgq-venv && /tmp/pgq-venv/bin/pip install pgqueuer asyncpg
    /tmp/pgq-venv/bin/python bench/pgqueuer_bench.py --database-url "$(ops/pg.sh url)"
"""

import argparse
import asyncio
import multiprocessing
import os
import time
import urllib.parse

import asyncpg
from pgqueuer import QueueManager
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.queries import Queries
from pgqueuer.domain.types import QueueExecutionMode


def with_database(url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


async def setup(url: str, jobs: int) -> None:
    connection = await asyncpg.connect(url)
    queries = Queries(AsyncpgDriver(connection))
    await queries.install()
    chunk = 1000
    for start in range(0, jobs, chunk):
        count = min(chunk, jobs - start)
        await queries.enqueue(["noop"] * count, [None] * count, [0] * count)
    await connection.close()


async def consume(url: str, batch: int) -> None:
    connection = await asyncpg.connect(url)
    manager = QueueManager(Queries(AsyncpgDriver(connection)))

    @manager.entrypoint("noop")
    async def noop(job) -> None:  # noqa: ARG001 - the work is nothing
        return None

    await manager.run(mode=QueueExecutionMode.drain, batch_size=batch)
    await connection.close()


def consumer_process(url: str, batch: int) -> None:
    asyncio.run(consume(url, batch))


async def admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    await connection.execute(statement)
    await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=10, help="jobs per dequeue (batch_size)")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    database = f"pgqueuer_bench_{os.getpid()}"
    asyncio.run(admin(args.database_url, f"CREATE DATABASE {database}"))
    url = with_database(args.database_url, database)
    try:
        started = time.perf_counter()
        asyncio.run(setup(url, args.jobs))
        enqueued = time.perf_counter() - started
        started = time.perf_counter()
        processes = [
            multiprocessing.Process(target=consumer_process, args=(url, args.batch))
            for _ in range(args.consumers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        drained = time.perf_counter() - started
        left = asyncio.run(count_left(url))
        print(f"pgqueuer: enqueued {args.jobs} jobs in {enqueued:.2f} s")
        print(
            f"pgqueuer: drained {args.jobs - left} jobs with {args.consumers} consumer process(es), "
            f"batch {args.batch}: {(args.jobs - left) / drained:.0f} jobs/s ({drained:.2f} s; {left} left)"
        )
    finally:
        asyncio.run(admin(args.database_url, f"DROP DATABASE IF EXISTS {database}"))


async def count_left(url: str) -> int:
    connection = await asyncpg.connect(url)
    left = await connection.fetchval("SELECT count(*) FROM pgqueuer")
    await connection.close()
    return left


if __name__ == "__main__":
    main()
