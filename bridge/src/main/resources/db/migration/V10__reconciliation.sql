-- Reconciliation: the bridge's payouts against MadeTask's for a period (GET /api/v1/reconciliation, and a daily run).
-- Owned by the payout feature (ReconciliationStore).

-- A run and its result: the figures of both sides (summary) and how many differences it found. A daily run has its
-- UTC day, one row per day across all instances: an instance claims the day's row (claimed_by, claimed_until, renewed
-- while it reads) and a row whose run failed, or whose instance died, is claimed again once its claim has passed.
create table reconciliation_run (
    id             text        primary key,
    kind           text        not null,
    period_from    timestamptz not null,
    period_to      timestamptz not null,
    day            date,
    status         text        not null default 'RUNNING',
    requested_by   text        not null,
    claimed_by     text,
    claimed_until  timestamptz,
    attempts       integer     not null default 1,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    differences    integer,
    truncated      boolean     not null default false,
    summary        jsonb,
    error          text,
    constraint reconciliation_run_kind check (kind in ('DAILY', 'ON_DEMAND')),
    constraint reconciliation_run_status check (status in ('RUNNING', 'COMPLETED', 'FAILED')),
    constraint reconciliation_run_daily_day check ((kind = 'DAILY') = (day is not null))
);
create unique index reconciliation_run_day_idx on reconciliation_run (day) where kind = 'DAILY';
create index reconciliation_run_started_idx on reconciliation_run (started_at);

-- MadeTask's side of a running run, written page by page as MadeTask's list is read (source LIST: created in the
-- period on MadeTask's clock), and the bridge's payouts MadeTask was asked about by id (LOOKUP: found, created outside
-- the period; ABSENT: MadeTask answered 404). The differences are then found set-wise in SQL, so neither side is ever
-- held in the service's memory. Deleted when the run ends.
create table reconciliation_seen (
    run_id       text        not null references reconciliation_run (id) on delete cascade,
    madetask_id  text        not null,
    task_id      text,
    status       text,
    amount       numeric(15, 2),
    created_at   timestamptz,
    source       text        not null,
    primary key (run_id, madetask_id)
);

-- The differences a run found, the first bridge.reconciliation.max-differences of them (the run counts them all).
create table reconciliation_difference (
    run_id           text    not null references reconciliation_run (id) on delete cascade,
    position         integer not null,
    kind             text    not null,
    payout_id        text,
    madetask_id      text,
    task_crm_id      text,
    madetask_task_id text,
    bridge_status    text,
    bridge_amount    numeric(15, 2),
    bridge_attempt   integer,
    madetask_status  text,
    madetask_amount  numeric(15, 2),
    madetask_created timestamptz,
    note             text,
    primary key (run_id, position)
);

-- The bridge's side of a period (payouts by creation time), and a MadeTask payout the bridge does not know looked up
-- by its task.
create index payout_created_idx on payout (created_at);
create index payout_task_madetask_idx on payout (task_madetask_id) where task_madetask_id is not null;
