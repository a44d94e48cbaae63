"""The prose of RESULTS.md that is not a figure of this run: method, profiles and fixes.

Numbers quoted here were measured while the benchmarks were developed (same machine, same
scripts, profilers attached); they are kept apart from the figures of the run above.
"""

METHOD = """
- **Servers.** Every service under test runs as `python -m bench.server <service>`: the app
  built by `shared.app.create_service_app(DEFINITION)` served by one uvicorn worker
  (uvloop + httptools, no access log), exactly as `community serve` does, with its own scratch
  PostgreSQL database (created and dropped by the run, migrated by the service's migrations)
  and `BUS=kafka`. The definition is renamed `<service>-<run id>`, which changes only the
  Kafka consumer group and client id; the new groups are given committed offsets at the end
  of the shared topics first, so a scratch database never replays the topics' history.
  `COMPLAINTS_RATE_LIMIT=1000000/second` lifts the per-IP limit (all load comes from one IP).
- **Load generator.** `bench/loadgen.py`, HTTP/1.1 keep-alive on asyncio streams with
  hand-built requests (about 30 µs of CPU per request, an order of magnitude below httpx),
  in the bench process with uvloop. Closed loop with bounded concurrency for throughput;
  open loop at a fixed rate for end-to-end latency; one request at a time for list latency.
- **Intake.** `POST /complaints` (a report on a project, with location and a phone) against
  `POST /bench/baseline` mounted on the same app object, which parses the JSON and does one
  raw `INSERT ... jsonb` through the service's own engine (`ServiceContext.of(request).db`):
  same process, middleware stack, pool and database. 16 connections, A/B alternated three
  times after a warm-up, intake_ratio = median over pairs of suite req/s / baseline req/s.
  The outbox relay runs in the server throughout (outbox on, Kafka acks=all).
- **Relay.** `OutboxRelay.relay_once` in a loop (what `run` does while there is a backlog)
  over an outbox pre-filled by COPY with real `complaint.received` envelopes, against a raw
  `AIOKafkaProducer` with identical settings (acks=all, idempotent, linger 5 ms) sending the
  same payloads fully pipelined. Fresh 3-partition topics per run; A/B alternated.
- **Consume.** `EventConsumer` with the acceptance service's real handlers on a migrated
  acceptance database, against a raw `AIOKafkaConsumer` (same settings, commits per fetched
  batch, no processing) on the same pre-filled topic; plus a reference raw consumer doing one
  INSERT per event. Rates are measured from the first event seen, so group joins are excluded.
- **End-to-end.** Complaints and acceptance servers; reports offered open-loop at 200/s for
  60 s (10 s in `--quick`) after a warm-up. A report counts as reflected when its row is
  visible in acceptance's `complaint_views` (the projection its acceptance view reads),
  polled every 2 ms over one connection; latency = first poll that sees it - 201 received.
- **Scale.** 1,000,000 complaints and 100,000 projects (`--quick`: 100,000 / 10,000) loaded
  with `INSERT ... SELECT generate_series` into migrated scratch databases, `VACUUM ANALYZE`,
  then the real `GET /complaints` and `GET /projects` with `limit=50` (staff token, or a
  contractor token for the routed/assigned visibility filter), following `next_cursor` for
  the multi-page scenarios. `EXPLAIN (ANALYZE, BUFFERS)` runs the same SQLAlchemy statements
  the services build (cursor at the middle of the table for "a later page").
- **CPU.** utime+stime(+children) from `/proc/<pid>/stat` for each group and `/proc/stat` for
  the machine, sampled at the edges of each measured window.
"""

FINDINGS = """
### Fixed: the outbox relay (`shared/outbox.py`)

Profile (cProfile of `relay_once` over 20,000 events): the relay loaded each batch as 500 ORM
instances and marked them sent with an ORM `UPDATE ... WHERE id IN (...)`, whose default
session synchronisation evaluated the criteria against all 500 identity-mapped objects:
`_do_post_synchronize_evaluate` 0.64 s and instance loading 0.38 s of 4.2 s. Changes:

1. the batch is read as plain rows (`select(id, topic, key, event_type, payload)`) and
   marked sent with a Core `UPDATE`; failed rows get one `UPDATE` per distinct error;
2. `run` re-reads at once only after a *full* batch: after a short batch every row that was
   visible has gone out, and rows committed since have called `wake()`, so the extra empty
   read (a transaction of 4 round trips after every wake-up, i.e. after nearly every request
   at moderate intake rates) is skipped;
3. staged events are written with one Core `INSERT` instead of ORM `add_all` + `flush` in
   the request's `before_commit`.

Before/after, 20,000 events x 3 A/B pairs each, same script (the host was shared with other
test runs, so events/s moved a lot between runs; CPU per event is the steadier figure):

| | relay events/s (3 runs) | relay CPU µs/event | relay_ratio (median) |
|---|---|---|---|
| before | 8,265 / 7,167 / 9,391 | 69 / 63 / 60 | 0.50 |
| after | 8,400 / 15,868 / 15,995 | 42 / 33 / 37 | 0.54 |

`tests/shared` and `tests/integration` pass with the change. What remains between the relay
and the raw producer is structural: the relay waits for every ack of a batch before it marks
it sent and reads the next one, while the raw producer never waits. Overlapping the next
read with the acks of the batch in flight (excluding in-flight ids rather than remembering a
last id, so rows that commit late are still picked up) is proposed, not done: it changes the
failure and ordering argument of the outbox and is not a small change.

### Profiled, proposed: intake (`POST /complaints`)

Server CPU per request, concurrency 8, two A/B rounds: suite 5.6-6.1 ms, baseline
0.9-1.2 ms; turning TLS to PostgreSQL off (`?ssl=disable`) changed neither. py-spy
(`--gil`, 200 Hz, 10 s, 1,514 samples) of the suite under load:

| Where | share of GIL samples |
|---|---|
| `services.complaints.service.file_report` | 41 % |
| ... `_resolve_place` (two `session.get`: ProjectSite, SiteBoard) | 18 % |
| ... two flushes (complaint, then step) | ~9 % |
| ... tracking-code `SELECT` | 4.6 % |
| request transaction commit (`shared.deps._session`) incl. outbox `before_commit` 3.7 % | 10.8 % |
| FastAPI dependency solving (incl. threadpool hops for sync `_context`/`_clock`: 2.5 %) | 9 % |
| pool pre-ping (`pool_pre_ping=True`: one extra round trip per checkout) | 6.9 % |
| rate limiter 1.8 %, JWT mint 1.8 %, outbox relay 2.4 % (after the fix) | 6 % |
| middleware stack, uvicorn, routing, response | the rest |

The request does about nine database round trips (pre-ping, BEGIN, two lookups, the
tracking-code check, two INSERT flushes, the advisory lock, the outbox INSERT, COMMIT)
through the ORM against three for the baseline (pre-ping, BEGIN+INSERT, COMMIT). The
proposals (owners: lead for `shared/db.py`/`shared/deps.py`, complaints engineer for
`services/complaints`) went to the lead with this work; by our estimate even all of them
together do not bring an ORM + outbox + signed-token endpoint to 0.7 of a single raw
INSERT on one worker.

### Profiled, proposed: consume

Each event is its own transaction: pre-ping, BEGIN, inbox lookup, inbox INSERT, projection
lookup, projection INSERT, COMMIT (7 round trips and a WAL flush), strictly one after the
other. Against a raw consumer that does no database work at all the ratio is two to three
orders of magnitude below 0.5, and no consumer that applies each event durably can reach
0.5 of it; the raw-consumer-plus-one-INSERT reference is the meaningful comparison.
Proposed: apply each fetched batch in one transaction (inbox rows + handlers, one commit),
falling back to the current one-event-per-transaction path with retries and dead letters
when anything in the batch fails.

### End-to-end and lists

End-to-end latency at 200 reports/s is bounded by intake: when the complaints service
cannot sustain the offered rate on this host, requests queue and the projection lags by
the queue (the "achieved" rate in section 4 shows it). The second end-to-end run, at half
the intake capacity measured in the same run, shows the pipeline's own latency, and its
stage rows say where it goes: the consumer side (sent -> inbox row) takes a few ms at the
median, the relay side (row written -> acks -> marked sent) most of the rest. The relay is
one sequential loop per service: a row committed while a batch is in flight waits for that
batch's acks, its UPDATE and COMMIT, then for its own batch (read, send with linger 5 ms,
acks=all, mark sent); under load each turn takes tens of ms. Pipelining the relay
(proposed to the lead with this work) shortens exactly this stage. A broker or database
restart by another process during the window shows up as multi-second outliers in the
relay stage and is flagged above.

For lists, `EXPLAIN` shows where the time goes at 1,000,000 rows. The community filter is
served by walking `ix_complaints_created` in sort order and discarding the 499 of 500 rows
of other communities (about 25,000 index entries and heap rows for one page), or by
`ix_complaints_community_id` plus a sort of all ~2,000 rows of the community; the projects
table has no index on its sort key, so a status-only page is a sequential scan plus sort
of 100,000 rows (about 20 ms of execution, the worst scenario). Composite
`(filter, created_at, id)` indexes make every one of these a bounded index range scan; they
were proposed to the service owners with this work. The rest of each page's time is
Python: ORM loading and response models for 50 items.
"""
