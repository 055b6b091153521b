-- Notifications to the CRM: an outbox of the bridge's own events, delivered at least once by NotificationSender.
-- Rows are written by triggers in the same transaction as the change they report, whichever code path made it
-- (an API call, a MadeTask event, the payout engine, the set-based batch SQL, the reconciliation), so no change can
-- commit without its notification, and no notification can exist for a change that rolled back.
create table notification (
    id               text primary key,
    type             text        not null,
    entity_type      text        not null,
    entity_id        text        not null,
    data             jsonb       not null,
    status           text        not null default 'PENDING',
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null default now(),
    locked_by        text,
    locked_until     timestamptz,
    last_error       text,
    last_status_code integer,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    delivered_at     timestamptz
);
create index notification_due_idx on notification (next_attempt_at, created_at) where status = 'PENDING';
create index notification_status_idx on notification (status, created_at);
create index notification_entity_idx on notification (entity_type, entity_id);

create function bridge_notify(p_type text, p_entity_type text, p_entity_id text, p_data jsonb) returns void
language sql as $$
    insert into notification (id, type, entity_type, entity_id, data)
    values ('ntf_' || replace(gen_random_uuid()::text, '-', ''), p_type, p_entity_type, p_entity_id, p_data);
$$;

-- A batch is complete when none of its accepted items waits for MadeTask any more. Each batch counts its open items
-- (set at creation, moved by the payout trigger below), so that a settlement costs one row update, not a scan of
-- the batch; the count is checked against the items once, when it reaches zero. Updating the counter locks the batch
-- row, so of two payouts settling at the same moment the later one sees the earlier one's outcome.
alter table payout_batch add column open_items integer not null default 0;

create function bridge_complete_batch(p_batch text) returns void
language plpgsql as $$
declare
    open_now integer;
    failed_items integer;
begin
    perform 1 from payout_batch where id = p_batch and finished_at is null for update;
    if not found then
        return;
    end if;
    select count(*) filter (where i.error_code is null and (p.status is null or p.status in ('PENDING', 'PROCESSING'))),
           count(*) filter (where i.error_code is not null or p.status = 'FAILED')
      into open_now, failed_items
      from payout_batch_item i left join payout p on p.id = i.payout_id
     where i.batch_id = p_batch;
    update payout_batch set open_items = open_now where id = p_batch;
    if open_now = 0 then
        update payout_batch
           set status = case when failed_items = 0 then 'COMPLETED' else 'COMPLETED_WITH_ERRORS' end,
               finished_at = now()
         where id = p_batch;
    end if;
end;
$$;

create function bridge_executor_notify() returns trigger
language plpgsql as $$
begin
    if new.sync_state = 'SYNCED' and (old.sync_state is distinct from 'SYNCED' or old.status <> new.status
            or old.payable <> new.payable or old.madetask_version <> new.madetask_version) then
        perform bridge_notify('executor.synced', 'EXECUTOR', new.crm_id, jsonb_build_object(
            'crmId', new.crm_id, 'madetaskId', new.madetask_id, 'status', new.status, 'payable', new.payable,
            'sync', jsonb_build_object('state', new.sync_state, 'lastSyncedAt', new.last_synced_at),
            'version', new.version));
    elsif new.sync_state = 'FAILED' and old.sync_state is distinct from 'FAILED' then
        perform bridge_notify('executor.sync_failed', 'EXECUTOR', new.crm_id, jsonb_build_object(
            'crmId', new.crm_id, 'madetaskId', new.madetask_id, 'status', new.status,
            'sync', jsonb_build_object('state', new.sync_state, 'lastError', new.last_error),
            'version', new.version));
    end if;
    return null;
end;
$$;
create trigger executor_notify after update on executor
    for each row execute function bridge_executor_notify();

create function bridge_task_notify() returns trigger
language plpgsql as $$
begin
    if new.status <> old.status then
        perform bridge_notify('task.status_changed', 'TASK', new.crm_id, jsonb_build_object(
            'crmId', new.crm_id, 'madetaskId', new.madetask_id, 'executorCrmId', new.executor_crm_id,
            'status', new.status, 'previousStatus', old.status, 'version', new.version));
    end if;
    if new.sync_state = 'FAILED' and old.sync_state is distinct from 'FAILED' then
        perform bridge_notify('task.sync_failed', 'TASK', new.crm_id, jsonb_build_object(
            'crmId', new.crm_id, 'madetaskId', new.madetask_id, 'executorCrmId', new.executor_crm_id,
            'status', new.status, 'sync', jsonb_build_object('state', new.sync_state, 'lastError', new.last_error),
            'version', new.version));
    end if;
    return null;
end;
$$;
create trigger task_notify after update on task
    for each row execute function bridge_task_notify();

create function bridge_payout_notify() returns trigger
language plpgsql as $$
declare
    b text;
    n integer;
    delta integer := 0;
begin
    if new.status in ('PAID', 'FAILED') and new.status is distinct from old.status then
        perform bridge_notify(case when new.status = 'PAID' then 'payout.paid' else 'payout.failed' end,
            'PAYOUT', new.id, jsonb_build_object(
            'id', new.id, 'taskCrmId', new.task_crm_id, 'executorCrmId', new.executor_crm_id,
            'amount', jsonb_build_object('amount', new.amount::text, 'currency', 'RUB'),
            'status', new.status, 'failureCode', new.failure_code, 'failureMessage', new.failure_message,
            'receiptUrl', new.receipt_url, 'attempts', new.attempts, 'madetaskId', new.madetask_id,
            'paidAt', new.paid_at));
    end if;
    if new.status is distinct from old.status then
        if old.status in ('PENDING', 'PROCESSING') and new.status in ('PAID', 'FAILED') then
            delta := -1;
        elsif old.status in ('PAID', 'FAILED') and new.status in ('PENDING', 'PROCESSING') then
            delta := 1;
        end if;
        if delta <> 0 then
            for b in select distinct batch_id from payout_batch_item where payout_id = new.id loop
                update payout_batch set open_items = open_items + delta where id = b returning open_items into n;
                if delta < 0 and n <= 0 then
                    perform bridge_complete_batch(b);
                end if;
            end loop;
        end if;
    end if;
    return null;
end;
$$;
create trigger payout_notify after update on payout
    for each row execute function bridge_payout_notify();

create function bridge_batch_notify() returns trigger
language plpgsql as $$
begin
    if new.status <> 'RUNNING' and old.status = 'RUNNING' then
        perform bridge_notify('batch.completed', 'PAYOUT_BATCH', new.id, (
            select jsonb_build_object('id', new.id, 'status', new.status, 'total', new.total,
                   'counts', jsonb_build_object(
                       'paid', count(*) filter (where p.status = 'PAID'),
                       'failed', count(*) filter (where p.status = 'FAILED'),
                       'rejected', count(*) filter (where i.error_code is not null)),
                   'createdAt', new.created_at, 'finishedAt', new.finished_at)
              from payout_batch_item i left join payout p on p.id = i.payout_id
             where i.batch_id = new.id));
    end if;
    return null;
end;
$$;
create trigger payout_batch_notify after update on payout_batch
    for each row execute function bridge_batch_notify();
