-- One payout per task, ever: its MadeTask attempts (a new one only after a FAILED one, by an admin's retry) share the
-- row. The idempotency key of the current attempt is made with it, before any call, and never changes.
create table payout (
    id               text primary key,
    task_crm_id      text          not null unique references task (crm_id),
    executor_crm_id  text          not null,
    amount           numeric(15, 2) not null,
    status           text          not null default 'PENDING',
    idempotency_key  text          not null unique,
    attempts         integer       not null default 1,
    calls            integer       not null default 0,
    madetask_id      text,
    failure_code     text,
    failure_message  text,
    receipt_url      text,
    last_error       text,
    last_instance    text,
    batch_id         text,
    next_attempt_at  timestamptz   not null default now(),
    locked_by        text,
    locked_until     timestamptz,
    created_at       timestamptz   not null default now(),
    updated_at       timestamptz   not null default now(),
    paid_at          timestamptz
);
create index payout_due_idx on payout (next_attempt_at, id) where status = 'PENDING';
create index payout_processing_idx on payout (updated_at) where status = 'PROCESSING';
create index payout_madetask_idx on payout (madetask_id);
create index payout_executor_idx on payout (executor_crm_id, created_at);
create index payout_status_idx on payout (status, created_at);

create table payout_batch (
    id           text primary key,
    created_by   text        not null,
    total        integer     not null,
    status       text        not null default 'RUNNING',
    created_at   timestamptz not null default now(),
    finished_at  timestamptz
);

create table payout_batch_item (
    batch_id       text    not null references payout_batch (id),
    position       integer not null,
    task_crm_id    text    not null,
    payout_id      text,
    error_code     text,
    error_message  text,
    primary key (batch_id, position)
);
create index payout_batch_item_payout_idx on payout_batch_item (payout_id);
