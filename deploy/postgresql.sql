-- Cartel's role and database on PostgreSQL (Debian 12: PostgreSQL 15). As root, from the checkout:
--
--     PASSWORD=$(openssl rand -hex 24)
--     sudo -u postgres psql -v password="$PASSWORD" -f deploy/postgresql.sql
--     echo "CARTEL_DATABASE_URL=postgresql://cartel:$PASSWORD@127.0.0.1:5432/cartel"  # into the env file
--
-- (Without -v password the role gets no password: set one later in psql with \password cartel.)
-- The tables come from the app's migrations, run as this role: flask --app cartel db upgrade.

\set ON_ERROR_STOP on

-- The app's role: it owns its database (and so, from PostgreSQL 15, its public schema), nothing
-- else; no superuser, no role or database creation.
CREATE ROLE cartel LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
\if :{?password}
ALTER ROLE cartel PASSWORD :'password';  -- stored as a SCRAM-SHA-256 hash (the default since PG 14)
\endif

-- Guards against a stuck request or a forgotten transaction holding locks during the event. The
-- slowest legitimate statement (a page over the whole history) takes well under a second; the
-- gunicorn worker timeout is 30 s. Migrations run as this role too: raise these for a long one
-- (SET statement_timeout = 0 in the session) if ever needed.
ALTER ROLE cartel SET statement_timeout = '30s';
ALTER ROLE cartel SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE cartel SET lock_timeout = '10s';
-- The app writes its times in UTC and shows them in Paris time itself; UTC sessions agree with it.
ALTER ROLE cartel SET timezone = 'UTC';

-- UTF-8; names sorted as French readers expect ("École" next to "Ecole", not after "Z") through
-- ICU, which needs no system locale to be generated.
CREATE DATABASE cartel
    OWNER cartel
    ENCODING 'UTF8'
    LOCALE 'C.UTF-8'
    LOCALE_PROVIDER icu
    ICU_LOCALE 'fr-FR'
    TEMPLATE template0;

REVOKE ALL ON DATABASE cartel FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE cartel TO cartel;

-- ---------------------------------------------------------------------------------------------
-- Access (pg_hba.conf, /etc/postgresql/15/main/): Debian's defaults already let a local TCP
-- client on 127.0.0.1 log in with a SCRAM password ("host all all 127.0.0.1/32 scram-sha-256").
-- Two app servers on one database: listen on the private network (postgresql.conf:
-- listen_addresses = 'localhost,10.0.0.10'), allow only the app servers, and prefer TLS:
--     hostssl  cartel  cartel  10.0.0.11/32  scram-sha-256
--     hostssl  cartel  cartel  10.0.0.12/32  scram-sha-256
-- then: systemctl reload postgresql; firewall port 5432 to those hosts.
--
-- Settings worth checking for the event (postgresql.conf or ALTER SYSTEM SET, then restart):
--
--  * max_connections (default 100, needs a restart). Each gunicorn worker keeps up to about
--    2 x threads connections open: its SQLAlchemy pool, plus the autocommit connection that reads
--    the revision of every request. With deploy/gunicorn.conf.py's defaults (sync workers,
--    workers = cores + 1, threads = 1):
--        one 2-core app server:   3 x 1 x 2 = 6
--        one 8-core app server:   9 x 1 x 2 = 18
--        two 8-core app servers, PostgreSQL on its own machine (workers = 2 x cores + 1 = 17):
--                                 2 x 17 x 2 = 68  -> the default 100 is enough
--    (with GUNICORN_THREADS=4, multiply by 4: two 8-core servers, 9 workers each, 144 -> 200)
--    plus a few for the backup timer, migrations, psql and monitoring (keep 10 spare, and the 3
--    superuser_reserved_connections). Check while loaded:
--        SELECT count(*) FROM pg_stat_activity WHERE usename = 'cartel';
--    Or cap the role: ALTER ROLE cartel CONNECTION LIMIT 180;
--  * shared_buffers: the whole database is a few megabytes, Debian's 128MB already holds it.
--    On a dedicated machine, 25% of RAM is the usual figure.
--  * synchronous_commit = on (the default): keep it. A saved result must survive a crash; a
--    save costs ~25 ms anyway, most of it in Python.
--  * log_min_duration_statement = '250ms': every slow statement in the log during the event.
--  * Backups: besides the app's JSON backups (deploy/cartel-backup.timer), a nightly
--        pg_dump -Fc -f /var/backups/cartel/cartel-$(date +%F).dump cartel
--    restores the whole database as it was, with pg_restore.
