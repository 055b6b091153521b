-- When each periodic job (MadeTask catch-up, payout reconciliation) last ran, on any instance, and how it went.
create table job_run (
    name         text primary key,
    last_run_at  timestamptz not null,
    outcome      text        not null,
    detail       text
);

create index processed_event_received_idx on processed_event (received_at);

-- Background jobs an admin starts (a full executor resync), with their counts as they go.
create table sync_job (
    id           text primary key,
    kind         text        not null,
    status       text        not null default 'RUNNING',
    requested_by text        not null,
    counts       jsonb       not null default '{}'::jsonb,
    error        text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    finished_at  timestamptz
);
