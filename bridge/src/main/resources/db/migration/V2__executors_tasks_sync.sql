-- Executors as the CRM writes them, with MadeTask's id and state beside. Card and account numbers are never stored in
-- the clear: while MadeTask does not hold the number yet it is kept AES-GCM encrypted (payout_secret, with the key id),
-- and dropped once MadeTask has it. Only the last four digits stay, and a keyed HMAC to notice a changed number.
create table executor (
    crm_id            text primary key,
    madetask_id       text unique,
    full_name         text        not null,
    phone             text        not null,
    email             text        not null,
    inn               text        not null,
    tax_status        text        not null,
    payout_type       text        not null,
    payout_last4      text        not null,
    payout_bik        text,
    payout_secret     bytea,
    payout_fingerprint text,
    payout_key_id     text,
    status            text        not null default 'INVITED',
    payable           boolean     not null default false,
    madetask_version  bigint      not null default 0,
    sync_state        text        not null default 'PENDING',
    last_synced_at    timestamptz,
    last_error        text,
    version           bigint      not null default 1,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);
create index executor_status_idx on executor (status);
create index executor_sync_state_idx on executor (sync_state);

create table task (
    crm_id            text primary key,
    madetask_id       text unique,
    executor_crm_id   text          not null references executor (crm_id),
    title             text          not null,
    description       text          not null,
    reward            numeric(15, 2) not null,
    deadline          timestamptz,
    status            text          not null default 'ASSIGNED',
    madetask_version  bigint        not null default 0,
    sync_state        text          not null default 'PENDING',
    last_synced_at    timestamptz,
    last_error        text,
    version           bigint        not null default 1,
    created_at        timestamptz   not null default now(),
    updated_at        timestamptz   not null default now()
);
create index task_executor_idx on task (executor_crm_id);
create index task_status_idx on task (status);
create index task_updated_idx on task (updated_at);

-- The outbox: work that needs MadeTask, written in the same transaction as the change it carries out. Carried out in
-- id order per entity; claimed with a lease (locked_by, locked_until) so that instances never run one operation at once.
create table sync_operation (
    id               bigserial primary key,
    entity_type      text        not null,
    entity_id        text        not null,
    kind             text        not null,
    payload          text,
    idempotency_key  text        not null unique,
    status           text        not null default 'PENDING',
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null default now(),
    locked_by        text,
    locked_until     timestamptz,
    last_error       text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
create index sync_operation_pending_idx on sync_operation (next_attempt_at, id) where status = 'PENDING';
create index sync_operation_entity_idx on sync_operation (entity_type, entity_id, id) where status = 'PENDING';

-- MadeTask events already applied (webhook or catch-up), so that a duplicate changes nothing.
create table processed_event (
    event_id     text primary key,
    type         text        not null,
    source       text        not null,
    outcome      text        not null,
    received_at  timestamptz not null default now()
);

-- Who did what, when, with what outcome.
create table audit_entry (
    id           bigserial primary key,
    at           timestamptz not null default now(),
    actor        text        not null,
    action       text        not null,
    entity_type  text        not null,
    entity_id    text        not null,
    outcome      text        not null,
    request_id   text,
    detail       text
);
create index audit_entry_entity_idx on audit_entry (entity_type, entity_id, at);
create index audit_entry_at_idx on audit_entry (at);

-- Answers to POSTs that carried an Idempotency-Key, replayed when the same caller sends the key again.
create table api_idempotency (
    principal    text        not null,
    key          text        not null,
    fingerprint  text        not null,
    status       integer,
    body         text,
    created_at   timestamptz not null default now(),
    primary key (principal, key)
);
