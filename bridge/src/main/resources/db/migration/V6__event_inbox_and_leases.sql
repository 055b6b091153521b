-- MadeTask's events in, as an inbox: a webhook or the catch-up stores each event once (by its id, with its body), and
-- the leased-work engine applies the stored ones, each in its own short transaction. A webhook is answered as soon as
-- its event is stored, so no delivery waits for (or is lost with) the work it causes. Rows from before are applied.
alter table processed_event
    add column seq             bigserial,
    add column payload         text,
    add column status          text        not null default 'DONE',
    add column attempts        integer     not null default 0,
    add column next_attempt_at timestamptz not null default now(),
    add column locked_by       text,
    add column locked_until    timestamptz,
    add column last_error      text,
    add column applied_at      timestamptz;

create index processed_event_due_idx on processed_event (seq) where status = 'PENDING';

-- The outbox claims the oldest pending operations first: an index in that order, so a claim stops early.
create index sync_operation_pending_id_idx on sync_operation (id) where status = 'PENDING';

-- A restarted instance takes back the claims its name holds: find them fast.
create index processed_event_locked_idx on processed_event (locked_by) where locked_by is not null;
create index sync_operation_locked_idx on sync_operation (locked_by) where locked_by is not null;
create index payout_locked_idx on payout (locked_by) where locked_by is not null;
create index notification_locked_idx on notification (locked_by) where locked_by is not null;
