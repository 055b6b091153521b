-- Without a CRM callback URL (bridge.notifications.url) the bridge records its notifications without sending them:
-- UNSENT, a state of its own, not work waiting (PENDING), so that the outbox depth, the sync status and the alerts on
-- them stay true. Each instance says at start-up whether it sends (NotificationSender); the function below reads it.
-- All instances of one deployment share one configuration; during a rolling update the newest one's holds.
create table notification_delivery (
    only_row   boolean     primary key default true check (only_row),
    enabled    boolean     not null default true,
    updated_at timestamptz not null default now()
);
insert into notification_delivery (only_row, enabled) values (true, true);

create or replace function bridge_notify(p_type text, p_entity_type text, p_entity_id text, p_data jsonb) returns void
language sql as $$
    insert into notification (id, type, entity_type, entity_id, data, status)
    values ('ntf_' || replace(gen_random_uuid()::text, '-', ''), p_type, p_entity_type, p_entity_id, p_data,
            coalesce((select case when enabled then 'PENDING' else 'UNSENT' end from notification_delivery),
                     'PENDING'));
$$;
